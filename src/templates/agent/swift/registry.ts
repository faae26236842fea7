// Every agent template of ms-swift's `agent_template_map` (swift/agent_template/mapping.py), under
// ms-swift's name. A new format: one file in this folder + one line here (see ../../README.md).
import { PyError } from '../../py/values.ts';
import { DeepSeekV31AgentTemplate } from './deepseek_v3_1.ts';
import { DeepSeekV4AgentTemplate } from './deepseek_v4.ts';
import { Gemma4AgentTemplate } from './gemma4.ts';
import {
  ChatGLM4AgentTemplate,
  GLM4_5AgentTemplate,
  GLM4_7AgentTemplate,
  GLM4AgentTemplate,
  GLM5_1AgentTemplate,
} from './glm4.ts';
import { HermesAgentTemplate, HunyuanHermesAgentTemplate } from './hermes.ts';
import { HyV3AgentTemplate, HyV3PreviewAgentTemplate } from './hy_v3.ts';
import { KimiK25AgentTemplate } from './kimi_k25.ts';
import { KimiK3AgentTemplate } from './kimi_k3.ts';
import { Llama3AgentTemplate, Llama4AgentTemplate } from './llama.ts';
import { MiniCPM5AgentTemplate } from './minicpm5.ts';
import { MinimaxM2AgentTemplate } from './minimax_m2.ts';
import { MinimaxM3AgentTemplate } from './minimax_m3.ts';
import { MistralAgentTemplate } from './mistral.ts';
import {
  QwenEnAgentTemplate,
  QwenEnParallelAgentTemplate,
  QwenZhAgentTemplate,
  QwenZhParallelAgentTemplate,
} from './qwen.ts';
import { Qwen3_5AgentTemplate, Qwen3CoderAgentTemplate } from './qwen3_coder.ts';
import { ReactEnAgentTemplate, ReactZhAgentTemplate } from './react.ts';
import { ReactGRPOAgentTemplate } from './react_grpo.ts';
import { SeedAgentTemplate } from './seed_oss.ts';
import { ToolBenchAgentTemplate } from './toolbench.ts';
import { AgentTemplateError, type SwiftAgentTemplate } from './types.ts';
import { YoutuAgentTemplate } from './youtu.ts';

/** ms-swift's names, in `agent_template_map` order. */
export const SWIFT_AGENT_TEMPLATE_IDS = [
  'react_en',
  'react_zh',
  'qwen_en',
  'qwen_zh',
  'qwen_en_parallel',
  'qwen_zh_parallel',
  'qwen3_coder',
  'qwen3_5',
  'hermes',
  'hunyuan_hermes',
  'hy_v3_preview',
  'hy_v3',
  'toolbench',
  'chatglm4',
  'glm4',
  'glm4_5',
  'glm4_7',
  'glm5_1',
  'llama3',
  'llama4',
  'deepseek_v3_1',
  'deepseek_v4',
  'minimax_m2',
  'minimax_m3',
  'seed_oss',
  'gemma4',
  'react_grpo',
  'mistral',
  'youtu',
  'kimi_k25',
  'kimi_k3',
  'minicpm5',
] as const;

export type SwiftAgentTemplateId = (typeof SWIFT_AGENT_TEMPLATE_IDS)[number];

/**
 * A format object whose Python-semantics errors (PyError: a KeyError, AttributeError, TypeError
 * where ms-swift's code raises on this input) reach callers as AgentTemplateError, like its asserts.
 */
function refusing<T extends SwiftAgentTemplate>(t: T): T {
  return new Proxy(t, {
    get(target, key, receiver) {
      const v: unknown = Reflect.get(target, key, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        try {
          return (v as (...a: unknown[]) => unknown).apply(receiver, args);
        } catch (e) {
          if (e instanceof PyError) throw new AgentTemplateError(`${e.name}: ${e.message}`);
          throw e;
        }
      };
    },
  });
}

const make =
  <T extends SwiftAgentTemplate>(C: new () => T) =>
  (): SwiftAgentTemplate =>
    refusing(new C());

/** A fresh object per use: `templateMeta` is set per model template. */
export const swiftAgentTemplates: Partial<Record<SwiftAgentTemplateId, () => SwiftAgentTemplate>> = {
  react_en: () => new ReactEnAgentTemplate(),
  react_zh: () => new ReactZhAgentTemplate(),
  qwen_en: make(QwenEnAgentTemplate),
  qwen_zh: make(QwenZhAgentTemplate),
  qwen_en_parallel: make(QwenEnParallelAgentTemplate),
  qwen_zh_parallel: make(QwenZhParallelAgentTemplate),
  qwen3_coder: make(Qwen3CoderAgentTemplate),
  qwen3_5: make(Qwen3_5AgentTemplate),
  hermes: make(HermesAgentTemplate),
  hunyuan_hermes: make(HunyuanHermesAgentTemplate),
  hy_v3_preview: make(HyV3PreviewAgentTemplate),
  hy_v3: make(HyV3AgentTemplate),
  toolbench: make(ToolBenchAgentTemplate),
  chatglm4: make(ChatGLM4AgentTemplate),
  glm4: make(GLM4AgentTemplate),
  glm4_5: make(GLM4_5AgentTemplate),
  glm4_7: make(GLM4_7AgentTemplate),
  glm5_1: make(GLM5_1AgentTemplate),
  llama3: make(Llama3AgentTemplate),
  llama4: make(Llama4AgentTemplate),
  deepseek_v3_1: make(DeepSeekV31AgentTemplate),
  deepseek_v4: make(DeepSeekV4AgentTemplate),
  minimax_m2: make(MinimaxM2AgentTemplate),
  minimax_m3: make(MinimaxM3AgentTemplate),
  seed_oss: make(SeedAgentTemplate),
  gemma4: make(Gemma4AgentTemplate),
  react_grpo: make(ReactGRPOAgentTemplate),
  mistral: make(MistralAgentTemplate),
  youtu: make(YoutuAgentTemplate),
  kimi_k25: make(KimiK25AgentTemplate),
  kimi_k3: make(KimiK3AgentTemplate),
  minicpm5: make(MiniCPM5AgentTemplate),
};

export function isSwiftAgentTemplateId(id: string): id is SwiftAgentTemplateId {
  return (SWIFT_AGENT_TEMPLATE_IDS as readonly string[]).includes(id);
}

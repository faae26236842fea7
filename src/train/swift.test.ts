// Golden command lines, written by hand from ms-swift's Command-line-parameters.md (flag names,
// `--target_modules a b c` lists, `true`/`false` booleans) and its template names; and every flag,
// template, default system and thinking option checked against swift-facts.json (extracted from
// ms-swift 4.x's source at 3602360a: argument dataclasses, template and model registrations).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { defaultTrainConfig } from './config.ts';
import { SWIFT_AGENT_TEMPLATE_IDS } from '../templates/agent/swift/registry.ts';
import { readFileSync } from 'node:fs';
import { templateIds, getTemplate } from '../templates/specs.ts';
import type { TrainConfig } from './config.ts';
import { allLinear } from '../model/layout.ts';
import {
  shellQuote,
  SWIFT_TEMPLATES,
  SWIFT_UNSUPPORTED,
  swiftArgs,
  swiftCommand,
  swiftExportArgs,
  swiftExportCommand,
  swiftScript,
  SwiftCommandError,
  swiftTemplateOf,
} from './swift.ts';

describe('swiftCommand', () => {
  it('writes every default of a LoRA run explicitly', () => {
    const cfg = defaultTrainConfig({ model_id: 'Qwen/Qwen2.5-0.5B-Instruct', template: 'qwen2_5' });
    expect(swiftCommand(cfg, { datasetPath: 'dataset/train.jsonl', outputDir: 'output' })).toBe(
      `swift sft \\
    --model Qwen/Qwen2.5-0.5B-Instruct \\
    --use_hf true \\
    --tuner_type lora \\
    --dataset dataset/train.jsonl \\
    --template qwen2_5 \\
    --loss_scale default \\
    --lora_rank 8 \\
    --lora_alpha 32 \\
    --lora_dropout 0.05 \\
    --target_modules all-linear \\
    --use_rslora false \\
    --learning_rate 0.0001 \\
    --lr_scheduler_type cosine \\
    --warmup_ratio 0 \\
    --num_train_epochs 3 \\
    --per_device_train_batch_size 1 \\
    --gradient_accumulation_steps 16 \\
    --truncation_strategy delete \\
    --packing false \\
    --weight_decay 0.1 \\
    --adam_beta1 0.9 \\
    --adam_beta2 0.95 \\
    --adam_epsilon 1e-8 \\
    --max_grad_norm 1 \\
    --seed 42 \\
    --data_seed 42 \\
    --split_dataset_ratio 0 \\
    --save_steps 500 \\
    --logging_steps 5 \\
    --output_dir output`,
    );
  });

  it('maps lists, steps, packing, eval, last_round and constant-with-warmup; quotes odd paths', () => {
    const cfg = defaultTrainConfig({
      model_id: 'meta-llama/Llama-3.2-1B-Instruct',
      template: 'llama3_2',
      loss_policy: 'last_round',
      lora: { r: 16, lora_alpha: 16, lora_dropout: 0, target_modules: ['q_proj', 'v_proj'], use_rslora: true },
      learning_rate: 2e-4,
      lr_scheduler_type: 'constant',
      warmup_ratio: 0.05,
      max_steps: 200,
      per_device_train_batch_size: 4,
      max_length: 1024,
      packing: true,
      split_dataset_ratio: 0.1,
      eval_steps: 50,
      seed: 7,
    });
    expect(
      swiftCommand(cfg, { datasetPath: "my data/it's.jsonl", outputDir: 'out dir', modelId: '/models/llama' }),
    ).toBe(
      `swift sft \\
    --model /models/llama \\
    --use_hf true \\
    --tuner_type lora \\
    --dataset 'my data/it'\\''s.jsonl' \\
    --template llama3_2 \\
    --loss_scale last_round \\
    --lora_rank 16 \\
    --lora_alpha 16 \\
    --lora_dropout 0 \\
    --target_modules q_proj v_proj \\
    --use_rslora true \\
    --learning_rate 0.0002 \\
    --lr_scheduler_type constant_with_warmup \\
    --warmup_ratio 0.05 \\
    --max_steps 200 \\
    --per_device_train_batch_size 4 \\
    --gradient_accumulation_steps 4 \\
    --max_length 1024 \\
    --truncation_strategy delete \\
    --packing true \\
    --attn_impl flash_attn \\
    --weight_decay 0.1 \\
    --adam_beta1 0.9 \\
    --adam_beta2 0.95 \\
    --adam_epsilon 1e-8 \\
    --max_grad_norm 1 \\
    --seed 7 \\
    --data_seed 42 \\
    --split_dataset_ratio 0.1 \\
    --eval_steps 50 \\
    --save_steps 500 \\
    --logging_steps 5 \\
    --output_dir 'out dir'`,
    );
  });

  it('uses ms-swift template names, and passes SmolLM2 its system prompt', () => {
    const expected: Record<string, string> = {
      qwen2_5: 'qwen2_5',
      qwen3: 'qwen3',
      chatml: 'chatml',
      smollm2: 'chatml',
      internlm2: 'internlm2',
      llama3: 'llama3',
      llama3_2: 'llama3_2',
      glm4: 'chatglm4',
      mistral: 'llama',
      mistral_nemo: 'mistral_nemo',
      gemma2: 'gemma',
      gemma3: 'gemma3_text',
      phi3: 'phi3',
      phi4_mini: 'phi3',
      deepseek_r1: 'deepseek_r1',
      // ms-swift 3602360a: swift/template/constant.py and the model registrations in swift/model/models/.
      qwen3_5: 'qwen3_5',
      qwen3_coder: 'qwen3_coder',
      gpt_oss: 'gpt_oss',
      deepseek_v3_1: 'deepseek_v3_1',
      glm4_5: 'glm4_5',
      glm4_7: 'glm4_7',
      mistral_small: 'mistral_2506',
      gemma4: 'gemma4',
      kimi_k2: 'kimi_k2',
      seed_oss: 'seed_oss',
      minicpm5: 'minicpm5',
      hermes3: 'chatml',
    };
    expect(Object.fromEntries(Object.entries(SWIFT_TEMPLATES).map(([k, v]) => [k, v.template]))).toEqual(expected);
    const cmd = swiftCommand(
      defaultTrainConfig({ model_id: 'HuggingFaceTB/SmolLM2-135M-Instruct', template: 'smollm2', loss_policy: 'all' }),
      { datasetPath: 'd.jsonl', outputDir: 'o' },
    );
    expect(cmd).toContain(
      `--template chatml \\\n    --system 'You are a helpful AI assistant named SmolLM, trained by Hugging Face' ` +
        `\\\n    --loss_scale all \\`,
    );
  });

  it("names ms-swift's default agent template per template, and the model's own template where it has one", () => {
    // Each TemplateMeta's agent_template at ms-swift 3602360a (templates/{qwen,deepseek,glm,gemma,minicpm}.py).
    const agents = Object.fromEntries(
      Object.entries(SWIFT_TEMPLATES)
        .filter(([, v]) => v.agentTemplate)
        .map(([k, v]) => [k, v.agentTemplate]),
    );
    expect(agents).toEqual({
      qwen2_5: 'hermes',
      qwen3: 'hermes',
      llama3: 'llama3',
      llama3_2: 'llama3',
      glm4: 'chatglm4',
      qwen3_5: 'qwen3_5',
      qwen3_coder: 'qwen3_coder',
      deepseek_v3_1: 'deepseek_v3_1',
      glm4_5: 'glm4_5',
      glm4_7: 'glm4_7',
      gemma4: 'gemma4',
      minicpm5: 'minicpm5',
      hermes3: 'hermes',
    });
    for (const a of Object.values(agents)) expect(SWIFT_AGENT_TEMPLATE_IDS).toContain(a);
    const opts = { datasetPath: 'd', outputDir: 'o' };
    const cmd = (model: string) => swiftCommand(defaultTrainConfig({ model_id: model, template: 'gemma4' }), opts);
    expect(cmd('google/gemma-4-E2B-it')).toContain('--template gemma4_nothinking \\');
    expect(cmd('google/gemma-4-31B-it')).toContain('--template gemma4 \\');
  });

  it('says why a family has no ms-swift template', () => {
    const cfg = defaultTrainConfig({ model_id: 'x', template: 'lfm2_5' });
    expect(() => swiftCommand(cfg, { datasetPath: 'd', outputDir: 'o' })).toThrow(
      'no ms-swift template is known for Prism template "lfm2_5": ms-swift 4.x registers no ' +
        'LFM2 / LFM2.5 model or template',
    );
  });

  it("passes the loss scale through in ms-swift's own grammar", () => {
    const cfg = defaultTrainConfig({
      model_id: 'Qwen/Qwen3-0.6B',
      template: 'qwen3',
      loss_scale: 'last_round+hermes+ignore_empty_think',
    });
    expect(swiftCommand(cfg, { datasetPath: 'd.jsonl', outputDir: 'o' })).toContain(
      '--loss_scale last_round+hermes+ignore_empty_think \\',
    );
    const alias = defaultTrainConfig({
      model_id: 'Qwen/Qwen3-0.6B',
      template: 'qwen3',
      loss_scale: 'react',
      loss_policy: 'last_round',
    });
    expect(swiftCommand(alias, { datasetPath: 'd.jsonl', outputDir: 'o' })).toContain(
      '--loss_scale last_round+react \\',
    );
  });

  it('refuses a template ms-swift does not know', () => {
    expect(() =>
      swiftCommand(defaultTrainConfig({ model_id: 'x', template: 'vicuna' }), { datasetPath: 'd', outputDir: 'o' }),
    ).toThrow(SwiftCommandError);
  });

  it('quotes for sh', () => {
    expect(shellQuote('a-b_c.d/e:f=1,2@x+y%')).toBe('a-b_c.d/e:f=1,2@x+y%');
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('$(rm -rf ~)')).toBe("'$(rm -rf ~)'");
    expect(shellQuote("a'b")).toBe("'a'\\''b'");
    expect(shellQuote('x\ny')).toBe("'x\ny'");
  });

  it('script starts with a shebang and set -e', () => {
    const s = swiftScript(defaultTrainConfig({ model_id: 'm/x', template: 'qwen3' }), {
      datasetPath: 'd.jsonl',
      outputDir: 'o',
    });
    expect(s.startsWith('#!/bin/sh\n')).toBe(true);
    expect(s).toContain('\nset -e\nswift sft \\\n    --model m/x \\');
  });
});

describe('the real sh', () => {
  it('splits the script back into exactly our words', () => {
    const cfg = defaultTrainConfig({
      model_id: 'HuggingFaceTB/SmolLM2-135M-Instruct',
      template: 'smollm2',
      lora: { target_modules: ['q_proj', 'down_proj'] },
    });
    const opts = { datasetPath: "dataset/it's a $HOME `x`.jsonl", outputDir: 'out\\dir' };
    // A stand-in `swift` that prints each argument NUL-terminated.
    const script = `swift() { printf '%s\\0' "$@"; }\n` + swiftScript(cfg, opts).replace('#!/bin/sh\n', '');
    const res = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
    expect(res.status).toBe(0);
    expect(res.stdout.split('\0').slice(0, -1)).toEqual(['sft', ...swiftArgs(cfg, opts).flat()]);
  });
});

interface Facts {
  ms_swift: { commit: string };
  sft_fields: string[];
  transformers_training_fields: string[];
  export_fields: string[];
  templates: Record<string, { default_system: string | null; is_thinking: boolean; agent_template: string | null }>;
  models: Record<string, string>;
  not_registered: { searched: string; names: string[] };
}
const FACTS = JSON.parse(readFileSync(new URL('./swift-facts.json', import.meta.url), 'utf8')) as Facts;

/** Configs that together make swiftArgs emit every flag it has. */
function variedConfigs(): TrainConfig[] {
  const out: TrainConfig[] = [];
  for (const template of Object.keys(SWIFT_TEMPLATES)) {
    out.push(defaultTrainConfig({ model_id: 'org/model', template }));
  }
  out.push(
    defaultTrainConfig({
      model_id: 'org/model',
      template: 'qwen3',
      loss_policy: 'last_round',
      max_steps: 10,
      max_length: 512,
      packing: true,
      split_dataset_ratio: 0.1,
      lr_scheduler_type: 'constant',
      warmup_ratio: 0.1,
      lora: { target_modules: allLinear('llama'), use_rslora: true },
    }),
  );
  // The fields agent-core and loss-weights add to TrainConfig.
  out.push({
    ...defaultTrainConfig({ model_id: 'org/model', template: 'qwen2_5' }),
    agent_template: 'react_en',
    loss_scale: 'last_round+react',
  } as TrainConfig);
  return out;
}

describe(`against ms-swift 4.x's own source (${FACTS.ms_swift.commit.slice(0, 8)}, swift-facts.json)`, () => {
  it('emits only SftArguments flags (ms-swift fields + transformers TrainingArguments), never 3.x --train_type', () => {
    const known = new Set([...FACTS.sft_fields, ...FACTS.transformers_training_fields]);
    const emitted = new Set<string>();
    for (const cfg of variedConfigs()) {
      for (const [flag] of swiftArgs(cfg, { datasetPath: 'd.jsonl', outputDir: 'o' }))
        emitted.add(flag.replace(/^--/, ''));
    }
    expect(emitted).toContain('agent_template');
    expect(emitted).toContain('preserve_thinking');
    expect(emitted).toContain('system');
    expect([...emitted].filter((f) => !known.has(f))).toEqual([]);
    expect(FACTS.sft_fields).not.toContain('train_type');
    expect(FACTS.sft_fields).toContain('tuner_type');
  });

  it('swift export: only ExportArguments flags', () => {
    const flags = swiftExportArgs({ model_id: 'org/model' }, { adapterPath: '.', outputDir: 'merged' }).map(([f]) =>
      f.replace(/^--/, ''),
    );
    expect(flags.filter((f) => !FACTS.export_fields.includes(f))).toEqual([]);
    expect(swiftExportCommand({ model_id: 'Qwen/Qwen3-0.6B' }, { adapterPath: '.', outputDir: 'merged' })).toBe(
      'swift export \\\n    --model Qwen/Qwen3-0.6B \\\n    --use_hf true \\\n    --adapters . \\\n    --merge_lora ' +
        'true \\\n    --output_dir merged',
    );
  });

  it("uses the template ms-swift registers for each of our templates' models", () => {
    const checked: string[] = [];
    for (const id of templateIds) {
      if (!SWIFT_TEMPLATES[id]) continue;
      for (const model of getTemplate(id).models) {
        // ms-swift lists glm-4-9b-chat under its new Hub owner (THUDM → zai-org).
        const key = Object.keys(FACTS.models).find(
          (m) => m.toLowerCase() === model.toLowerCase().replace(/^thudm\//, 'zai-org/'),
        );
        if (!key) continue;
        expect(`${model} → ${swiftTemplateOf({ template: id, model_id: model }).name}`).toBe(
          `${model} → ${FACTS.models[key]}`,
        );
        checked.push(model);
      }
    }
    expect(checked).toEqual(
      expect.arrayContaining([
        'THUDM/glm-4-9b-chat',
        'microsoft/Phi-4-mini-instruct',
        'mistralai/Mistral-7B-Instruct-v0.3',
        'google/gemma-3-4b-it',
      ]),
    );
    // The 2025-26 families (issue 14): gemma-4 E2B/E4B are registered with gemma4_nothinking.
    expect(checked).toEqual(
      expect.arrayContaining([
        'Qwen/Qwen3.5-0.8B',
        'openbmb/MiniCPM5-1B',
        'google/gemma-4-E2B-it',
        'google/gemma-4-31B-it',
        'openai/gpt-oss-20b',
        'mistralai/Mistral-Small-3.2-24B-Instruct-2506',
        'zai-org/GLM-4.7-Flash',
        'ByteDance-Seed/Seed-OSS-36B-Instruct',
      ]),
    );
    expect(checked.length).toBeGreaterThan(55);
  });

  it('has a template for every family ms-swift registers, and refuses (with the reason) only those it does not', () => {
    const absent = (model: string) => FACTS.not_registered.names.some((n) => model.toLowerCase().includes(n));
    for (const id of templateIds) {
      const models = getTemplate(id).models;
      if (SWIFT_UNSUPPORTED[id]) {
        expect(models.length, id).toBeGreaterThan(0);
        for (const m of models) expect(`${id}: ${m} ${absent(m)}`).toBe(`${id}: ${m} true`);
        expect(() =>
          swiftCommand(defaultTrainConfig({ model_id: models[0], template: id }), { datasetPath: 'd', outputDir: 'o' }),
        ).toThrow(SWIFT_UNSUPPORTED[id]);
      } else {
        expect(SWIFT_TEMPLATES[id], id).toBeDefined();
      }
    }
    // Hermes 3 is a Llama 3.1 fine-tune ms-swift does not register: its ChatML runs under ms-swift's chatml.
    expect(getTemplate('hermes3').models.every(absent)).toBe(true);
    expect(SWIFT_TEMPLATES.hermes3.template).toBe('chatml');
  });

  it("records ms-swift's default system, default agent template and thinking per template", () => {
    for (const [id, t] of Object.entries(SWIFT_TEMPLATES)) {
      const names = [t.template, ...Object.values(t.byModel ?? {})];
      for (const name of names) {
        const f = FACTS.templates[name];
        expect(f, `${id} → ${name} in swift-facts.json`).toBeDefined();
        if (t.defaultSystem !== undefined) expect(`${name}: ${t.defaultSystem}`).toBe(`${name}: ${f.default_system}`);
        if (t.agentTemplate !== undefined && name === t.template && id !== 'hermes3')
          expect(`${name}: ${t.agentTemplate}`).toBe(`${name}: ${f.agent_template}`);
        // --preserve_thinking false only where ms-swift's template is a thinking one.
        if (t.dropHistoryThinking) expect(f.is_thinking, name).toBe(true);
      }
    }
  });

  it("passes --system wherever ms-swift's default system differs from what Prism renders", () => {
    const flag = (template: string) => {
      const g = swiftArgs(defaultTrainConfig({ model_id: 'org/model', template }), {
        datasetPath: 'd',
        outputDir: 'o',
      }).find(([f]) => f === '--system');
      return g ? g[1] : null;
    };
    // ms-swift's llama (Mistral) and internlm2 templates add a default system Prism's do not render.
    expect(flag('mistral')).toBe('');
    expect(flag('internlm2')).toBe('');
    // Same default system on both sides: no flag.
    expect(flag('qwen2_5')).toBeNull();
    expect(flag('qwen3')).toBeNull();
    expect(flag('smollm2')).toBe('You are a helpful AI assistant named SmolLM, trained by Hugging Face');
    for (const id of templateIds) {
      const t = SWIFT_TEMPLATES[id];
      if (!t || t.defaultSystem === undefined) continue;
      const ours = getTemplate(id).defaultSystem ?? '';
      const theirs = FACTS.templates[t.template].default_system ?? '';
      expect(`${id}: ${flag(id)}`).toBe(`${id}: ${ours === theirs ? null : ours}`);
    }
  });

  it('turns off keeping earlier reasoning for qwen3, deepseek_r1 (Prism drops it as the official templates do)', () => {
    const has = (template: string) =>
      swiftCommand(defaultTrainConfig({ model_id: 'org/model', template }), {
        datasetPath: 'd',
        outputDir: 'o',
      }).includes('--preserve_thinking false');
    expect(has('qwen3')).toBe(true);
    expect(has('deepseek_r1')).toBe(true);
    expect(has('qwen2_5')).toBe(false);
  });

  it("writes the config's agent template and loss scale when it has them", () => {
    const cfg = {
      ...defaultTrainConfig({ model_id: 'org/model', template: 'qwen2_5' }),
      agent_template: 'react_en',
      loss_scale: 'last_round+react',
    } as TrainConfig;
    const cmd = swiftCommand(cfg, { datasetPath: 'd', outputDir: 'o' });
    expect(cmd).toContain(
      '--template qwen2_5 \\\n    --agent_template react_en \\\n    --loss_scale last_round+react \\',
    );
  });

  it("leaves --agent_template out for Prism's native formats (ms-swift then uses its template's default)", () => {
    for (const agent_template of [undefined, 'native', 'native:react', 'native:hermes']) {
      const cfg = { ...defaultTrainConfig({ model_id: 'org/model', template: 'qwen2_5' }), agent_template };
      expect(swiftCommand(cfg, { datasetPath: 'd', outputDir: 'o' }), String(agent_template)).not.toContain(
        '--agent_template',
      );
    }
  });
});

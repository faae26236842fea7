// Golden command lines, written by hand from ms-swift's Command-line-parameters.md (flag names,
// `--target_modules a b c` lists, `true`/`false` booleans) and its template names.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { defaultTrainConfig } from './config.ts';
import { SWIFT_AGENT_TEMPLATE_IDS } from '../templates/agent/swift/registry.ts';
import { shellQuote, SWIFT_TEMPLATES, swiftArgs, swiftCommand, swiftScript, SwiftCommandError } from './swift.ts';

describe('swiftCommand', () => {
  it('writes every default of a LoRA run explicitly', () => {
    const cfg = defaultTrainConfig({ model_id: 'Qwen/Qwen2.5-0.5B-Instruct', template: 'qwen2_5' });
    expect(swiftCommand(cfg, { datasetPath: 'dataset/train.jsonl', outputDir: 'output' })).toBe(
      `swift sft \\
    --model Qwen/Qwen2.5-0.5B-Instruct \\
    --use_hf true \\
    --train_type lora \\
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
    expect(swiftCommand(cfg, { datasetPath: "my data/it's.jsonl", outputDir: 'out dir', modelId: '/models/llama' })).toBe(
      `swift sft \\
    --model /models/llama \\
    --use_hf true \\
    --train_type lora \\
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
      qwen2_5: 'qwen2_5', qwen3: 'qwen3', chatml: 'chatml', smollm2: 'chatml', internlm2: 'internlm2', llama3: 'llama3',
      llama3_2: 'llama3_2', glm4: 'glm4', mistral: 'llama', mistral_nemo: 'mistral_nemo', gemma2: 'gemma',
      gemma3: 'gemma3_text', phi3: 'phi3', phi4_mini: 'phi4', deepseek_r1: 'deepseek_r1',
      // ms-swift 3602360a: swift/template/constant.py and the model registrations in swift/model/models/.
      qwen3_5: 'qwen3_5', qwen3_coder: 'qwen3_coder', gpt_oss: 'gpt_oss', deepseek_v3_1: 'deepseek_v3_1',
      glm4_5: 'glm4_5', glm4_7: 'glm4_7', mistral_small: 'mistral_2506', gemma4: 'gemma4', kimi_k2: 'kimi_k2',
      seed_oss: 'seed_oss', minicpm5: 'minicpm5', hermes3: 'chatml',
    };
    expect(Object.fromEntries(Object.entries(SWIFT_TEMPLATES).map(([k, v]) => [k, v.template]))).toEqual(expected);
    const cmd = swiftCommand(defaultTrainConfig({ model_id: 'HuggingFaceTB/SmolLM2-135M-Instruct', template: 'smollm2', loss_policy: 'all' }), { datasetPath: 'd.jsonl', outputDir: 'o' });
    expect(cmd).toContain(`--template chatml \\\n    --system 'You are a helpful AI assistant named SmolLM, trained by Hugging Face' \\\n    --loss_scale all \\`);
  });

  it("names ms-swift's default agent template per template, and the model's own template where it has one", () => {
    // Each TemplateMeta's agent_template at ms-swift 3602360a (templates/{qwen,deepseek,glm,gemma,minicpm}.py).
    const agents = Object.fromEntries(
      Object.entries(SWIFT_TEMPLATES).filter(([, v]) => v.agentTemplate).map(([k, v]) => [k, v.agentTemplate]),
    );
    expect(agents).toEqual({
      qwen3_5: 'qwen3_5', qwen3_coder: 'qwen3_coder', deepseek_v3_1: 'deepseek_v3_1', glm4_5: 'glm4_5',
      glm4_7: 'glm4_7', gemma4: 'gemma4', minicpm5: 'minicpm5', hermes3: 'hermes',
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
      'no ms-swift template is known for Prism template "lfm2_5": ms-swift 4.x registers no LFM2 / LFM2.5 model or template',
    );
  });

  it('refuses a template ms-swift does not know', () => {
    expect(() => swiftCommand(defaultTrainConfig({ model_id: 'x', template: 'vicuna' }), { datasetPath: 'd', outputDir: 'o' })).toThrow(SwiftCommandError);
  });

  it('quotes for sh', () => {
    expect(shellQuote('a-b_c.d/e:f=1,2@x+y%')).toBe('a-b_c.d/e:f=1,2@x+y%');
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('$(rm -rf ~)')).toBe("'$(rm -rf ~)'");
    expect(shellQuote("a'b")).toBe("'a'\\''b'");
    expect(shellQuote('x\ny')).toBe("'x\ny'");
  });

  it('script starts with a shebang and set -e', () => {
    const s = swiftScript(defaultTrainConfig({ model_id: 'm/x', template: 'qwen3' }), { datasetPath: 'd.jsonl', outputDir: 'o' });
    expect(s.startsWith('#!/bin/sh\n')).toBe(true);
    expect(s).toContain('\nset -e\nswift sft \\\n    --model m/x \\');
  });
});

describe('the real sh', () => {
  it('splits the script back into exactly our words', () => {
    const cfg = defaultTrainConfig({ model_id: 'HuggingFaceTB/SmolLM2-135M-Instruct', template: 'smollm2', lora: { target_modules: ['q_proj', 'down_proj'] } });
    const opts = { datasetPath: "dataset/it's a $HOME `x`.jsonl", outputDir: 'out\\dir' };
    // A stand-in `swift` that prints each argument NUL-terminated.
    const script = `swift() { printf '%s\\0' "$@"; }\n` + swiftScript(cfg, opts).replace('#!/bin/sh\n', '');
    const res = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
    expect(res.status).toBe(0);
    expect(res.stdout.split('\0').slice(0, -1)).toEqual(['sft', ...swiftArgs(cfg, opts).flat()]);
  });
});

// The `prism train` command the studio shows is split into words by a real POSIX shell (/bin/sh
// runs it with `prism` defined to print its arguments; independent of our quoting), parsed by the CLI's own parser
// (node:util parseArgs with `prism train`'s options) and turned into a TrainConfig by the CLI's code: it must give back
// the config it was built from, field for field. A table changes every TrainConfig field; a field added to TrainConfig
// without a flag (or without a row here) fails the coverage check.
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { ParsedArgs } from '../cli/command.ts';
import { TRAIN_OPTIONS, trainConfigFromArgs } from '../cli/train-options.ts';
import { defaultTrainConfig, validateTrainConfig, type TrainConfig } from './config.ts';
import { flattenConfig } from './config-diff.ts';
import { prismTrainCommand } from './prism-command.ts';

const OPTS = { modelDir: 'models/Qwen2.5 0.5B', dataPath: "my data/it's.jsonl", outDir: 'out/adapter' };

/**
 * The words /bin/sh passes to `prism` for each command (one shell for all; NUL between words, SOH between commands).
 */
function shellWords(commands: string[]): string[][] {
  const script = ["prism() { printf '%s\\0' \"$@\"; printf '\\001'; }", ...commands].join('\n');
  const out = execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
  return out
    .split('\u0001')
    .slice(0, -1)
    .map((c) => c.split('\0').slice(0, -1));
}

function parseBack(words: string[]): TrainConfig {
  expect(words[0]).toBe('train');
  const parsed = parseArgs({ args: words.slice(1), options: TRAIN_OPTIONS, allowPositionals: false, strict: true });
  expect(parsed.values.model).toBe(OPTS.modelDir);
  expect(parsed.values.data).toBe(OPTS.dataPath);
  expect(parsed.values.out).toBe(OPTS.outDir);
  return trainConfigFromArgs(parsed as ParsedArgs, 'not-used/when-model-id-is-given');
}

const base = defaultTrainConfig({ model_id: 'Qwen/Qwen2.5-0.5B-Instruct', template: 'qwen2_5' });

/** A different valid value for every field of a full config (dotted as flattenConfig names them). */
const CHANGED: Record<string, (c: TrainConfig) => TrainConfig> = {
  model_id: (c) => ({ ...c, model_id: 'HuggingFaceTB/SmolLM2-135M-Instruct' }),
  template: (c) => ({ ...c, template: 'chatml' }),
  loss_scale: (c) => ({ ...c, loss_scale: 'last_round+react' }),
  'lora.r': (c) => ({ ...c, lora: { ...c.lora, r: 16 } }),
  'lora.lora_alpha': (c) => ({ ...c, lora: { ...c.lora, lora_alpha: 7.5 } }),
  'lora.lora_dropout': (c) => ({ ...c, lora: { ...c.lora, lora_dropout: 0 } }),
  'lora.target_modules': (c) => ({ ...c, lora: { ...c.lora, target_modules: ['q_proj', 'v_proj'] } }),
  'lora.use_rslora': (c) => ({ ...c, lora: { ...c.lora, use_rslora: true } }),
  learning_rate: (c) => ({ ...c, learning_rate: 3.3e-5 }),
  lr_scheduler_type: (c) => ({ ...c, lr_scheduler_type: 'linear' }),
  warmup_ratio: (c) => ({ ...c, warmup_ratio: 0.03 }),
  num_train_epochs: (c) => ({ ...c, num_train_epochs: 1.5 }),
  max_steps: (c) => ({ ...c, max_steps: 120 }),
  per_device_train_batch_size: (c) => ({ ...c, per_device_train_batch_size: 4 }),
  gradient_accumulation_steps: (c) => ({ ...c, gradient_accumulation_steps: 2 }),
  max_length: (c) => ({ ...c, max_length: 1024 }),
  packing: (c) => ({ ...c, packing: true, max_length: 512 }),
  truncation_strategy: (c) => ({ ...c, truncation_strategy: 'left' }),
  weight_decay: (c) => ({ ...c, weight_decay: 0 }),
  adam_beta1: (c) => ({ ...c, adam_beta1: 0.8 }),
  adam_beta2: (c) => ({ ...c, adam_beta2: 0.999 }),
  adam_epsilon: (c) => ({ ...c, adam_epsilon: 1e-6 }),
  max_grad_norm: (c) => ({ ...c, max_grad_norm: 0 }),
  seed: (c) => ({ ...c, seed: 0 }),
  data_seed: (c) => ({ ...c, data_seed: 4294967295 }),
  split_dataset_ratio: (c) => ({ ...c, split_dataset_ratio: 0.1 }),
  eval_steps: (c) => ({ ...c, eval_steps: 25 }),
  save_steps: (c) => ({ ...c, save_steps: 10 }),
  logging_steps: (c) => ({ ...c, logging_steps: 1 }),
  // Optional fields, absent from the defaults.
  agent_template: (c) => ({ ...c, agent_template: 'react_en' }),
  loss_policy: (c) => ({ ...c, loss_policy: 'last_round' }),
};

describe('prismTrainCommand', () => {
  it('has a row for every TrainConfig field', () => {
    const fields = [...flattenConfig(base).keys(), 'agent_template', 'loss_policy'].sort();
    expect(Object.keys(CHANGED).sort()).toEqual(fields);
  });

  it('parses back through the CLI into the same config, one changed field at a time and all at once', () => {
    const all = Object.values(CHANGED).reduce((c, f) => f(c), base);
    const configs = [base, ...Object.values(CHANGED).map((f) => f(base)), all];
    for (const c of configs) expect(validateTrainConfig(c), JSON.stringify(c)).toEqual([]);
    const words = shellWords(configs.map((c) => prismTrainCommand(c, OPTS)));
    configs.forEach((c, i) => expect(parseBack(words[i]), prismTrainCommand(c, OPTS)).toEqual(c));
  });

  it('writes only what differs from the CLI defaults', () => {
    expect(prismTrainCommand(base, { modelDir: 'M', dataPath: 'd.jsonl', outDir: 'o' })).toBe(
      'prism train \\\n    --model M \\\n    --model-id Qwen/Qwen2.5-0.5B-Instruct \\\n    --data d.jsonl ' +
        '\\\n    --template qwen2_5 \\\n    --out o',
    );
  });
});

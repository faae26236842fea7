// The `swift sft` command line (ms-swift) that runs the same LoRA training at scale.
// Every hyperparameter is written out, even at ms-swift's default, so the command means the
// same thing if a later ms-swift changes a default (split_dataset_ratio did in 3.6).
//
// Flag names: ms-swift docs/source_en/Instruction/Command-line-parameters.md. Template names:
// swift/llm/template/constant.py (LLMTemplateType) and the model registrations in
// swift/llm/model/model/*.py (Mistral-7B-Instruct-v0.x → 'llama', gemma-2 → 'gemma',
// Phi-4-mini-instruct → 'phi4', gemma-3 text → 'gemma3_text').
import type { LossPolicy } from '../templates/types.ts';
import { getTemplate } from '../templates/specs.ts';
import { effectiveEvalSteps, effectiveGradientAccumulation, type TrainConfig } from './config.ts';

interface SwiftTemplate {
  template: string;
  /** Pass our template's default system prompt with --system (ms-swift's template has none). */
  passSystem?: boolean;
}

/** Prism template id → ms-swift `--template`. */
export const SWIFT_TEMPLATES: Readonly<Record<string, SwiftTemplate>> = Object.freeze({
  qwen2_5: { template: 'qwen2_5' },
  qwen3: { template: 'qwen3' },
  chatml: { template: 'chatml' },
  // ms-swift registers no SmolLM2 template: its chat format is ChatML plus a default system.
  smollm2: { template: 'chatml', passSystem: true },
  internlm2: { template: 'internlm2' },
  llama3: { template: 'llama3' },
  llama3_2: { template: 'llama3_2' },
  glm4: { template: 'glm4' },
  mistral: { template: 'llama' },
  mistral_nemo: { template: 'mistral_nemo' },
  gemma2: { template: 'gemma' },
  gemma3: { template: 'gemma3_text' },
  phi3: { template: 'phi3' },
  phi4_mini: { template: 'phi4' },
  deepseek_r1: { template: 'deepseek_r1' },
});

/** Prism loss policy → ms-swift `--loss_scale`. */
export const SWIFT_LOSS_SCALE: Readonly<Record<LossPolicy, string>> = Object.freeze({
  all_assistant: 'default',
  last_round: 'last_round',
  all: 'all',
});

export class SwiftCommandError extends Error {
  override name = 'SwiftCommandError';
}

/** Quote one shell word for POSIX sh: bare when safe, else single-quoted. */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_\-.,/:=@+%]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Numbers as Python's float()/int() read them back exactly. */
function num(n: number): string {
  return String(n);
}

function bool(b: boolean): string {
  return b ? 'true' : 'false';
}

export interface SwiftCommandOptions {
  /** Path of the dataset file as the command will see it (e.g. "dataset/train.jsonl"). */
  datasetPath: string;
  /** Model id or local path; defaults to cfg.model_id. */
  modelId?: string;
  outputDir: string;
}

/** The flags, in order, as [flag, value...] groups. */
export function swiftArgs(cfg: TrainConfig, opts: SwiftCommandOptions): string[][] {
  const tpl = SWIFT_TEMPLATES[cfg.template];
  if (!tpl) throw new SwiftCommandError(`no ms-swift template is known for Prism template "${cfg.template}"`);
  const lr = cfg.lora;
  const groups: string[][] = [
    ['--model', opts.modelId ?? cfg.model_id],
    // Prism's model ids are Hugging Face Hub ids; ms-swift downloads from ModelScope unless told.
    ['--use_hf', 'true'],
    ['--train_type', 'lora'],
    ['--dataset', opts.datasetPath],
    ['--template', tpl.template],
  ];
  if (tpl.passSystem) {
    const system = getTemplate(cfg.template).defaultSystem;
    if (system) groups.push(['--system', system]);
  }
  groups.push(
    ['--loss_scale', SWIFT_LOSS_SCALE[cfg.loss_policy]],
    ['--lora_rank', num(lr.r)],
    ['--lora_alpha', num(lr.lora_alpha)],
    ['--lora_dropout', num(lr.lora_dropout)],
    ['--target_modules', ...(lr.target_modules === 'all-linear' ? ['all-linear'] : lr.target_modules)],
    ['--use_rslora', bool(lr.use_rslora)],
    ['--learning_rate', num(cfg.learning_rate)],
    // HF's 'constant' ignores warmup; Prism's constant schedule keeps it.
    ['--lr_scheduler_type', cfg.lr_scheduler_type === 'constant' && cfg.warmup_ratio > 0 ? 'constant_with_warmup' : cfg.lr_scheduler_type],
    ['--warmup_ratio', num(cfg.warmup_ratio)],
    cfg.max_steps > 0 ? ['--max_steps', num(cfg.max_steps)] : ['--num_train_epochs', num(cfg.num_train_epochs)],
    ['--per_device_train_batch_size', num(cfg.per_device_train_batch_size)],
    ['--gradient_accumulation_steps', num(effectiveGradientAccumulation(cfg))],
  );
  if (cfg.max_length !== null) groups.push(['--max_length', num(cfg.max_length)]);
  groups.push(['--truncation_strategy', cfg.truncation_strategy], ['--packing', bool(cfg.packing)]);
  // ms-swift keeps packed sequences invisible to each other only with flash attention.
  if (cfg.packing) groups.push(['--attn_impl', 'flash_attn']);
  groups.push(
    ['--weight_decay', num(cfg.weight_decay)],
    ['--adam_beta1', num(cfg.adam_beta1)],
    ['--adam_beta2', num(cfg.adam_beta2)],
    ['--adam_epsilon', num(cfg.adam_epsilon)],
    ['--max_grad_norm', num(cfg.max_grad_norm)],
    ['--seed', num(cfg.seed)],
    ['--data_seed', num(cfg.data_seed)],
    ['--split_dataset_ratio', num(cfg.split_dataset_ratio)],
  );
  const evalSteps = effectiveEvalSteps(cfg);
  if (evalSteps !== null) groups.push(['--eval_steps', num(evalSteps)]);
  groups.push(['--save_steps', num(cfg.save_steps)], ['--logging_steps', num(cfg.logging_steps)], ['--output_dir', opts.outputDir]);
  return groups;
}

/** The command, one flag per line joined with backslash-newlines, every word shell-quoted. */
export function swiftCommand(cfg: TrainConfig, opts: SwiftCommandOptions): string {
  const lines = swiftArgs(cfg, opts).map((g) => g.map(shellQuote).join(' '));
  return ['swift sft', ...lines].join(' \\\n    ');
}

/** A runnable script: `swift_sft.sh` in the exported zip. */
export function swiftScript(cfg: TrainConfig, opts: SwiftCommandOptions): string {
  return [
    '#!/bin/sh',
    '# Continue this Prism LoRA run at scale with ms-swift (pip install ms-swift).',
    '# Run from the folder this file is in.',
    'set -e',
    swiftCommand(cfg, opts),
    '',
  ].join('\n');
}

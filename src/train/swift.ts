// The `swift sft` command line (ms-swift) that runs the same LoRA training at scale.
// Every hyperparameter is written out, even at ms-swift's default, so the command means the
// same thing if a later ms-swift changes a default (split_dataset_ratio did in 3.6).
//
// Flag names: ms-swift docs/source_en/Instruction/Command-line-parameters.md. Template names:
// swift/llm/template/constant.py (LLMTemplateType) and the model registrations in
// swift/llm/model/model/*.py (Mistral-7B-Instruct-v0.x → 'llama', gemma-2 → 'gemma',
// Phi-4-mini-instruct → 'phi4', gemma-3 text → 'gemma3_text').
// The 2025-26 families: ms-swift 4.x at commit 3602360a562313afbf2ef6065fdf61f271a2c5b9 (2026-08-22):
// swift/template/constant.py (LLMTemplateType / MLLMTemplateType), swift/template/templates/*.py
// (each TemplateMeta's `agent_template`, the default of `--agent_template`; None = ms-swift asks
// for one when the data has tools) and swift/model/models/*.py (model id → template).
import type { LossPolicy } from '../templates/types.ts';
import { getTemplate } from '../templates/specs.ts';
import { effectiveEvalSteps, effectiveGradientAccumulation, type TrainConfig } from './config.ts';

interface SwiftTemplate {
  template: string;
  /** Pass our template's default system prompt with --system (ms-swift's template has none). */
  passSystem?: boolean;
  /**
   * ms-swift's default `--agent_template` for this template (its TemplateMeta.agent_template);
   * absent where ms-swift sets none and refuses tool data without an explicit one.
   */
  agentTemplate?: string;
  /** Models ms-swift registers with another template of the same chat format (model id → template). */
  byModel?: Readonly<Record<string, string>>;
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
  // qwen.py: Qwen3.5-0.8B/2B/4B/9B/27B (and -Base) → qwen3_5, agent_template 'qwen3_5'.
  qwen3_5: { template: 'qwen3_5', agentTemplate: 'qwen3_5' },
  // qwen.py: Qwen3-Coder-30B-A3B / 480B-A35B-Instruct → qwen3_coder, agent_template 'qwen3_coder'.
  qwen3_coder: { template: 'qwen3_coder', agentTemplate: 'qwen3_coder' },
  // llm.py: openai/gpt-oss-20b, -120b → gpt_oss (GptOssTemplateMeta sets no agent_template).
  gpt_oss: { template: 'gpt_oss' },
  // deepseek.py: DeepSeek-V3.1 (-Base, -Terminus) → deepseek_v3_1, agent_template 'deepseek_v3_1'.
  deepseek_v3_1: { template: 'deepseek_v3_1', agentTemplate: 'deepseek_v3_1' },
  // glm.py: GLM-4.5, GLM-4.5-Air, GLM-4.6 → glm4_5 (GLM4_5TemplateMeta: agent_template 'glm4_5').
  glm4_5: { template: 'glm4_5', agentTemplate: 'glm4_5' },
  // glm.py: GLM-4.7, GLM-4.7-Flash → glm4_7, agent_template 'glm4_7'.
  glm4_7: { template: 'glm4_7', agentTemplate: 'glm4_7' },
  // mistral.py: Mistral-Small-3.2-24B-Instruct-2506 → mistral_2506 (no agent_template; its default
  // system is the model folder's SYSTEM_PROMPT.txt); Devstral-Small-2505 → devstral.
  mistral_small: {
    template: 'mistral_2506',
    byModel: { 'mistralai/Devstral-Small-2505': 'devstral' },
  },
  // gemma.py: gemma-4-31B(-it), 26B-A4B(-it) → gemma4; E2B / E4B(-it) → gemma4_nothinking; both
  // agent_template 'gemma4'.
  gemma4: {
    template: 'gemma4',
    agentTemplate: 'gemma4',
    byModel: {
      'google/gemma-4-E2B': 'gemma4_nothinking', 'google/gemma-4-E2B-it': 'gemma4_nothinking',
      'google/gemma-4-E4B': 'gemma4_nothinking', 'google/gemma-4-E4B-it': 'gemma4_nothinking',
    },
  },
  // deepseek.py: Kimi-K2-Instruct(-0905) → kimi_k2 (MoonlightTemplateMeta: no agent_template).
  kimi_k2: { template: 'kimi_k2' },
  // seed.py: Seed-OSS-36B-Instruct → seed_oss (SeedTemplateMeta sets no agent_template; ms-swift's
  // agent template of the same name is chosen with --agent_template seed_oss).
  seed_oss: { template: 'seed_oss' },
  // llama.py: MiniCPM5-1B → minicpm5 (ChatML, thinking), agent_template 'minicpm5'.
  minicpm5: { template: 'minicpm5', agentTemplate: 'minicpm5' },
  // ms-swift registers no Hermes 3 model or template: its default chat template is ChatML with BOS
  // (chatml has auto_add_bos) and the default system 'You are a helpful assistant.' (--system).
  // Tool data: ms-swift's hermes agent template writes another tools prompt than Hermes 3's tool_use.
  hermes3: { template: 'chatml', passSystem: true, agentTemplate: 'hermes' },
});

/** Prism templates ms-swift has no template for, and why (the export refuses them with this). */
export const SWIFT_UNSUPPORTED: Readonly<Record<string, string>> = Object.freeze({
  smollm3: 'ms-swift 4.x registers no SmolLM3 model or template (its metadata system block has no ms-swift equivalent)',
  granite3_3: 'ms-swift 4.x registers no Granite model or template',
  granite4: 'ms-swift 4.x registers no Granite model or template',
  lfm2_5: 'ms-swift 4.x registers no LFM2 / LFM2.5 model or template',
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
  const why = SWIFT_UNSUPPORTED[cfg.template];
  if (!tpl) {
    throw new SwiftCommandError(`no ms-swift template is known for Prism template "${cfg.template}"${why ? `: ${why}` : ''}`);
  }
  const lr = cfg.lora;
  const groups: string[][] = [
    ['--model', opts.modelId ?? cfg.model_id],
    // Prism's model ids are Hugging Face Hub ids; ms-swift downloads from ModelScope unless told.
    ['--use_hf', 'true'],
    ['--train_type', 'lora'],
    ['--dataset', opts.datasetPath],
    ['--template', tpl.byModel?.[cfg.model_id] ?? tpl.template],
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

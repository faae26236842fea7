// The `swift sft` command line (ms-swift 4.x) that runs the same LoRA training at scale, and the
// `swift export --merge_lora true` line that folds the adapter into the base model.
// Every hyperparameter is written out, even at ms-swift's default, so the command means the
// same thing if a later ms-swift changes a default (split_dataset_ratio did in 3.6).
//
// Facts, all from ms-swift 4.x at commit 3602360a562313afbf2ef6065fdf61f271a2c5b9 (2026-08-22), and
// kept with their extraction in swift-facts.json, which swift.test.ts checks this file against:
// - flags: the dataclass fields of SftArguments / ExportArguments (swift/arguments/) and of
//   transformers' TrainingArguments they inherit; 4.0 renamed `--train_type` to `--tuner_type`;
// - templates: swift/template/constant.py and each register_template(...) (TemplateMeta's
//   default_system, is_thinking, agent_template); model id → template from the ModelGroups of
//   swift/model/models/*.py (glm-4-9b-chat → chatglm4, Phi-4-mini-instruct → phi3,
//   Mistral-7B-Instruct-v0.x → llama, gemma-2 → gemma, gemma-3 1b/270m → gemma3_text and
//   4b/12b/27b → gemma3_vision);
// - system prompt (TemplateArguments, Template._get_system): `--system` replaces the template's
//   default_system; an empty `--system ''` renders no system block (`if not system`). ms-swift
//   adds Llama-2's default system to `llama` and INTERNLM_SYSTEM to `internlm2`, so the command
//   passes our system (or '') wherever ms-swift's default differs from what Prism rendered;
// - thinking (Template._swift_encode): for thinking templates ms-swift keeps earlier rounds'
//   reasoning in training unless `--preserve_thinking false`; Prism drops it as the official
//   templates do, so those templates get `--preserve_thinking false`; the empty think block of
//   the last round is then untrained on both sides (ms-swift appends `+ignore_empty_think` to the
//   loss scale of hybrid thinking templates itself).
import { isSwiftAgentTemplateId } from '../templates/agent/swift/registry.ts';
import { templates } from '../templates/specs.ts';
import { hubModelId, NO_HUB_ID_NOTE } from './provenance.ts';
import type { TemplateSpec } from '../templates/spec.ts';
import { effectiveEvalSteps, effectiveGradientAccumulation, effectiveLossScale, type TrainConfig } from './config.ts';

interface SwiftTemplate {
  template: string;
  /**
   * ms-swift's default_system of `template` (null: none). When recorded, the command passes
   * `--system` exactly when it differs from our template's default system.
   */
  defaultSystem?: string | null;
  /** Where defaultSystem is not recorded: pass our template's default system prompt with --system. */
  passSystem?: boolean;
  /** Prism drops reasoning of rounds before the last user message and ms-swift's template is a thinking one. */
  dropHistoryThinking?: boolean;
  /**
   * ms-swift's default `--agent_template` for this template (its TemplateMeta.agent_template);
   * absent where ms-swift sets none and refuses tool data without an explicit one.
   */
  agentTemplate?: string;
  /** Models ms-swift registers with another template of the same chat format (model id → template). */
  byModel?: Readonly<Record<string, string>>;
}

/** ms-swift's default systems that differ from none (swift/template/templates/{qwen,internlm,llama}.py). */
const QWEN2_5_SYSTEM = 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.';
const INTERNLM_SYSTEM =
  'You are an AI assistant whose name is InternLM (书生·浦语).\n- InternLM (书生·浦语) is a conversational language model ' +
  'that is developed by Shanghai AI Laboratory (上海人工智能实验室). It is designed to be helpful, honest, and ' +
  'harmless.\n- InternLM (书生·浦语) ' +
  'can understand and communicate fluently in the language chosen by the user such as English and 中文.';
const LLAMA_DEFAULT_SYSTEM =
  'You are a helpful, respectful and honest assistant. Always answer as helpfully as possible, while being safe. ' +
  'Your answers should not include any harmful, unethical, racist, sexist, toxic, dangerous, or illegal ' +
  'content. Please ensure that your ' +
  'responses are socially unbiased and positive in nature.\n\nIf a question does not make any sense, or is not ' +
  'factually coherent, explain ' +
  "why instead of answering something not correct. If you don't know the answer to a question, please " +
  "don't share false information.";

/** Prism template id → ms-swift `--template`. */
export const SWIFT_TEMPLATES: Readonly<Record<string, SwiftTemplate>> = Object.freeze({
  qwen2_5: { template: 'qwen2_5', defaultSystem: QWEN2_5_SYSTEM, agentTemplate: 'hermes' },
  qwen3: { template: 'qwen3', defaultSystem: null, agentTemplate: 'hermes', dropHistoryThinking: true },
  chatml: { template: 'chatml', defaultSystem: null },
  // ms-swift registers no SmolLM2 model: its chat format is ChatML plus a default system.
  smollm2: { template: 'chatml', defaultSystem: null },
  internlm2: { template: 'internlm2', defaultSystem: INTERNLM_SYSTEM },
  llama3: { template: 'llama3', defaultSystem: null, agentTemplate: 'llama3' },
  // ms-swift's llama3_2 prefix carries "Today Date" of the day the command runs.
  llama3_2: { template: 'llama3_2', defaultSystem: null, agentTemplate: 'llama3' },
  // glm-4-9b-chat is `chatglm4` in 4.x (`glm4` is GLM-4-0414's template).
  glm4: { template: 'chatglm4', defaultSystem: null, agentTemplate: 'chatglm4' },
  // Mistral-7B-Instruct-v0.1/2/3 use ms-swift's `llama` template ([INST] …), default system Llama-2's.
  mistral: { template: 'llama', defaultSystem: LLAMA_DEFAULT_SYSTEM },
  mistral_nemo: { template: 'mistral_nemo', defaultSystem: null },
  gemma2: { template: 'gemma', defaultSystem: null },
  gemma3: {
    template: 'gemma3_text',
    defaultSystem: null,
    byModel: {
      'google/gemma-3-4b-it': 'gemma3_vision',
      'google/gemma-3-12b-it': 'gemma3_vision',
      'google/gemma-3-27b-it': 'gemma3_vision',
    },
  },
  phi3: { template: 'phi3', defaultSystem: null },
  // Phi-4-mini-instruct is registered with the phi3 template (`phi4` is Phi-4 14B's).
  phi4_mini: { template: 'phi3', defaultSystem: null },
  deepseek_r1: { template: 'deepseek_r1', defaultSystem: null, dropHistoryThinking: true },
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
      'google/gemma-4-E2B': 'gemma4_nothinking',
      'google/gemma-4-E2B-it': 'gemma4_nothinking',
      'google/gemma-4-E4B': 'gemma4_nothinking',
      'google/gemma-4-E4B-it': 'gemma4_nothinking',
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

/** Stands for the base model in commands when the run used a local folder and no Hub id is known. */
export const BASE_MODEL_PLACEHOLDER = 'BASE_MODEL';

/**
 * `--model`: the given id or path, else the config's Hub id, else the placeholder (never a `local:` label or a folder
 * of this machine).
 */
export function swiftModel(cfg: Pick<TrainConfig, 'model_id'>, given?: string): string {
  return given ?? hubModelId(cfg.model_id) ?? BASE_MODEL_PLACEHOLDER;
}

/** The ms-swift template for a run (some models use another template of the same chat format). */
export function swiftTemplateOf(cfg: Pick<TrainConfig, 'template' | 'model_id'>): { tpl: SwiftTemplate; name: string } {
  const tpl = SWIFT_TEMPLATES[cfg.template];
  const why = SWIFT_UNSUPPORTED[cfg.template];
  if (!tpl) {
    throw new SwiftCommandError(
      `no ms-swift template is known for Prism template "${cfg.template}"${why ? `: ${why}` : ''}`,
    );
  }
  return { tpl, name: tpl.byModel?.[cfg.model_id] ?? tpl.template };
}

/** `--system` value, or null when ms-swift's template default already is what Prism rendered. */
export function swiftSystem(cfg: Pick<TrainConfig, 'template'>, tpl: SwiftTemplate): string | null {
  // Templates ms-swift knows that Prism does not render yet have no default system of ours.
  const ours = (templates as Record<string, TemplateSpec | undefined>)[cfg.template]?.defaultSystem ?? null;
  if (tpl.defaultSystem === undefined) return tpl.passSystem && ours ? ours : null;
  if ((ours ?? '') === (tpl.defaultSystem ?? '')) return null;
  // ms-swift reads `\n` (backslash, n) in --system as a newline: such a system could not pass unchanged.
  if (ours?.includes('\\n'))
    throw new SwiftCommandError(
      `the default system of "${cfg.template}" contains a literal \\n, which ms-swift's --system turns into a newline`,
    );
  return ours ?? '';
}

/**
 * `--loss_scale`: the config's loss scale (TrainConfig.loss_scale, with the old loss_policy folded
 * in): the same grammar on both sides (src/templates/loss-scale follows swift/loss_scale/mapping.py).
 */
export function swiftLossScale(cfg: TrainConfig): string {
  return effectiveLossScale(cfg);
}

/**
 * `--agent_template`: the config's agent (tool) template when it is one of ms-swift's
 * (TrainConfig.agent_template), else none: the family's own format (absent, `native`) leaves
 * ms-swift its template's default, and Prism's other native formats (`native:react`) have no
 * ms-swift name.
 */
export function swiftAgentTemplate(cfg: TrainConfig): string | null {
  const own = cfg.agent_template?.trim();
  return own && isSwiftAgentTemplateId(own) ? own : null;
}

/** The flags, in order, as [flag, value...] groups. */
export function swiftArgs(cfg: TrainConfig, opts: SwiftCommandOptions): string[][] {
  const { tpl, name } = swiftTemplateOf(cfg);
  const lr = cfg.lora;
  const groups: string[][] = [
    ['--model', swiftModel(cfg, opts.modelId)],
    // Prism's model ids are Hugging Face Hub ids; ms-swift downloads from ModelScope unless told.
    ['--use_hf', 'true'],
    // ms-swift 4.0 renamed --train_type to --tuner_type.
    ['--tuner_type', 'lora'],
    ['--dataset', opts.datasetPath],
    ['--template', name],
  ];
  const system = swiftSystem(cfg, tpl);
  if (system !== null) groups.push(['--system', system]);
  // Tool data: the agent template Prism rendered tools with (agent-core's TrainConfig.agent_template).
  const agent = swiftAgentTemplate(cfg);
  if (agent !== null) groups.push(['--agent_template', agent]);
  // Per-token weights: the loss scale Prism trained with (loss-weights' TrainConfig.loss_scale).
  groups.push(['--loss_scale', swiftLossScale(cfg)]);
  if (tpl.dropHistoryThinking) groups.push(['--preserve_thinking', 'false']);
  groups.push(
    ['--lora_rank', num(lr.r)],
    ['--lora_alpha', num(lr.lora_alpha)],
    ['--lora_dropout', num(lr.lora_dropout)],
    ['--target_modules', ...(lr.target_modules === 'all-linear' ? ['all-linear'] : lr.target_modules)],
    ['--use_rslora', bool(lr.use_rslora)],
    ['--learning_rate', num(cfg.learning_rate)],
    // HF's 'constant' ignores warmup; Prism's constant schedule keeps it.
    [
      '--lr_scheduler_type',
      cfg.lr_scheduler_type === 'constant' && cfg.warmup_ratio > 0 ? 'constant_with_warmup' : cfg.lr_scheduler_type,
    ],
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
  groups.push(
    ['--save_steps', num(cfg.save_steps)],
    ['--logging_steps', num(cfg.logging_steps)],
    ['--output_dir', opts.outputDir],
  );
  return groups;
}

export interface SwiftExportOptions {
  /** The adapter folder as the command will see it ("." from inside the unzipped bundle). */
  adapterPath: string;
  /** Model id or local path; defaults to cfg.model_id. */
  modelId?: string;
  outputDir: string;
}

/** `swift export` flags that merge the LoRA adapter into the base model (ExportArguments / MergeArguments). */
export function swiftExportArgs(cfg: Pick<TrainConfig, 'model_id'>, opts: SwiftExportOptions): string[][] {
  return [
    // A Prism adapter folder has no ms-swift args.json to read the base model from: name it.
    ['--model', swiftModel(cfg, opts.modelId)],
    ['--use_hf', 'true'],
    ['--adapters', opts.adapterPath],
    ['--merge_lora', 'true'],
    ['--output_dir', opts.outputDir],
  ];
}

export function swiftExportCommand(cfg: Pick<TrainConfig, 'model_id'>, opts: SwiftExportOptions): string {
  return ['swift export', ...swiftExportArgs(cfg, opts).map((g) => g.map(shellQuote).join(' '))].join(' \\\n    ');
}

/** The command, one flag per line joined with backslash-newlines, every word shell-quoted. */
export function swiftCommand(cfg: TrainConfig, opts: SwiftCommandOptions): string {
  const lines = swiftArgs(cfg, opts).map((g) => g.map(shellQuote).join(' '));
  return ['swift sft', ...lines].join(' \\\n    ');
}

/** A runnable script: `swift_sft.sh` in the exported zip. */
export function swiftScript(cfg: TrainConfig, opts: SwiftCommandOptions): string {
  const unknown = swiftModel(cfg, opts.modelId) === BASE_MODEL_PLACEHOLDER;
  return [
    '#!/bin/sh',
    '# Continue this Prism LoRA run at scale with ms-swift 4.x (pip install "ms-swift>=4").',
    '# Run from the folder this file is in.',
    ...(unknown ? [`# ${NO_HUB_ID_NOTE} Replace ${BASE_MODEL_PLACEHOLDER} below with its Hub id or folder.`] : []),
    'set -e',
    swiftCommand(cfg, opts),
    '# Then fold the trained adapter into the base model (ms-swift reads the base model from the checkpoint):',
    `#   swift export --adapters ${shellQuote(opts.outputDir)}/vX-XXXXXXXX-XXXXXX/checkpoint-N --merge_lora true`,
    '',
  ].join('\n');
}

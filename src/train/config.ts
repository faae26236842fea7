// Training hyperparameters, named as Hugging Face / ms-swift name them, with ms-swift's
// `swift sft --train_type lora` defaults, so a run started in Prism continues unchanged with
// `swift sft` on GPUs (see swift.ts).
//
// Sources of the defaults (checked, ms-swift 3.x):
// - docs/source_en/Instruction/Command-line-parameters.md (modelscope/ms-swift @001320d0):
//   lora_rank 8, lora_alpha 32, lora_dropout 0.05, target_modules ['all-linear'], use_rslora
//   False; learning_rate 1e-4 for LoRA (1e-5 full); lr_scheduler_type 'cosine'; warmup_ratio 0;
//   num_train_epochs 3; max_steps -1; per_device_train_batch_size 1; gradient_accumulation_steps
//   None = "automatically calculated so that total_batch_size >= 16"; weight_decay 0.1;
//   adam_beta1 0.9; adam_beta2 0.95; max_grad_norm 1; seed 42; data_seed 42;
//   split_dataset_ratio 0 (0.01 before 3.6); eval_steps None = follows save_steps; save_steps 500;
//   logging_steps 5; max_length None = the model's max length; truncation_strategy 'delete';
//   packing False; loss_scale 'default' (grammar: swift/loss_scale/mapping.py, src/templates/loss-scale).
// - swift/llm/argument/train_args.py (Seq2SeqTrainingOverrideArguments): weight_decay 0.1,
//   lr_scheduler_type 'cosine', logging_steps 5, learning_rate None → 1e-4 unless full.
// - adam_epsilon is not overridden by ms-swift: transformers' TrainingArguments default 1e-8.
import { agentTemplateProblem } from '../templates/agent/registry.ts';
import {
  LossScaleError,
  lossScaleBase,
  parseLossScale,
  withLossBase,
  type LossBase,
} from '../templates/loss-scale/index.ts';
import { templates } from '../templates/specs.ts';
import type { LossPolicy } from '../templates/types.ts';
import { allLinear, TARGET_MODULES, type TargetModule } from '../model/layout.ts';
import type { Arch } from '../model/types.ts';

export { TARGET_MODULES, type TargetModule };

export type LrSchedulerType = 'cosine' | 'linear' | 'constant';
export type TruncationStrategy = 'delete' | 'left' | 'right';

export interface LoraSettings {
  r: number;
  lora_alpha: number;
  lora_dropout: number;
  /**
   * 'all-linear' = every linear layer of the decoder blocks, as PEFT/ms-swift (Llama: q, k, v, o,
   * gate, up, down; Phi-3: qkv_proj, o_proj, gate_up_proj, down_proj; InternLM2: wqkv, wo, w1, w3, w2).
   */
  target_modules: 'all-linear' | TargetModule[];
  /** Scale alpha/√r instead of alpha/r. */
  use_rslora: boolean;
}

export interface TrainConfig {
  /** Hub id of the base model, e.g. "Qwen/Qwen2.5-0.5B-Instruct". */
  model_id: string;
  /** Prism template id (src/templates), e.g. "qwen2_5". */
  template: string;
  /**
   * ms-swift's `--loss_scale`: `[default|last_round|all+]NAME[+NAME…]`, e.g. `last_round+react`
   * (src/templates/loss-scale). Absent in configs stored before it existed: `default`.
   */
  loss_scale: string;
  /**
   * The old name of loss_scale's base strategy (`all_assistant` = `default`), still accepted: when
   * it is `last_round` or `all` and loss_scale's base is `default`, it sets the base (see
   * effectiveLossScale); a different explicit base in loss_scale is refused.
   */
  loss_policy?: LossPolicy;
  /**
   * The agent (tool-call) template the data is rendered with: an ms-swift name (`hermes`,
   * `react_en`, ...; what `swift sft --agent_template` takes) or a Prism native format
   * (`native:react`). Absent: the template family's own format.
   */
  agent_template?: string;
  lora: LoraSettings;
  learning_rate: number;
  /** Prism's 'constant' keeps the warmup (HF calls that 'constant_with_warmup'). */
  lr_scheduler_type: LrSchedulerType;
  warmup_ratio: number;
  num_train_epochs: number;
  /** > 0 overrides num_train_epochs; -1 = train for num_train_epochs (HF convention). */
  max_steps: number;
  per_device_train_batch_size: number;
  /** null = ms-swift's automatic value: ceil(16 / per_device_train_batch_size) on one device. */
  gradient_accumulation_steps: number | null;
  /** null = the model's maximum length (max_position_embeddings). */
  max_length: number | null;
  packing: boolean;
  truncation_strategy: TruncationStrategy;
  weight_decay: number;
  adam_beta1: number;
  adam_beta2: number;
  adam_epsilon: number;
  max_grad_norm: number;
  seed: number;
  data_seed: number;
  /** Fraction of records held out for eval loss; 0 = no eval. */
  split_dataset_ratio: number;
  /** null = follow save_steps (when there is an eval split). */
  eval_steps: number | null;
  save_steps: number;
  logging_steps: number;
}

export const DEFAULT_LORA: Readonly<LoraSettings> = Object.freeze({
  r: 8,
  lora_alpha: 32,
  lora_dropout: 0.05,
  target_modules: 'all-linear',
  use_rslora: false,
});

/** Every field except the model and template, at ms-swift's defaults. */
export const SWIFT_SFT_LORA_DEFAULTS = Object.freeze({
  loss_scale: 'default',
  learning_rate: 1e-4,
  lr_scheduler_type: 'cosine',
  warmup_ratio: 0,
  num_train_epochs: 3,
  max_steps: -1,
  per_device_train_batch_size: 1,
  gradient_accumulation_steps: null,
  max_length: null,
  packing: false,
  truncation_strategy: 'delete',
  weight_decay: 0.1,
  adam_beta1: 0.9,
  adam_beta2: 0.95,
  adam_epsilon: 1e-8,
  max_grad_norm: 1,
  seed: 42,
  data_seed: 42,
  split_dataset_ratio: 0,
  eval_steps: null,
  save_steps: 500,
  logging_steps: 5,
} as const satisfies Omit<TrainConfig, 'model_id' | 'template' | 'loss_policy' | 'loss_scale' | 'lora'> & {
  loss_scale: string;
});

export interface TrainConfigInit extends Partial<Omit<TrainConfig, 'lora'>> {
  model_id: string;
  template: string;
  lora?: Partial<LoraSettings>;
}

/** A full config: ms-swift's defaults (loss_scale 'default': every assistant turn), then `init` on top. */
export function defaultTrainConfig(init: TrainConfigInit): TrainConfig {
  const { lora, ...rest } = init;
  return {
    ...SWIFT_SFT_LORA_DEFAULTS,
    ...rest,
    lora: { ...DEFAULT_LORA, ...lora },
  };
}

const POLICY_BASE: Readonly<Record<LossPolicy, LossBase>> = {
  all_assistant: 'default',
  last_round: 'last_round',
  all: 'all',
};
const BASE_POLICY: Readonly<Record<LossBase, LossPolicy>> = {
  default: 'all_assistant',
  last_round: 'last_round',
  all: 'all',
};

/**
 * The loss-scale spec a config trains with: loss_scale (default `default`), its base set by the
 * old loss_policy when that says `last_round` or `all` and loss_scale's base is `default`.
 * Throws a LossScaleError when the two disagree (validateTrainConfig reports it as a field issue).
 */
export function effectiveLossScale(cfg: Pick<TrainConfig, 'loss_scale' | 'loss_policy'>): string {
  const spec = cfg.loss_scale ?? 'default';
  const policy = cfg.loss_policy;
  if (policy === undefined || policy === 'all_assistant') return spec;
  const fromPolicy = POLICY_BASE[policy];
  const own = lossScaleBase(spec);
  if (own === 'default') return withLossBase(spec, fromPolicy);
  if (own !== fromPolicy) {
    throw new LossScaleError(
      `loss_policy "${policy}" (the old name of the loss_scale base) disagrees with loss_scale ` +
        `"${spec}": set only loss_scale`,
    );
  }
  return spec;
}

/** The config training with `policy`'s turns and its loss scale's names (loss_policy folded in). */
export function withLossPolicy(cfg: TrainConfig, policy: LossPolicy): TrainConfig {
  let spec: string;
  try {
    spec = effectiveLossScale(cfg);
  } catch {
    spec = cfg.loss_scale ?? 'default';
  }
  const { loss_policy: _old, ...rest } = cfg;
  return { ...rest, loss_scale: withLossBase(spec, POLICY_BASE[policy]) };
}

/** The loss policy (which turns are trained) a config's loss scale means, for the UI and run records. */
export function lossPolicyOf(cfg: Pick<TrainConfig, 'loss_scale' | 'loss_policy'>): LossPolicy {
  try {
    return BASE_POLICY[lossScaleBase(effectiveLossScale(cfg))];
  } catch {
    return cfg.loss_policy ?? 'all_assistant';
  }
}

/** The modules LoRA is applied to, as a list, for a model of `arch` (default Llama-style). */
export function resolveTargetModules(lora: Pick<LoraSettings, 'target_modules'>, arch: Arch = 'llama'): TargetModule[] {
  const all = allLinear(arch);
  return lora.target_modules === 'all-linear' ? all : all.filter((m) => (lora.target_modules as string[]).includes(m));
}

/** The listed modules that are not linear modules of `arch` ([] when all are). */
export function foreignTargetModules(lora: Pick<LoraSettings, 'target_modules'>, arch: Arch): string[] {
  if (lora.target_modules === 'all-linear') return [];
  const all: readonly string[] = allLinear(arch);
  return lora.target_modules.filter((m) => !all.includes(m));
}

/** PEFT's LoRA scale: alpha/r, or alpha/√r with use_rslora. */
export function loraScaling(lora: Pick<LoraSettings, 'r' | 'lora_alpha' | 'use_rslora'>): number {
  return lora.use_rslora ? lora.lora_alpha / Math.sqrt(lora.r) : lora.lora_alpha / lora.r;
}

/** gradient_accumulation_steps with ms-swift's automatic value filled in (total batch ≥ 16). */
export function effectiveGradientAccumulation(
  cfg: Pick<TrainConfig, 'gradient_accumulation_steps' | 'per_device_train_batch_size'>,
  worldSize = 1,
): number {
  return cfg.gradient_accumulation_steps ?? Math.max(1, Math.ceil(16 / cfg.per_device_train_batch_size / worldSize));
}

/** eval_steps with ms-swift's rule filled in: null when there is no eval split, else save_steps by default. */
export function effectiveEvalSteps(
  cfg: Pick<TrainConfig, 'eval_steps' | 'save_steps' | 'split_dataset_ratio'>,
): number | null {
  if (cfg.split_dataset_ratio <= 0) return null;
  return cfg.eval_steps ?? cfg.save_steps;
}

export interface ConfigIssue {
  field: string;
  message: string;
}

const LOSS_POLICIES: readonly LossPolicy[] = ['all_assistant', 'last_round', 'all'];
export { LOSS_POLICIES };
const SCHEDULERS: readonly LrSchedulerType[] = ['cosine', 'linear', 'constant'];
const TRUNCATIONS: readonly TruncationStrategy[] = ['delete', 'left', 'right'];

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}
function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Every problem with a config, each naming its field (dotted for lora.*); [] when valid. */
export function validateTrainConfig(cfg: TrainConfig): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const bad = (field: string, message: string) => out.push({ field, message });
  const c = cfg as unknown as Record<string, unknown>;

  if (typeof cfg.model_id !== 'string' || cfg.model_id.trim() === '')
    bad('model_id', 'model_id is required (a Hub id such as "Qwen/Qwen2.5-0.5B-Instruct")');
  if (typeof cfg.template !== 'string' || cfg.template.trim() === '')
    bad('template', 'template is required (a template id such as "qwen2_5")');
  if (cfg.loss_policy !== undefined && !LOSS_POLICIES.includes(cfg.loss_policy)) {
    bad('loss_policy', `loss_policy (the old name of the loss_scale base) must be one of ${LOSS_POLICIES.join(', ')}`);
  } else if (cfg.loss_scale !== undefined && typeof cfg.loss_scale !== 'string') {
    bad('loss_scale', 'loss_scale must be a string such as "default" or "last_round+react"');
  } else {
    try {
      parseLossScale(effectiveLossScale(cfg));
    } catch (e) {
      if (!(e instanceof LossScaleError)) throw e;
      bad(e.message.startsWith('loss_policy') ? 'loss_policy' : 'loss_scale', e.message);
    }
  }

  if (cfg.agent_template !== undefined) {
    const spec = (templates as Record<string, (typeof templates)[keyof typeof templates]>)[cfg.template];
    if (typeof cfg.agent_template !== 'string' || cfg.agent_template.trim() === '') {
      bad(
        'agent_template',
        'agent_template must be an agent template id such as "hermes" or "react_en" (prism templates lists them), or ' +
          "absent for the family's own",
      );
    } else if (spec) {
      const problem = agentTemplateProblem(cfg.agent_template, spec);
      if (problem) bad('agent_template', problem);
    }
  }

  const lora = (cfg.lora ?? {}) as Partial<LoraSettings>;
  if (!cfg.lora || typeof cfg.lora !== 'object') bad('lora', 'lora settings are required');
  if (!isInt(lora.r) || lora.r < 1) bad('lora.r', 'r (the LoRA rank) must be a whole number ≥ 1');
  if (!isNum(lora.lora_alpha) || lora.lora_alpha <= 0) bad('lora.lora_alpha', 'lora_alpha must be a number > 0');
  if (!isNum(lora.lora_dropout) || lora.lora_dropout < 0 || lora.lora_dropout >= 1)
    bad('lora.lora_dropout', 'lora_dropout must be in [0, 1)');
  if (typeof lora.use_rslora !== 'boolean') bad('lora.use_rslora', 'use_rslora must be true or false');
  const tm = lora.target_modules;
  if (tm !== 'all-linear') {
    if (!Array.isArray(tm) || tm.length === 0) {
      bad(
        'lora.target_modules',
        `target_modules must be 'all-linear' or a non-empty list of module names ` +
          `(e.g. ${allLinear('llama').join(', ')})`,
      );
    } else {
      const unknown = tm.filter((m) => !(TARGET_MODULES as readonly string[]).includes(m));
      if (unknown.length)
        bad('lora.target_modules', `unknown module(s) ${unknown.join(', ')}; choose from ${TARGET_MODULES.join(', ')}`);
      if (new Set(tm).size !== tm.length) bad('lora.target_modules', 'target_modules lists a module twice');
    }
  }

  if (!isNum(cfg.learning_rate) || cfg.learning_rate <= 0) bad('learning_rate', 'learning_rate must be a number > 0');
  else if (cfg.learning_rate > 1)
    bad('learning_rate', `learning_rate ${cfg.learning_rate} is far too large (LoRA uses ~1e-4)`);
  if (!SCHEDULERS.includes(cfg.lr_scheduler_type))
    bad('lr_scheduler_type', `lr_scheduler_type must be one of ${SCHEDULERS.join(', ')}`);
  if (!isNum(cfg.warmup_ratio) || cfg.warmup_ratio < 0 || cfg.warmup_ratio > 1)
    bad('warmup_ratio', 'warmup_ratio must be in [0, 1]');

  const maxStepsOk = isInt(cfg.max_steps) && (cfg.max_steps === -1 || cfg.max_steps > 0);
  if (!maxStepsOk) bad('max_steps', 'max_steps must be -1 (use num_train_epochs) or a whole number > 0');
  if (!isNum(cfg.num_train_epochs) || cfg.num_train_epochs < 0)
    bad('num_train_epochs', 'num_train_epochs must be a number ≥ 0');
  else if (maxStepsOk && cfg.max_steps === -1 && cfg.num_train_epochs <= 0)
    bad('num_train_epochs', 'num_train_epochs must be > 0 when max_steps is -1');

  if (!isInt(cfg.per_device_train_batch_size) || cfg.per_device_train_batch_size < 1)
    bad('per_device_train_batch_size', 'per_device_train_batch_size must be a whole number ≥ 1');
  if (
    cfg.gradient_accumulation_steps !== null &&
    (!isInt(cfg.gradient_accumulation_steps) || cfg.gradient_accumulation_steps < 1)
  ) {
    bad('gradient_accumulation_steps', 'gradient_accumulation_steps must be null (automatic) or a whole number ≥ 1');
  }
  if (cfg.max_length !== null && (!isInt(cfg.max_length) || cfg.max_length < 2))
    bad('max_length', 'max_length must be null (model maximum) or a whole number ≥ 2');
  if (typeof cfg.packing !== 'boolean') bad('packing', 'packing must be true or false');
  if (cfg.packing && cfg.max_length === null) bad('max_length', 'packing needs a max_length (the packed row length)');
  if (!TRUNCATIONS.includes(cfg.truncation_strategy))
    bad('truncation_strategy', `truncation_strategy must be one of ${TRUNCATIONS.join(', ')}`);

  if (!isNum(cfg.weight_decay) || cfg.weight_decay < 0) bad('weight_decay', 'weight_decay must be a number ≥ 0');
  for (const f of ['adam_beta1', 'adam_beta2'] as const) {
    if (!isNum(cfg[f]) || cfg[f] < 0 || cfg[f] >= 1) bad(f, `${f} must be in [0, 1)`);
  }
  if (!isNum(cfg.adam_epsilon) || cfg.adam_epsilon <= 0) bad('adam_epsilon', 'adam_epsilon must be a number > 0');
  if (!isNum(cfg.max_grad_norm) || cfg.max_grad_norm < 0)
    bad('max_grad_norm', 'max_grad_norm must be a number ≥ 0 (0 disables clipping)');
  for (const f of ['seed', 'data_seed'] as const) {
    if (!isInt(c[f]) || (c[f] as number) < 0 || (c[f] as number) > 0xffffffff)
      bad(f, `${f} must be a whole number in [0, 2^32)`);
  }
  if (!isNum(cfg.split_dataset_ratio) || cfg.split_dataset_ratio < 0 || cfg.split_dataset_ratio >= 1)
    bad('split_dataset_ratio', 'split_dataset_ratio must be in [0, 1)');
  if (cfg.eval_steps !== null && (!isInt(cfg.eval_steps) || cfg.eval_steps < 1))
    bad('eval_steps', 'eval_steps must be null (follow save_steps) or a whole number ≥ 1');
  for (const f of ['save_steps', 'logging_steps'] as const) {
    if (!isInt(cfg[f]) || cfg[f] < 1) bad(f, `${f} must be a whole number ≥ 1`);
  }
  return out;
}

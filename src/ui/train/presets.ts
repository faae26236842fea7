// Three starting points for the form. Everything else stays at ms-swift's defaults
// (src/train/config.ts), so a run continues unchanged with `swift sft`.
import type { TrainConfig } from '../../train/config.ts';

export type PresetId = 'quick' | 'balanced' | 'thorough';

export interface Preset {
  id: PresetId;
  label: string;
  blurb: string;
  values: Partial<Omit<TrainConfig, 'lora'>> & { lora: Partial<TrainConfig['lora']> };
}

export const PRESETS: Preset[] = [
  {
    id: 'quick',
    label: 'Quick try',
    blurb: '30 steps at a high learning rate: see the loss move in a minute.',
    values: {
      max_steps: 30,
      learning_rate: 1e-3,
      warmup_ratio: 0,
      gradient_accumulation_steps: 1,
      per_device_train_batch_size: 1,
      max_length: 256,
      split_dataset_ratio: 0,
      logging_steps: 1,
      save_steps: 10,
      eval_steps: null,
      lora: { r: 8, lora_alpha: 32, lora_dropout: 0 },
    },
  },
  {
    id: 'balanced',
    label: 'Balanced',
    blurb: 'One epoch with a short warmup and a small eval split.',
    values: {
      max_steps: -1,
      num_train_epochs: 1,
      learning_rate: 2e-4,
      warmup_ratio: 0.05,
      gradient_accumulation_steps: 4,
      per_device_train_batch_size: 1,
      max_length: 1024,
      split_dataset_ratio: 0.05,
      logging_steps: 1,
      save_steps: 50,
      eval_steps: 25,
      lora: { r: 8, lora_alpha: 32, lora_dropout: 0.05 },
    },
  },
  {
    id: 'thorough',
    label: 'Thorough',
    blurb: 'ms-swift’s defaults: 3 epochs at 1e-4, total batch 16.',
    values: {
      max_steps: -1,
      num_train_epochs: 3,
      learning_rate: 1e-4,
      warmup_ratio: 0.05,
      gradient_accumulation_steps: null,
      per_device_train_batch_size: 1,
      max_length: 2048,
      split_dataset_ratio: 0.05,
      logging_steps: 1,
      save_steps: 100,
      eval_steps: 50,
      lora: { r: 16, lora_alpha: 32, lora_dropout: 0.05 },
    },
  },
];

export function applyPreset(cfg: TrainConfig, id: PresetId): TrainConfig {
  const p = PRESETS.find((x) => x.id === id);
  if (!p) return cfg;
  const { lora, ...rest } = p.values;
  return { ...cfg, ...rest, lora: { ...cfg.lora, ...lora } };
}

/** One line of help per field the form shows. */
export const HELP: Record<string, string> = {
  agent_template:
    'How tools, calls and results are written: the model family’s own format, or one of ms-swift’s agent ' +
    'templates (--agent_template).',
  loss_scale:
    'ms-swift’s --loss_scale: which turns train and how much each part weighs, e.g. default, ' +
    'last_round+react, hermes+ignore_empty_think.',
  learning_rate: 'How far each step moves the adapter. Too high: the loss jumps around; too low: it barely falls.',
  max_steps: 'Stop after this many optimizer steps (-1: train for the epochs below).',
  num_train_epochs: 'Passes over the whole dataset.',
  per_device_train_batch_size: 'Rows processed together on the GPU. Higher needs more memory.',
  gradient_accumulation_steps:
    'Micro-batches summed per step; total batch = batch × this. Empty: ms-swift’s automatic 16.',
  max_length:
    'Longest record in tokens; longer ones are handled by the truncation strategy. Presets pick it from your data.',
  truncation_strategy:
    'What happens to a record over max_length: every one is listed under Token lengths before you start.',
  'lora.r': 'LoRA rank: the adapter’s capacity. 8 is a good start.',
  'lora.lora_alpha': 'LoRA scale numerator: updates are scaled by alpha / r.',
  'lora.lora_dropout': 'Dropout on the LoRA input while training; 0 turns it off.',
  warmup_ratio: 'Fraction of steps spent ramping the learning rate up from 0.',
  lr_scheduler_type: 'How the learning rate decays after warmup.',
  split_dataset_ratio: 'Fraction of records held out to measure eval loss (0: none).',
  save_steps: 'A checkpoint every this many steps: reopening the tab resumes from the last one.',
  eval_steps: 'Measure eval loss every this many steps (empty: at each checkpoint).',
  weight_decay: 'AdamW weight decay on the LoRA weights.',
  seed: 'Makes the run repeatable: same seed, same data, same result.',
};

// `prism train`'s options and how they become a TrainConfig: one place, so the command the studio
// shows (src/train/prism-command.ts) is checked against this very parser (prism-command.test.ts).
import { getTemplate, templateIds, type LossPolicy } from '../templates/index.ts';
import type { Truncation } from '../tokenize/types.ts';
import {
  defaultTrainConfig,
  type LoraSettings,
  type LrSchedulerType,
  type TargetModule,
  type TrainConfig,
} from '../train/config.ts';
import { agentTemplateOption } from './agent-option.ts';
import { optionalNumber, requireString, UsageError, type Options, type ParsedArgs } from './command.ts';

export const TRAIN_OPTIONS: Options = {
  model: { type: 'string' },
  'model-id': { type: 'string' },
  data: { type: 'string' },
  template: { type: 'string' },
  out: { type: 'string' },
  loss: { type: 'string' },
  'loss-scale': { type: 'string' },
  'agent-template': { type: 'string' },
  r: { type: 'string' },
  'lora-alpha': { type: 'string' },
  'lora-dropout': { type: 'string' },
  'target-modules': { type: 'string' },
  'use-rslora': { type: 'boolean' },
  lr: { type: 'string' },
  'lr-scheduler': { type: 'string' },
  'warmup-ratio': { type: 'string' },
  'weight-decay': { type: 'string' },
  'max-grad-norm': { type: 'string' },
  epochs: { type: 'string' },
  'max-steps': { type: 'string' },
  'batch-size': { type: 'string' },
  'grad-accum': { type: 'string' },
  'max-length': { type: 'string' },
  truncation: { type: 'string' },
  packing: { type: 'boolean' },
  seed: { type: 'string' },
  'data-seed': { type: 'string' },
  'adam-beta1': { type: 'string' },
  'adam-beta2': { type: 'string' },
  'adam-epsilon': { type: 'string' },
  'eval-ratio': { type: 'string' },
  'eval-steps': { type: 'string' },
  'save-steps': { type: 'string' },
  'logging-steps': { type: 'string' },
  recompute: { type: 'boolean' },
  resume: { type: 'boolean' },
  'resume-unverified': { type: 'boolean' },
  quiet: { type: 'boolean' },
  autotune: { type: 'string' },
};

const LOSS: LossPolicy[] = ['all_assistant', 'last_round', 'all'];

/**
 * The run's TrainConfig from parsed `prism train` arguments (not yet validated: validateTrainConfig
 * names each bad field). `modelId` is the Hub id the run records when --model-id is absent.
 */
export function trainConfigFromArgs(args: ParsedArgs, modelId: string): TrainConfig {
  const template = requireString(args, 'template');
  if (!(templateIds as string[]).includes(template))
    throw new UsageError(`unknown template '${template}' (built in: ${templateIds.join(', ')})`);
  const loss = args.values.loss as LossPolicy | undefined;
  if (loss !== undefined && !LOSS.includes(loss)) throw new UsageError(`--loss must be one of ${LOSS.join(', ')}`);
  const lossScale = args.values['loss-scale'] as string | undefined;
  const agent = agentTemplateOption(args, getTemplate(template));
  const tm = args.values['target-modules'] as string | undefined;
  const targets: LoraSettings['target_modules'] =
    tm === undefined || tm === 'all-linear' ? 'all-linear' : (tm.split(',').map((s) => s.trim()) as TargetModule[]);
  const defined = <T extends Record<string, unknown>>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  const num = (name: string) => optionalNumber(args, name);
  return defaultTrainConfig({
    model_id: (args.values['model-id'] as string | undefined) ?? modelId,
    template,
    ...defined({ loss_scale: lossScale, loss_policy: loss, agent_template: agent === 'native' ? undefined : agent }),
    lora: defined({
      r: num('r'),
      lora_alpha: num('lora-alpha'),
      lora_dropout: num('lora-dropout'),
      target_modules: targets,
      use_rslora: args.values['use-rslora'] ? true : undefined,
    }),
    ...defined({
      learning_rate: num('lr'),
      lr_scheduler_type: args.values['lr-scheduler'] as LrSchedulerType | undefined,
      warmup_ratio: num('warmup-ratio'),
      weight_decay: num('weight-decay'),
      max_grad_norm: num('max-grad-norm'),
      num_train_epochs: num('epochs'),
      max_steps: num('max-steps'),
      per_device_train_batch_size: num('batch-size'),
      gradient_accumulation_steps: num('grad-accum'),
      max_length: num('max-length'),
      truncation_strategy: args.values.truncation as Truncation | undefined,
      packing: args.values.packing ? true : undefined,
      adam_beta1: num('adam-beta1'),
      adam_beta2: num('adam-beta2'),
      adam_epsilon: num('adam-epsilon'),
      seed: num('seed'),
      data_seed: num('data-seed'),
      split_dataset_ratio: num('eval-ratio'),
      eval_steps: num('eval-steps'),
      save_steps: num('save-steps'),
      logging_steps: num('logging-steps'),
    }),
  });
}

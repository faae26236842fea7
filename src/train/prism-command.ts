// The `prism train` command line that runs a TrainConfig headless (the CLI, src/cli/commands/train.ts),
// shown by the Train page beside the `swift sft` one (swift.ts). Every setting that differs from
// the CLI's default (ms-swift's, config.ts) is written out; prism-command.test.ts parses the
// command back through the CLI's own parser (src/cli/train-options.ts) and checks that every
// TrainConfig field survives, so the two cannot drift apart.
import { defaultTrainConfig, type TrainConfig } from './config.ts';
import { shellQuote } from './swift.ts';

export interface PrismCommandOptions {
  /** The base model's folder as the command will see it (config.json, *.safetensors, tokenizer files). */
  modelDir: string;
  /** The JSONL dataset as the command will see it. */
  dataPath: string;
  /** The adapter folder to write. */
  outDir: string;
}

/** The flags, in order, as [flag, value...] groups. */
export function prismTrainArgs(cfg: TrainConfig, opts: PrismCommandOptions): string[][] {
  const d = defaultTrainConfig({ model_id: cfg.model_id, template: cfg.template });
  const groups: string[][] = [
    ['--model', opts.modelDir],
    ['--model-id', cfg.model_id],
    ['--data', opts.dataPath],
    ['--template', cfg.template],
    ['--out', opts.outDir],
  ];
  const add = (flag: string, value: unknown, dflt: unknown) => {
    if (value === undefined || value === null || value === dflt) return;
    groups.push([flag, String(value)]);
  };
  if (cfg.agent_template !== undefined) groups.push(['--agent-template', cfg.agent_template]);
  add('--loss-scale', cfg.loss_scale, d.loss_scale);
  if (cfg.loss_policy !== undefined) groups.push(['--loss', cfg.loss_policy]);
  const l = cfg.lora;
  add('--r', l.r, d.lora.r);
  add('--lora-alpha', l.lora_alpha, d.lora.lora_alpha);
  add('--lora-dropout', l.lora_dropout, d.lora.lora_dropout);
  if (l.target_modules !== 'all-linear') groups.push(['--target-modules', l.target_modules.join(',')]);
  if (l.use_rslora) groups.push(['--use-rslora']);
  add('--lr', cfg.learning_rate, d.learning_rate);
  add('--lr-scheduler', cfg.lr_scheduler_type, d.lr_scheduler_type);
  add('--warmup-ratio', cfg.warmup_ratio, d.warmup_ratio);
  add('--weight-decay', cfg.weight_decay, d.weight_decay);
  add('--max-grad-norm', cfg.max_grad_norm, d.max_grad_norm);
  add('--epochs', cfg.num_train_epochs, d.num_train_epochs);
  add('--max-steps', cfg.max_steps, d.max_steps);
  add('--batch-size', cfg.per_device_train_batch_size, d.per_device_train_batch_size);
  add('--grad-accum', cfg.gradient_accumulation_steps, d.gradient_accumulation_steps);
  add('--max-length', cfg.max_length, d.max_length);
  add('--truncation', cfg.truncation_strategy, d.truncation_strategy);
  if (cfg.packing) groups.push(['--packing']);
  add('--adam-beta1', cfg.adam_beta1, d.adam_beta1);
  add('--adam-beta2', cfg.adam_beta2, d.adam_beta2);
  add('--adam-epsilon', cfg.adam_epsilon, d.adam_epsilon);
  add('--seed', cfg.seed, d.seed);
  add('--data-seed', cfg.data_seed, d.data_seed);
  add('--eval-ratio', cfg.split_dataset_ratio, d.split_dataset_ratio);
  add('--eval-steps', cfg.eval_steps, d.eval_steps);
  add('--save-steps', cfg.save_steps, d.save_steps);
  add('--logging-steps', cfg.logging_steps, d.logging_steps);
  return groups;
}

/** The command, one flag per line joined with backslash-newlines, every word shell-quoted (as swiftCommand). */
export function prismTrainCommand(cfg: TrainConfig, opts: PrismCommandOptions): string {
  return ['prism train', ...prismTrainArgs(cfg, opts).map((g) => g.map(shellQuote).join(' '))].join(' \\\n    ');
}

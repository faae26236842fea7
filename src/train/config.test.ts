import { describe, expect, it } from 'vitest';
import {
  defaultTrainConfig,
  effectiveEvalSteps,
  effectiveLossScale,
  lossPolicyOf,
  effectiveGradientAccumulation,
  loraScaling,
  resolveTargetModules,
  validateTrainConfig,
  type TrainConfig,
} from './config.ts';

const base = () => defaultTrainConfig({ model_id: 'Qwen/Qwen2.5-0.5B-Instruct', template: 'qwen2_5' });

describe('defaults', () => {
  it("are ms-swift's swift sft --train_type lora defaults (Command-line-parameters.md)", () => {
    // Written by hand from ms-swift's documentation, not from our constants.
    expect(base()).toEqual({
      model_id: 'Qwen/Qwen2.5-0.5B-Instruct',
      template: 'qwen2_5',
      loss_scale: 'default',
      lora: { r: 8, lora_alpha: 32, lora_dropout: 0.05, target_modules: 'all-linear', use_rslora: false },
      learning_rate: 0.0001,
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
    });
    expect(validateTrainConfig(base())).toEqual([]);
  });

  it('merge overrides, lora field by field', () => {
    const c = defaultTrainConfig({ model_id: 'm', template: 't', lora: { r: 16 }, learning_rate: 2e-4 });
    expect(c.lora).toEqual({
      r: 16,
      lora_alpha: 32,
      lora_dropout: 0.05,
      target_modules: 'all-linear',
      use_rslora: false,
    });
    expect(c.learning_rate).toBe(2e-4);
  });

  it('fill in the automatic values the way ms-swift does', () => {
    expect(effectiveGradientAccumulation(base())).toBe(16); // total batch >= 16 with batch 1
    expect(effectiveGradientAccumulation({ ...base(), per_device_train_batch_size: 3 })).toBe(6);
    expect(effectiveGradientAccumulation({ ...base(), gradient_accumulation_steps: 2 })).toBe(2);
    expect(effectiveEvalSteps(base())).toBe(null);
    expect(effectiveEvalSteps({ ...base(), split_dataset_ratio: 0.1 })).toBe(500);
    expect(effectiveEvalSteps({ ...base(), split_dataset_ratio: 0.1, eval_steps: 20 })).toBe(20);
    expect(resolveTargetModules(base().lora)).toEqual([
      'q_proj',
      'k_proj',
      'v_proj',
      'o_proj',
      'gate_proj',
      'up_proj',
      'down_proj',
    ]);
    expect(resolveTargetModules({ target_modules: ['v_proj', 'q_proj'] })).toEqual(['q_proj', 'v_proj']);
    expect(loraScaling(base().lora)).toBe(4); // 32 / 8
    expect(loraScaling({ r: 16, lora_alpha: 32, use_rslora: true })).toBe(8); // 32 / √16
  });
});

describe('validateTrainConfig', () => {
  const fields = (c: TrainConfig) => validateTrainConfig(c).map((i) => i.field);
  it.each<[string, Partial<TrainConfig> | ((c: TrainConfig) => TrainConfig), string]>([
    ['empty model', { model_id: ' ' }, 'model_id'],
    ['empty template', { template: '' }, 'template'],
    ['unknown loss policy', { loss_policy: 'assistant' as never }, 'loss_policy'],
    ['unknown loss scale', { loss_scale: 'last_round+tools' }, 'loss_scale'],
    ['loss_policy against loss_scale', { loss_scale: 'last_round+react', loss_policy: 'all' }, 'loss_policy'],
    ['unknown agent template', { agent_template: 'react_fr' }, 'agent_template'],
    ['a native format bound to another family', { agent_template: 'native:glm4' }, 'agent_template'],
    ['empty agent template', { agent_template: ' ' }, 'agent_template'],
    ['rank 0', (c) => ({ ...c, lora: { ...c.lora, r: 0 } }), 'lora.r'],
    ['fractional rank', (c) => ({ ...c, lora: { ...c.lora, r: 2.5 } }), 'lora.r'],
    ['negative alpha', (c) => ({ ...c, lora: { ...c.lora, lora_alpha: -1 } }), 'lora.lora_alpha'],
    ['dropout 1', (c) => ({ ...c, lora: { ...c.lora, lora_dropout: 1 } }), 'lora.lora_dropout'],
    [
      'unknown module',
      (c) => ({ ...c, lora: { ...c.lora, target_modules: ['q_proj', 'c_attn' as never] } }),
      'lora.target_modules',
    ],
    ['empty module list', (c) => ({ ...c, lora: { ...c.lora, target_modules: [] } }), 'lora.target_modules'],
    ['rslora not boolean', (c) => ({ ...c, lora: { ...c.lora, use_rslora: 'yes' as never } }), 'lora.use_rslora'],
    ['zero learning rate', { learning_rate: 0 }, 'learning_rate'],
    ['NaN learning rate', { learning_rate: NaN }, 'learning_rate'],
    ['huge learning rate', { learning_rate: 3 }, 'learning_rate'],
    ['unknown scheduler', { lr_scheduler_type: 'cosine_with_restarts' as never }, 'lr_scheduler_type'],
    ['warmup > 1', { warmup_ratio: 1.5 }, 'warmup_ratio'],
    ['max_steps 0', { max_steps: 0 }, 'max_steps'],
    ['no epochs and no steps', { num_train_epochs: 0 }, 'num_train_epochs'],
    ['batch 0', { per_device_train_batch_size: 0 }, 'per_device_train_batch_size'],
    ['accumulation 0', { gradient_accumulation_steps: 0 }, 'gradient_accumulation_steps'],
    ['max_length 1', { max_length: 1 }, 'max_length'],
    ['packing without max_length', { packing: true }, 'max_length'],
    ['unknown truncation', { truncation_strategy: 'split' as never }, 'truncation_strategy'],
    ['negative weight decay', { weight_decay: -0.1 }, 'weight_decay'],
    ['beta1 = 1', { adam_beta1: 1 }, 'adam_beta1'],
    ['beta2 < 0', { adam_beta2: -0.5 }, 'adam_beta2'],
    ['epsilon 0', { adam_epsilon: 0 }, 'adam_epsilon'],
    ['negative clip', { max_grad_norm: -1 }, 'max_grad_norm'],
    ['fractional seed', { seed: 1.5 }, 'seed'],
    ['seed ≥ 2^32', { data_seed: 2 ** 32 }, 'data_seed'],
    ['split 1', { split_dataset_ratio: 1 }, 'split_dataset_ratio'],
    ['eval_steps 0', { eval_steps: 0 }, 'eval_steps'],
    ['save_steps 0', { save_steps: 0 }, 'save_steps'],
    ['logging_steps 0.5', { logging_steps: 0.5 }, 'logging_steps'],
  ])('flags %s', (_, change, field) => {
    const c = typeof change === 'function' ? change(base()) : { ...base(), ...change };
    expect(fields(c)).toEqual([field]);
    expect(validateTrainConfig(c)[0].message.length).toBeGreaterThan(10);
  });

  it('accepts max_steps with zero epochs, and a module list', () => {
    expect(validateTrainConfig({ ...base(), max_steps: 100, num_train_epochs: 0 })).toEqual([]);
    expect(
      validateTrainConfig({
        ...base(),
        lora: { ...base().lora, target_modules: ['q_proj', 'v_proj'] },
        packing: true,
        max_length: 512,
      }),
    ).toEqual([]);
  });

  it('takes any ms-swift agent template, a generic native format, or none', () => {
    for (const agent_template of [
      'react_en',
      'hermes',
      'glm4_5',
      'native:react',
      'native:hermes',
      'native',
      undefined,
    ]) {
      expect(validateTrainConfig({ ...base(), agent_template }), String(agent_template)).toEqual([]);
    }
    expect(validateTrainConfig({ ...base(), agent_template: 'react_fr' })[0].message).toMatch(
      /unknown agent template 'react_fr'.*react_en/,
    );
  });

  it('names the valid loss scales', () => {
    expect(validateTrainConfig({ ...base(), loss_scale: 'react+tools' })[0].message).toMatch(
      /default, last_round, all.*react, hermes/,
    );
  });

  it('reports every problem at once', () => {
    expect(fields({ ...base(), learning_rate: -1, seed: -3, save_steps: 0 })).toEqual([
      'learning_rate',
      'seed',
      'save_steps',
    ]);
  });
});

describe('loss_scale and the old loss_policy', () => {
  it('loss_policy sets the base of a loss_scale that names none, or names default', () => {
    expect(effectiveLossScale({ loss_scale: 'react', loss_policy: 'last_round' })).toBe('last_round+react');
    expect(effectiveLossScale({ loss_scale: 'default', loss_policy: 'all' })).toBe('all');
    expect(effectiveLossScale({ loss_scale: 'default+hermes', loss_policy: 'last_round' })).toBe('last_round+hermes');
    expect(effectiveLossScale({ loss_scale: 'last_round+qwen', loss_policy: 'all_assistant' })).toBe('last_round+qwen');
    expect(effectiveLossScale({ loss_scale: 'all+react', loss_policy: 'all' })).toBe('all+react');
  });

  it('a config stored before loss_scale existed trains as it did', () => {
    const old = { ...base(), loss_policy: 'last_round' as const } as Partial<TrainConfig>;
    delete old.loss_scale;
    expect(effectiveLossScale(old as TrainConfig)).toBe('last_round');
    expect(validateTrainConfig(old as TrainConfig)).toEqual([]);
    expect(lossPolicyOf(old as TrainConfig)).toBe('last_round');
  });

  it('the loss policy a loss scale means', () => {
    expect(lossPolicyOf({ loss_scale: 'hermes+ignore_empty_think' })).toBe('all_assistant');
    expect(lossPolicyOf({ loss_scale: 'last_round+react' })).toBe('last_round');
    expect(lossPolicyOf({ loss_scale: 'all' })).toBe('all');
  });
});

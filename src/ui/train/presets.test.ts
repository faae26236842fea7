import { describe, expect, test } from 'vitest';
import { defaultTrainConfig, validateTrainConfig } from '../../train/config.ts';
import { applyPreset, PRESETS } from './presets.ts';

describe('presets', () => {
  test.each(PRESETS.map((p) => [p.id]))('%s gives a config the trainer accepts', (id) => {
    const cfg = applyPreset(defaultTrainConfig({ model_id: 'Qwen/Qwen2.5-0.5B-Instruct', template: 'qwen2_5' }), id);
    expect(validateTrainConfig(cfg)).toEqual([]);
  });
  test('a preset keeps the model, template and loss policy', () => {
    const base = defaultTrainConfig({ model_id: 'm', template: 'llama3_2', loss_policy: 'last_round' });
    const cfg = applyPreset(base, 'thorough');
    expect([cfg.model_id, cfg.template, cfg.loss_policy]).toEqual(['m', 'llama3_2', 'last_round']);
    // Thorough is ms-swift's own recipe: its learning rate and epochs, automatic accumulation.
    expect([cfg.learning_rate, cfg.num_train_epochs, cfg.gradient_accumulation_steps]).toEqual([1e-4, 3, null]);
  });
});

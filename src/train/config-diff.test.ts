import { describe, expect, it } from 'vitest';
import { defaultTrainConfig } from './config.ts';
import { configDiff } from './config-diff.ts';

describe('configDiff', () => {
  const base = defaultTrainConfig({ model_id: 'Qwen/Qwen2.5-0.5B-Instruct', template: 'qwen2_5' });

  it('names only the fields that differ, nested ones dotted as validateTrainConfig names them', () => {
    const other = {
      ...base,
      learning_rate: 3e-3,
      max_length: 256,
      lora: { ...base.lora, r: 16, target_modules: ['q_proj', 'v_proj'] },
    };
    expect(configDiff(base, other)).toEqual([
      { field: 'learning_rate', base: 1e-4, other: 3e-3 },
      { field: 'max_length', base: null, other: 256 },
      { field: 'lora.r', base: 8, other: 16 },
      { field: 'lora.target_modules', base: 'all-linear', other: 'q_proj,v_proj' },
    ]);
  });

  it('is empty for equal configs and shows fields one side lacks', () => {
    expect(configDiff(base, structuredClone(base))).toEqual([]);
    const withAgent = { ...base, agent_template: 'hermes' };
    expect(configDiff(base, withAgent)).toEqual([{ field: 'agent_template', base: undefined, other: 'hermes' }]);
    // An imported adapter without prism.json knows only its PEFT settings.
    const imported = { r: 8, lora_alpha: 16 };
    expect(configDiff(imported, { r: 8, lora_alpha: 32 })).toEqual([{ field: 'lora_alpha', base: 16, other: 32 }]);
  });
});

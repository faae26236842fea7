import { describe, expect, it } from 'vitest';
import { defaultTrainConfig } from './config.ts';
import { ConfigFileError, parseTrainConfigJson, trainConfigJson } from './config-file.ts';

function issues(text: string) {
  try {
    parseTrainConfigJson(text, 'my.json');
  } catch (e) {
    if (e instanceof ConfigFileError) return e.issues;
    throw e;
  }
  throw new Error('expected a ConfigFileError');
}

describe('training config files', () => {
  const cfg = {
    ...defaultTrainConfig({ model_id: 'Qwen/Qwen2.5-0.5B-Instruct', template: 'qwen2_5', agent_template: 'hermes' }),
    max_length: 512,
  };

  it('round-trips a saved config', () => {
    expect(parseTrainConfigJson(trainConfigJson(cfg))).toEqual(cfg);
  });

  it('reads the config out of prism.json / trainer_state.json, and fills missing fields with the defaults', () => {
    expect(parseTrainConfigJson(JSON.stringify({ global_step: 3, config: cfg }))).toEqual(cfg);
    const partial = parseTrainConfigJson(
      '{"model_id": "Qwen/Qwen2.5-0.5B-Instruct", "template": "qwen2_5", "lora": {"r": 4}}',
    );
    expect(partial.lora).toEqual({
      r: 4,
      lora_alpha: 32,
      lora_dropout: 0.05,
      target_modules: 'all-linear',
      use_rslora: false,
    });
    expect(partial.learning_rate).toBe(1e-4);
  });

  it('names each bad field', () => {
    expect(
      issues(JSON.stringify({ ...cfg, learning_rat: 1e-4, lora: { ...cfg.lora, rank: 8 } })).map((i) => i.field),
    ).toEqual(['learning_rat', 'lora.rank']);
    expect(issues(JSON.stringify({ ...cfg, learning_rat: 1e-4 }))[0].message).toBe(
      'unknown field "learning_rat": did you mean "learning_rate"?',
    );
    expect(issues(JSON.stringify({ ...cfg, lora: { ...cfg.lora, rank: 8 } }))[0].message).toMatch(
      /^unknown field "rank" \(lora has r, lora_alpha/,
    );
    expect(
      issues(JSON.stringify({ ...cfg, learning_rate: '1e-4', lora: { ...cfg.lora, r: 0 } })).map((i) => i.field),
    ).toEqual(['lora.r', 'learning_rate']);
    expect(issues(JSON.stringify({ ...cfg, template: 'qwen9' }))[0]).toMatchObject({
      field: 'template',
      message: expect.stringContaining('unknown template "qwen9"'),
    });
    expect(issues('{"template": "qwen2_5"}')).toEqual([
      { field: 'model_id', message: 'model_id is required (a string)' },
    ]);
    expect(issues('[1]')[0].field).toBe('(file)');
  });

  it('says where the JSON breaks', () => {
    const [i] = issues('{\n  "model_id": "x",\n  "template" "qwen2_5"\n}');
    expect(i.field).toBe('(file)');
    expect(i.message).toMatch(/line 3/);
  });
});

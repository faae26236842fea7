import { describe, expect, it } from 'vitest';
import { hubIdFromConfig, hubModelId } from './provenance.ts';

describe('hubModelId', () => {
  it('keeps Hub ids and drops folders, local labels and nonsense', () => {
    expect(hubModelId('Qwen/Qwen2.5-0.5B-Instruct')).toBe('Qwen/Qwen2.5-0.5B-Instruct');
    expect(hubModelId('HuggingFaceTB/SmolLM2-135M-Instruct')).toBe('HuggingFaceTB/SmolLM2-135M-Instruct');
    for (const x of [
      'local:my-model',
      '/models/qwen',
      './qwen',
      '../x/y',
      '~/m/q',
      'C:\\models\\q',
      'models\\q',
      'qwen',
      'a/b/c',
      '',
      null,
      undefined,
      'a/..',
    ]) {
      expect(hubModelId(x as string), String(x)).toBeNull();
    }
  });

  it("reads config.json's _name_or_path when it is a Hub id", () => {
    expect(hubIdFromConfig('{"_name_or_path": "meta-llama/Llama-3.2-1B-Instruct"}')).toBe(
      'meta-llama/Llama-3.2-1B-Instruct',
    );
    expect(hubIdFromConfig('{"_name_or_path": "/root/.cache/huggingface/hub/models--x/snapshots/abc"}')).toBeNull();
    expect(hubIdFromConfig('{}')).toBeNull();
    expect(hubIdFromConfig('not json')).toBeNull();
  });
});

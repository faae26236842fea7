import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../model/config.ts';
import { prepareBatch } from './batch.ts';

const spec = parseConfig({
  architectures: ['LlamaForCausalLM'],
  hidden_size: 16,
  intermediate_size: 32,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  vocab_size: 50,
  rms_norm_eps: 1e-6,
});

describe('prepareBatch', () => {
  it('flattens rows, renumbers (row, sequence) runs, shifts labels and stops at every boundary', () => {
    const p = prepareBatch(spec, {
      input_ids: [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ],
      position_ids: [
        [0, 1, 2, 3],
        [0, 1, 0, 1],
      ],
      seq_ids: [
        [0, 0, 0, 0],
        [0, 0, 1, 1],
      ],
      labels: [
        [-100, 2, 3, 4],
        [-100, 6, 7, 8],
      ],
    });
    expect([p.B, p.T, p.N]).toEqual([2, 4, 8]);
    expect(Array.from(p.ids)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(p.seqIds)).toEqual([0, 0, 0, 0, 1, 1, 2, 2]);
    // targets[t] = labels[t+1]; -100 at each row's end and before a new sequence.
    expect(Array.from(p.targets!)).toEqual([2, 3, 4, -100, 6, -100, 8, -100]);
    expect(p.kept).toBe(5);
    // RoPE angle of position 0 is 0 (cos 1, sin 0) at token 6, where sequence 2 starts.
    const half = spec.head_dim / 2;
    expect(p.rope[0].cos[6 * half + 1]).toBe(1);
    expect(p.rope[0].sin[6 * half + 1]).toBe(0);
    expect(p.rope[0].sin[5 * half]).toBeCloseTo(Math.sin(1), 6);
  });

  it('defaults: positions 0..T-1, one sequence per row, no labels', () => {
    const p = prepareBatch(spec, {
      input_ids: [
        [3, 4, 5],
        [6, 7, 8],
      ],
    });
    expect(Array.from(p.seqIds)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(p.targets).toBeNull();
    expect(p.rope[0].sin[2 * (spec.head_dim / 2)]).toBeCloseTo(Math.sin(2), 6);
  });

  it('rejects ids and labels outside the vocabulary, and ragged rows', () => {
    expect(() => prepareBatch(spec, { input_ids: [[1, 50]] })).toThrow(/vocabulary/);
    expect(() => prepareBatch(spec, { input_ids: [[1, 2]], labels: [[1, 77]] })).toThrow(/vocabulary/);
    expect(() => prepareBatch(spec, { input_ids: [[1, 2], [3]] })).toThrow(/row 1/);
  });
});

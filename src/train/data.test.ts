// Data order and batching: the eval split, packing, padding and the shuffled stream.
import { describe, expect, it } from 'vitest';
import { prepareBatch } from '../engine/decoder/batch.ts';
import { parseConfig } from '../model/config.ts';
import { buildTrainRows, collate, MicroBatchStream, splitRecords, trainedTokens } from './data.ts';

const rec = (n: number, start: number, prompt = 2) => {
  const input_ids = Array.from({ length: n }, (_, i) => start + i);
  return { input_ids, labels: input_ids.map((x, i) => (i < prompt ? -100 : x)) };
};

describe('train data', () => {
  it('splits ceil(ratio·n) records for eval, disjoint, by data_seed', () => {
    const recs = Array.from({ length: 10 }, (_, i) => i);
    const a = splitRecords(recs, 0.25, 1);
    expect(a.eval.length).toBe(3);
    expect([...a.train, ...a.eval].sort((x, y) => x - y)).toEqual(recs);
    expect(splitRecords(recs, 0.25, 1)).toEqual(a);
    expect(splitRecords(recs, 0, 1)).toEqual({ train: recs, eval: [] });
  });
  it('every record appears once per epoch; epochs differ in order; positions are stable', () => {
    const rows = buildTrainRows(
      Array.from({ length: 7 }, (_, i) => rec(4, 10 * i)),
      { packing: false, maxLength: null, padId: 0 },
    );
    const s = new MicroBatchStream(rows, 2, 5);
    expect(s.perEpoch).toBe(4);
    const epoch = (e: number) =>
      Array.from({ length: 4 }, (_, k) => s.at(e * 4 + k).rows.map((r) => r.input_ids[0])).flat();
    expect(
      epoch(0)
        .slice()
        .sort((a, b) => a - b),
    ).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(epoch(1)).not.toEqual(epoch(0));
    expect(new MicroBatchStream(rows, 2, 5).at(6)).toEqual(s.at(6));
  });
  it('packed rows and padding: the kept-token count matches the decoder’s label shift', () => {
    const spec = parseConfig({
      architectures: ['LlamaForCausalLM'],
      model_type: 'llama',
      hidden_size: 8,
      intermediate_size: 16,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      num_key_value_heads: 2,
      vocab_size: 200,
      rms_norm_eps: 1e-6,
      max_position_embeddings: 64,
    });
    const rows = buildTrainRows([rec(5, 1), rec(6, 20), rec(9, 40, 3)], { packing: true, maxLength: 12, padId: 0 });
    expect(rows.length).toBe(2);
    const batch = collate(rows, 0);
    expect(batch.input_ids.every((r) => r.length === 11)).toBe(true);
    const kept = prepareBatch(spec, batch).kept;
    // rec(5) trains 3, rec(6) trains 4, rec(9) trains 6 (labels at t ≥ prompt; the first label of a sequence never
    // counts).
    expect(kept).toBe(3 + 4 + 6);
    expect(rows.reduce((s, r) => s + trainedTokens(r), 0)).toBe(kept);
  });
});

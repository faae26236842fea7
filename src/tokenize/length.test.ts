import { describe, expect, it } from 'vitest';
import { applyLength, padRecord } from './length.ts';
import { IGNORE_INDEX, type EncodedRecord } from './types.ts';

const rec = (): EncodedRecord => ({
  line: 3,
  input_ids: Int32Array.from([11, 12, 13, 14, 15, 16]),
  labels: Int32Array.from([IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX, 14, 15, 16]),
  straddles: 0,
  offsets: Int32Array.from([0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6]),
});

describe('applyLength', () => {
  it('keeps a record that fits, and any record when there is no limit', () => {
    expect(applyLength(rec(), { max_length: 6 }).status).toBe('ok');
    expect(applyLength(rec(), {}).record!.input_ids.length).toBe(6);
  });

  it('drops a record over max_length by default and says so', () => {
    const r = applyLength(rec(), { max_length: 5 });
    expect(r).toEqual({ record: null, status: 'dropped', tokens: 6 });
  });

  it('keeps the first tokens with right truncation, the last with left', () => {
    const right = applyLength(rec(), { max_length: 4, truncation: 'right' });
    expect(right.status).toBe('truncated_right');
    expect(Array.from(right.record!.input_ids)).toEqual([11, 12, 13, 14]);
    expect(Array.from(right.record!.labels)).toEqual([IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX, 14]);
    const left = applyLength(rec(), { max_length: 4, truncation: 'left' });
    expect(left.status).toBe('truncated_left');
    expect(Array.from(left.record!.input_ids)).toEqual([13, 14, 15, 16]);
    expect(Array.from(left.record!.labels)).toEqual([IGNORE_INDEX, 14, 15, 16]);
    expect(Array.from(left.record!.offsets!)).toEqual([2, 3, 3, 4, 4, 5, 5, 6]);
    expect(left.tokens).toBe(6);
  });
});

describe('padRecord', () => {
  it('pads with the pad id, label -100 and attention 0', () => {
    const p = padRecord(rec(), 8, 999);
    expect(Array.from(p.input_ids)).toEqual([11, 12, 13, 14, 15, 16, 999, 999]);
    expect(Array.from(p.labels.subarray(6))).toEqual([IGNORE_INDEX, IGNORE_INDEX]);
    expect(Array.from(p.attention_mask)).toEqual([1, 1, 1, 1, 1, 1, 0, 0]);
    expect(() => padRecord(rec(), 5, 0)).toThrow();
  });
});

import { describe, expect, it } from 'vitest';
import { attentionTileRows, checkSeqIds } from './attention.ts';

describe('checkSeqIds', () => {
  it('accepts contiguous runs in any id order', () => {
    expect(() => checkSeqIds([5, 5, 2, 2, 2, 9])).not.toThrow();
  });
  it('rejects an id that comes back after another sequence', () => {
    expect(() => checkSeqIds([1, 1, 2, 1])).toThrow(/reappears at token 3/);
  });
});

describe('attentionTileRows', () => {
  it('fits two K/V tiles in the workgroup storage limit', () => {
    expect(attentionTileRows(64, 16384)).toBe(16);
    expect(attentionTileRows(128, 16384)).toBe(8);
    expect(attentionTileRows(64, 32768)).toBe(32);
    expect(attentionTileRows(128, 32768)).toBe(16);
    expect(attentionTileRows(16, 16384)).toBe(32);
  });
});

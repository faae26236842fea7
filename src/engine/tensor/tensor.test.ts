// Row chunking of tensors larger than one storage binding (pure arithmetic, no GPU).
import { describe, expect, it } from 'vitest';
import { chunkRows, rowsPerChunk } from './tensor.ts';

describe('chunkRows', () => {
  it('splits the Qwen2.5-0.5B embedding (151936 × 896 bf16 ≈ 260 MiB) under a 128 MiB binding', () => {
    const chunks = chunkRows([151936, 896], 'bf16', 128 * 2 ** 20);
    expect(chunks.length).toBe(3);
    // 134217728 / 1792 = 74898.28… rows per chunk
    expect(chunks[0]).toEqual({ rowStart: 0, rows: 74898 });
    expect(chunks[2]).toEqual({ rowStart: 149796, rows: 2140 });
    expect(chunks.reduce((s, c) => s + c.rows, 0)).toBe(151936);
  });

  it('keeps 16-bit chunks on u32 boundaries when a row has an odd length', () => {
    expect(rowsPerChunk([10, 3], 'bf16', 7 * 3 * 2)).toBe(6);
    expect(rowsPerChunk([10, 4], 'bf16', 7 * 4 * 2)).toBe(7);
    expect(rowsPerChunk([10, 3], 'f32', 7 * 3 * 4)).toBe(7);
  });

  it('one chunk when it fits; error when a single row cannot fit', () => {
    expect(chunkRows([4, 5], 'f32', 1000)).toEqual([{ rowStart: 0, rows: 4 }]);
    expect(() => rowsPerChunk([4, 5000], 'f32', 1000)).toThrow(/exceeds/);
  });
});

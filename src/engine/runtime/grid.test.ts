// Folding of 1-D dispatches into 2-D grids when they exceed the per-dimension limit.
import { describe, expect, it } from 'vitest';
import { grid1d, gridRows } from './grid.ts';

const fake = { limits: { maxComputeWorkgroupsPerDimension: 65535 } } as unknown as GPUDevice;

describe('grid1d', () => {
  for (const n of [1, 255, 256, 257, 65535 * 256, 65535 * 256 + 1, 200_000_000]) {
    it(`covers ${n} threads without exceeding 65535 per dimension`, () => {
      const [x, y] = grid1d(fake, n);
      expect(x).toBeLessThanOrEqual(65535);
      expect(y).toBeLessThanOrEqual(65535);
      expect(x * y * 256).toBeGreaterThanOrEqual(n);
      // No whole row of workgroups is wasted.
      expect(x * (y - 1) * 256).toBeLessThan(n);
    });
  }
  it('rows: one workgroup per row, folded past 65535 (q-norm of 2048 tokens × 32 heads)', () => {
    const [x, y] = gridRows(fake, 2048 * 32);
    expect(y).toBe(2);
    expect(x * y).toBeGreaterThanOrEqual(65536);
  });
});

// The float64 attention reference's analytic backward against central finite differences of
// its own forward, so the GPU backward is checked against gradients that are themselves proven.
import { describe, expect, it } from 'vitest';
import { rng } from '../testing/random.ts';
import { attentionBackwardRef, attentionForwardRef } from './reference.ts';
import type { AttentionDims } from './attention.ts';

function lossOf(
  d: AttentionDims,
  q: Float64Array,
  k: Float64Array,
  v: Float64Array,
  seq: number[],
  dOut: Float64Array,
): number {
  const { out } = attentionForwardRef(d, q, k, v, seq);
  let s = 0;
  for (let i = 0; i < out.length; i++) s += out[i] * dOut[i];
  return s;
}

describe('attention float64 reference', () => {
  for (const nKvHeads of [1, 2, 4]) {
    it(`analytic gradients match finite differences (GQA ratio ${4 / nKvHeads}, 2 packed sequences)`, () => {
      const d: AttentionDims = { T: 9, nHeads: 4, nKvHeads, headDim: 4 };
      const r = rng(11 + nKvHeads);
      const q = Float64Array.from(r.normal(d.T * 4 * 4));
      const k = Float64Array.from(r.normal(d.T * nKvHeads * 4));
      const v = Float64Array.from(r.normal(d.T * nKvHeads * 4));
      const dOut = Float64Array.from(r.normal(d.T * 4 * 4));
      const seq = [3, 3, 3, 3, 1, 1, 1, 1, 1];
      const g = attentionBackwardRef(d, q, k, v, seq, dOut);
      const eps = 1e-6;
      let worst = 0;
      for (const [x, gx] of [
        [q, g.dq],
        [k, g.dk],
        [v, g.dv],
      ] as const) {
        let scale = 0;
        for (const y of gx) scale = Math.max(scale, Math.abs(y));
        expect(scale).toBeGreaterThan(0.1);
        for (let i = 0; i < x.length; i++) {
          const x0 = x[i];
          x[i] = x0 + eps;
          const up = lossOf(d, q, k, v, seq, dOut);
          x[i] = x0 - eps;
          const down = lossOf(d, q, k, v, seq, dOut);
          x[i] = x0;
          worst = Math.max(worst, Math.abs((up - down) / (2 * eps) - gx[i]) / scale);
        }
      }
      expect(worst).toBeLessThan(1e-7);
    });
  }

  it('masks across sequence ids: a token of one sequence ignores the others', () => {
    const d: AttentionDims = { T: 6, nHeads: 2, nKvHeads: 1, headDim: 4 };
    const r = rng(5);
    const q = r.normal(6 * 2 * 4);
    const k = r.normal(6 * 4);
    const v = r.normal(6 * 4);
    const packed = attentionForwardRef(d, q, k, v, [7, 7, 7, 2, 2, 2]);
    const alone = attentionForwardRef({ ...d, T: 3 }, q.subarray(24), k.subarray(12), v.subarray(12), [0, 0, 0]);
    for (let i = 0; i < alone.out.length; i++) expect(packed.out[24 + i]).toBeCloseTo(alone.out[i], 12);
    // The first token of a sequence sees only itself: its output is its own value row.
    for (let e = 0; e < 4; e++) expect(packed.out[3 * 8 + e]).toBeCloseTo(v[12 + e], 6);
  });
});

// The float64 cross-entropy reference: its analytic dHidden against central finite differences
// of its own mean loss, and the label shift helper.
import { describe, expect, it } from 'vitest';
import { rng } from '../testing/random.ts';
import { crossEntropyRef } from './reference.ts';
import { IGNORE_INDEX, shiftLabels } from './targets.ts';

describe('cross entropy float64 reference', () => {
  it('analytic dHidden matches finite differences of the mean loss, ignoring -100', () => {
    const [T, d, V] = [7, 5, 23];
    const r = rng(3);
    const h = Float64Array.from(r.normal(T * d));
    const w = Float64Array.from(r.normal(V * d));
    const targets = [4, -100, 22, 0, 7, -100, 7];
    const ref = crossEntropyRef(h, w, targets, T, d, V);
    expect(ref.nValid).toBe(5);
    expect(ref.loss[1]).toBe(0);
    const eps = 1e-6;
    let scale = 0;
    for (const g of ref.dHidden) scale = Math.max(scale, Math.abs(g));
    expect(scale).toBeGreaterThan(0.01);
    let worst = 0;
    for (let i = 0; i < h.length; i++) {
      const x0 = h[i];
      h[i] = x0 + eps;
      const up = crossEntropyRef(h, w, targets, T, d, V).mean;
      h[i] = x0 - eps;
      const down = crossEntropyRef(h, w, targets, T, d, V).mean;
      h[i] = x0;
      worst = Math.max(worst, Math.abs((up - down) / (2 * eps) - ref.dHidden[i]) / scale);
    }
    expect(worst).toBeLessThan(1e-7);
    // Ignored tokens get no gradient.
    for (let k = 0; k < d; k++) expect(ref.dHidden[1 * d + k]).toBe(0);
  });

  it('loss is log-sum-exp minus the target logit', () => {
    const ref = crossEntropyRef([1, 0], [2, 0, 0, 1, -1, 0], [1], 1, 2, 3);
    expect(ref.loss[0]).toBeCloseTo(Math.log(Math.exp(2) + Math.exp(0) + Math.exp(-1)) - 0, 12);
  });
});

describe('shiftLabels', () => {
  it('aligns targets with positions: targets[t] = labels[t + 1], last one ignored', () => {
    expect([...shiftLabels([10, 11, 12, -100, 14])]).toEqual([11, 12, -100, 14, IGNORE_INDEX]);
  });
  it('never predicts across a packed sequence boundary', () => {
    expect([...shiftLabels([1, 2, 3, 4, 5, 6], [0, 0, 0, 1, 1, 2])]).toEqual([2, 3, -100, 5, -100, -100]);
  });
});

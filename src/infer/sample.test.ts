// Sampling against a direct float64 computation of HF's temperature → top-k → top-p warpers.
import { describe, expect, it } from 'vitest';
import { argmax, sampler } from './sample.ts';

const logits = Float32Array.from([1.2, -0.5, 2.3, 0.7, 2.0, -1.5, 0.1, 1.9]);

function reference(t: number, k: number, p: number): number[] {
  // Independent: mask by rank, softmax, then HF TopPLogitsWarper (drop tokens whose cumulative
  // ascending mass ≤ 1 - p), renormalise.
  const z = Array.from(logits, (x) => x / t);
  const sorted = [...z].sort((a, b) => b - a);
  const kth = sorted[Math.min(k, z.length) - 1];
  const masked = z.map((x) => (x >= kth ? x : -Infinity));
  const m = Math.max(...masked);
  let probs = masked.map((x) => Math.exp(x - m));
  let s = probs.reduce((a, b) => a + b);
  probs = probs.map((q) => q / s);
  const asc = probs.map((q, i) => [q, i]).sort((a, b) => a[0] - b[0]);
  let cum = 0;
  for (const [q, i] of asc) {
    cum += q;
    if (cum <= 1 - p && q > 0) probs[i] = 0;
  }
  s = probs.reduce((a, b) => a + b);
  return probs.map((q) => q / s);
}

describe('sampler', () => {
  it('greedy is argmax', () => {
    expect(sampler({})(logits)).toBe(2);
    expect(argmax(logits)).toBe(2);
  });

  it.each([
    [0.7, 0, 1],
    [1.0, 4, 1],
    [1.3, 0, 0.8],
    [0.9, 5, 0.6],
  ])('temperature %f, top_k %i, top_p %f: frequencies match the float64 reference', (t, k, p) => {
    const want = reference(t, k || logits.length, p);
    const pick = sampler({ temperature: t, top_k: k, top_p: p, seed: 7 });
    const n = 40000;
    const counts = new Array(logits.length).fill(0);
    for (let i = 0; i < n; i++) counts[pick(logits)]++;
    for (let v = 0; v < logits.length; v++) {
      const sd = Math.sqrt((want[v] * (1 - want[v])) / n);
      expect(Math.abs(counts[v] / n - want[v])).toBeLessThanOrEqual(5 * sd + 1e-9);
    }
  });

  it('is repeatable for a seed and differs across seeds', () => {
    const run = (seed: number) => {
      const s = sampler({ temperature: 1.5, seed });
      return Array.from({ length: 50 }, () => s(logits));
    };
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
  });
});

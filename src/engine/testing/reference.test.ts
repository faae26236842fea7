// The CPU references' analytic backward passes against central finite differences of their
// own forward functions, all in float64: this is what makes them a trustworthy target for the
// GPU backward kernels. Scalar loss L = Σ out·dy for a random dy, so ∂L/∂x = VJP(dy).
// Bound: central differences with h = 1e-6 on O(1) values: error ≲ 1e-8 relative; we ask 1e-6.
import { describe, expect, it } from 'vitest';
import { rng, maxRelErr } from './random.ts';
import {
  dotLoss,
  finiteDiff,
  linearBackwardRef,
  linearRef,
  loraBackwardRef,
  loraRef,
  rmsnormBackwardRef,
  rmsnormRef,
  ropeBackwardRef,
  ropeRef,
  swigluBackwardRef,
  swigluRef,
} from './reference.ts';
import { dropoutMask } from '../kernels/lora.ts';
import { ropeInvFreq, ropeTables } from '../kernels/rope.ts';

const TOL = 1e-6;
const d64 = (a: ArrayLike<number>) => Float64Array.from(a);

describe('CPU reference backward vs finite differences (float64)', () => {
  it('linear: dX, dW, db', () => {
    const r = rng(1);
    const [M, N, K] = [5, 4, 7];
    const x = d64(r.normal(M * K));
    const w = d64(r.normal(N * K));
    const b = d64(r.normal(N));
    const dy = d64(r.normal(M * N));
    const g = linearBackwardRef(x, w, dy, M, N, K);
    expect(
      maxRelErr(
        g.dx,
        finiteDiff((v) => dotLoss(linearRef(v, w, M, N, K, b), dy), x),
      ),
    ).toBeLessThan(TOL);
    expect(
      maxRelErr(
        g.dw,
        finiteDiff((v) => dotLoss(linearRef(x, v, M, N, K, b), dy), w),
      ),
    ).toBeLessThan(TOL);
    expect(
      maxRelErr(
        g.db,
        finiteDiff((v) => dotLoss(linearRef(x, w, M, N, K, v), dy), b),
      ),
    ).toBeLessThan(TOL);
  });

  it('rmsnorm: dX', () => {
    const r = rng(2);
    const [rows, cols, eps] = [3, 11, 1e-6];
    const x = d64(r.normal(rows * cols));
    const w = d64(r.uniform(cols, 0.5, 1.5));
    const dy = d64(r.normal(rows * cols));
    const dx = rmsnormBackwardRef(x, w, dy, rows, cols, eps);
    expect(
      maxRelErr(
        dx,
        finiteDiff((v) => dotLoss(rmsnormRef(v, w, rows, cols, eps).y, dy), x),
      ),
    ).toBeLessThan(TOL);
  });

  it('rope: dX (with Llama-3 scaled tables and repeated positions)', () => {
    const r = rng(3);
    const [T, H, D] = [4, 2, 8];
    const inv = ropeInvFreq(D, 500000, {
      rope_type: 'llama3',
      factor: 8,
      low_freq_factor: 1,
      high_freq_factor: 4,
      original_max_position_embeddings: 64,
    });
    const { cos, sin } = ropeTables([0, 5, 1, 300], inv);
    const x = d64(r.normal(T * H * D));
    const dy = d64(r.normal(T * H * D));
    const dx = ropeBackwardRef(dy, cos, sin, T, H, D);
    expect(
      maxRelErr(
        dx,
        finiteDiff((v) => dotLoss(ropeRef(v, cos, sin, T, H, D), dy), x),
      ),
    ).toBeLessThan(TOL);
  });

  it('swiglu: dgate, dup', () => {
    const r = rng(4);
    const n = 23;
    const gate = d64(r.normal(n, 3));
    const up = d64(r.normal(n));
    const dy = d64(r.normal(n));
    const g = swigluBackwardRef(gate, up, dy);
    expect(
      maxRelErr(
        g.dgate,
        finiteDiff((v) => dotLoss(swigluRef(v, up), dy), gate),
      ),
    ).toBeLessThan(TOL);
    expect(
      maxRelErr(
        g.dup,
        finiteDiff((v) => dotLoss(swigluRef(gate, v), dy), up),
      ),
    ).toBeLessThan(TOL);
  });

  it('lora (with a dropout mask): dA, dB, dX', () => {
    const rr = rng(5);
    const [T, inF, outF, r, s] = [4, 6, 5, 3, 2.5];
    const x = d64(rr.normal(T * inF));
    const a = d64(rr.normal(r * inF));
    const b = d64(rr.normal(outF * r));
    const dy = d64(rr.normal(T * outF));
    const mask = dropoutMask(9, T * inF, 0.3);
    expect(mask.some((m) => m === 0)).toBe(true);
    const g = loraBackwardRef(x, a, b, dy, T, inF, outF, r, s, mask);
    const L = (xx: Float64Array, aa: Float64Array, bb: Float64Array) =>
      dotLoss(loraRef(xx, aa, bb, T, inF, outF, r, s, mask).y, dy);
    expect(
      maxRelErr(
        g.dx,
        finiteDiff((v) => L(v, a, b), x),
      ),
    ).toBeLessThan(TOL);
    expect(
      maxRelErr(
        g.dA,
        finiteDiff((v) => L(x, v, b), a),
      ),
    ).toBeLessThan(TOL);
    expect(
      maxRelErr(
        g.dB,
        finiteDiff((v) => L(x, a, v), b),
      ),
    ).toBeLessThan(TOL);
  });
});

describe('dropout mask', () => {
  it('drops about p of the entries, scales the rest by 1/(1-p), and depends on the seed', () => {
    const n = 20000;
    const m = dropoutMask(42, n, 0.25);
    const dropped = m.filter((v) => v === 0).length / n;
    expect(Math.abs(dropped - 0.25)).toBeLessThan(0.015);
    expect(m.filter((v) => v !== 0).every((v) => Math.abs(v - 4 / 3) < 1e-6)).toBe(true);
    const m2 = dropoutMask(43, n, 0.25);
    let same = 0;
    for (let i = 0; i < n; i++) same += Number((m[i] === 0) === (m2[i] === 0));
    expect(same / n).toBeLessThan(0.7);
  });
});

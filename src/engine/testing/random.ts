// Seeded random inputs and error measures shared by the engine's kernel tests.
// The generator is seeded (mulberry32) so every test run sees the same data.
import { mulberry32 } from '../../model/random.ts';

export interface Rng {
  /** One uniform draw in [0, 1). */
  next(): number;
  /** `n` uniform f32 values in [lo, hi). */
  uniform(n: number, lo?: number, hi?: number): Float32Array;
  /** `n` normal f32 values with mean 0 and the given std (Box–Muller). */
  normal(n: number, std?: number): Float32Array;
  /** `n` integers in [0, max). */
  ints(n: number, max: number): Int32Array;
}

/** A deterministic generator (mulberry32) seeded by `seed`. */
export function rng(seed: number): Rng {
  const next = mulberry32(seed >>> 0 || 0x9e3779b9);
  return {
    next,
    uniform(n, lo = -1, hi = 1) {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * next();
      return out;
    },
    normal(n, std = 1) {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i += 2) {
        const u1 = Math.max(next(), 1e-12);
        const u2 = next();
        const r = Math.sqrt(-2 * Math.log(u1)) * std;
        out[i] = r * Math.cos(2 * Math.PI * u2);
        if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
      }
      return out;
    },
    ints(n, max) {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = Math.floor(next() * max);
      return out;
    },
  };
}

type Num = ArrayLike<number>;

function checkLen(got: Num, want: Num): void {
  if (got.length !== want.length) throw new Error(`length ${got.length} ≠ expected ${want.length}`);
}

/** max |got − want|. NaN anywhere gives NaN (so `toBeLessThan` fails). */
export function maxAbsErr(got: Num, want: Num): number {
  checkLen(got, want);
  let m = 0;
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? NaN : d;
    if (Number.isNaN(m)) return NaN;
  }
  return m;
}

/**
 * max |got − want| / max |want|: error relative to the tensor's scale, so entries that happen
 * to sit near zero do not blow the measure up. All-zero `want` is rejected: tests must not
 * compare against zeros.
 */
export function maxRelErr(got: Num, want: Num): number {
  checkLen(got, want);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  if (scale === 0) throw new Error('maxRelErr: reference is all zeros');
  return maxAbsErr(got, want) / scale;
}

/** Element-wise relative error max |g−w| / (|w| + floor), for checks that need it per entry. */
export function maxElemRelErr(got: Num, want: Num, floor = 1e-6): number {
  checkLen(got, want);
  let m = 0;
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i] - want[i]) / (Math.abs(want[i]) + floor);
    if (Number.isNaN(d)) return NaN;
    m = Math.max(m, d);
  }
  return m;
}

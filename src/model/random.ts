// A small seeded generator for tiny random models: the same seed gives the same weights on
// every machine (mulberry32 for uniforms, Box–Muller for normals).

export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal. */
  normal(): number;
  /** `n` values ~ N(mean, std²). */
  normals(n: number, std: number, mean?: number): Float32Array;
}

/** mulberry32: a small seeded generator, uniform in [0, 1); the project's one PRNG. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seededRandom(seed: number): SeededRandom {
  const next = mulberry32((seed >>> 0) ^ 0x9e3779b9);
  let spare: number | null = null;
  const normal = (): number => {
    if (spare !== null) {
      const v = spare;
      spare = null;
      return v;
    }
    const u = 1 - next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  return {
    next,
    normal,
    normals(n, std, mean = 0) {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = mean + std * normal();
      return out;
    },
  };
}

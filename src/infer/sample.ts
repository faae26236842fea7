// Next-token choice on the CPU from the last position's logits: greedy, or seeded sampling
// with temperature, top-k and top-p (HF's order: temperature, then top-k, then top-p).
import { mulberry32 as rng } from '../model/random.ts';

export interface SamplingOptions {
  /** 0 (default) means greedy. */
  temperature?: number;
  /** Keep the k most likely tokens (0 or absent: all). */
  top_k?: number;
  /** Keep the smallest set whose probability reaches p (1 or absent: all). */
  top_p?: number;
  seed?: number;
}

/** The seeded PRNG (mulberry32), re-exported for callers of this module. */
export { rng };

export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  for (let v = 1; v < logits.length; v++) if (logits[v] > logits[best]) best = v;
  return best;
}

/** The tokens sampling may pick and their probabilities (renormalised), most likely first. */
export function candidates(logits: ArrayLike<number>, o: SamplingOptions): { ids: number[]; probs: number[] } {
  const t = o.temperature ?? 0;
  const order = Array.from({ length: logits.length }, (_, i) => i).sort((a, b) => logits[b] - logits[a] || a - b);
  const k = o.top_k && o.top_k > 0 ? Math.min(o.top_k, order.length) : order.length;
  const kept = order.slice(0, k);
  const max = logits[kept[0]];
  let probs = kept.map((i) => Math.exp((logits[i] - max) / t));
  let sum = probs.reduce((a, b) => a + b, 0);
  probs = probs.map((p) => p / sum);
  const topP = o.top_p ?? 1;
  if (topP < 1) {
    let acc = 0,
      n = 0;
    while (n < probs.length && (n === 0 || acc < topP)) acc += probs[n++];
    kept.length = n;
    probs = probs.slice(0, n);
    sum = probs.reduce((a, b) => a + b, 0);
    probs = probs.map((p) => p / sum);
  }
  return { ids: kept, probs };
}

/** A sampler bound to one seed: call it once per step. */
export function sampler(o: SamplingOptions): (logits: ArrayLike<number>) => number {
  if (!o.temperature || o.temperature <= 0) return argmax;
  const rand = rng(o.seed ?? 0);
  return (logits) => {
    const { ids, probs } = candidates(logits, o);
    let u = rand();
    for (let i = 0; i < ids.length; i++) {
      u -= probs[i];
      if (u < 0) return ids[i];
    }
    return ids[ids.length - 1];
  };
}

// Deterministic randomness for training, all derived from seeds and counters (no hidden
// state): the data order of epoch e is a function of (data_seed, e), the dropout seed of a
// micro-batch a function of (seed, step, micro). So a run resumed from step k continues with
// exactly the numbers an uninterrupted run would have used.
import { seededRandom } from '../model/random.ts';

/** A 32-bit mix of a few integers. */
export function mix32(...xs: number[]): number {
  let h = 0x811c9dc5;
  for (const x of xs) {
    h = Math.imul(h ^ (x >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    h ^= h >>> 13;
  }
  return h >>> 0;
}

/** Fisher–Yates permutation of 0..n-1 from a seed. */
export function permutation(n: number, seed: number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  const r = seededRandom(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r.next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The dropout seed of one micro-batch. */
export function dropoutSeed(seed: number, step: number, micro: number): number {
  return mix32(seed, 0x64726f70, step, micro);
}

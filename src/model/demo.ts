// The studio's built-in demo model: a tiny random llama with a byte tokenizer, made on the spot
// (milliseconds, nothing to download), small enough to train a few dozen steps on a CPU-emulated
// GPU. Pages and workers make the same one from the same options, so it needs no transfer.
import { makeTinyModel, type TinyModel } from './tiny.ts';

export const TINY_ID = 'prism/tiny-demo';

export const TINY_OPTIONS = {
  arch: 'llama',
  hidden: 64,
  layers: 2,
  heads: 4,
  kvHeads: 2,
  intermediate: 128,
  seed: 7,
  dtype: 'float32',
  tokenizer: 'bytes',
  template: 'chatml',
} as const;

let tiny: TinyModel | null = null;

/** The tiny model's folder (config, weights, byte tokenizer), made once per page or worker. */
export function tinyModel(): TinyModel {
  tiny ??= makeTinyModel({ ...TINY_OPTIONS });
  return tiny;
}

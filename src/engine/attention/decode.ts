// Decode attention: one new query token [nHeads, headDim] against a per-layer k/v cache
// [maxT, nKvHeads, headDim] holding the T visible positions (the new token's k/v included).
import { Kernel, params } from '../runtime/index.ts';
import decodeWGSL from '../../../shaders/attention_decode.wgsl?raw';

export interface DecodeAttentionDims {
  /** Visible positions (cache rows in use). */
  T: number;
  maxT: number;
  nHeads: number;
  nKvHeads: number;
  headDim: number;
  scale?: number;
  /** As in AttentionDims. */
  softcap?: number;
  window?: number;
}

export interface DecodeAttentionBuffers {
  q: GPUBuffer;
  k: GPUBuffer;
  v: GPUBuffer;
  /** f32 [nHeads, maxT] scratch. */
  scores: GPUBuffer;
  out: GPUBuffer;
}

export function decodeScoresBytes(d: Pick<DecodeAttentionDims, 'nHeads' | 'maxT'>): number {
  return d.nHeads * d.maxT * 4;
}

export function attentionDecode(device: GPUDevice, enc: GPUCommandEncoder, d: DecodeAttentionDims, b: DecodeAttentionBuffers): void {
  if (!(d.T >= 1 && d.T <= d.maxT)) throw new Error(`attentionDecode: T must be in [1, ${d.maxT}], got ${d.T}`);
  if (d.nHeads % d.nKvHeads !== 0) throw new Error(`attentionDecode: nHeads (${d.nHeads}) must be a multiple of nKvHeads (${d.nKvHeads})`);
  const kernel = new Kernel(device, decodeWGSL, 'attention_decode');
  kernel.dispatch(enc, [b.q, b.k, b.v, b.scores, b.out], params([
    ['u32', d.T], ['u32', d.nHeads], ['u32', d.nKvHeads], ['u32', d.headDim], ['u32', d.maxT],
    ['f32', d.scale ?? 1 / Math.sqrt(d.headDim)], ['f32', d.softcap ?? 0], ['u32', d.window ?? 0],
  ]), [d.nHeads]);
}

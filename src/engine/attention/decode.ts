// Decode attention: one new query token [nHeads, headDim] against a per-layer k/v cache
// [maxT, nKvHeads, headDim] holding the T visible positions (the new token's k/v included).
import { kernelSpec, runKernel } from '../runtime/spec.ts';
import decodeWGSL from '../../../shaders/attention_decode.wgsl?raw';

const DECODE = kernelSpec({
  file: 'attention_decode.wgsl',
  source: decodeWGSL,
  entryPoint: 'attention_decode',
  bindings: ['q', 'k', 'v', 'scores', 'o'],
  uniform: [
    ['T', 'u32'],
    ['H', 'u32'],
    ['HKV', 'u32'],
    ['D', 'u32'],
    ['maxT', 'u32'],
    ['scale', 'f32'],
    ['softcap', 'f32'],
    ['window', 'u32'],
  ],
});

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

export function attentionDecode(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  d: DecodeAttentionDims,
  b: DecodeAttentionBuffers,
): void {
  if (!(d.T >= 1 && d.T <= d.maxT)) throw new Error(`attentionDecode: T must be in [1, ${d.maxT}], got ${d.T}`);
  if (d.nHeads % d.nKvHeads !== 0)
    throw new Error(`attentionDecode: nHeads (${d.nHeads}) must be a multiple of nKvHeads (${d.nKvHeads})`);
  runKernel(
    device,
    enc,
    DECODE,
    { ...b, o: b.out },
    {
      T: d.T,
      H: d.nHeads,
      HKV: d.nKvHeads,
      D: d.headDim,
      maxT: d.maxT,
      scale: d.scale ?? 1 / Math.sqrt(d.headDim),
      softcap: d.softcap ?? 0,
      window: d.window ?? 0,
    },
    [d.nHeads],
  );
}

// Causal GQA attention over packed rows on the GPU: flash-style forward that saves the
// log-sum-exp, and the FlashAttention-2 backward that recomputes P from it.
//
// Layouts (row-major f32, HF's after the q/k/v projections and before the head transpose):
//   q, out, dOut, dq   [T, nHeads,   headDim]
//   k, v, dk, dv       [T, nKvHeads, headDim]
//   seqIds             [T] i32 — token i attends to j iff j <= i and seqIds[j] == seqIds[i]
//   lse                [T, nHeads] f32
//   rowStats           [T, nHeads, 2] f32 scratch of the backward (lse and rowsum(dOut∘out))
// A batch of B rows goes in flattened as T = B·rowLength tokens, each row (and each sequence
// packed in a row) with its own id; the tokens of one id must form one contiguous run.
import { kernelSpec, runKernel } from '../runtime/spec.ts';
import fwdWGSL from '../../../shaders/attention_fwd.wgsl?raw';
import bwdWGSL from '../../../shaders/attention_bwd.wgsl?raw';

export interface AttentionDims {
  /** Tokens (B·rowLength when a batch is flattened). */
  T: number;
  nHeads: number;
  nKvHeads: number;
  /** A multiple of 4, at most 256. */
  headDim: number;
  /** Softmax scale; 1/sqrt(headDim) when omitted. */
  scale?: number;
  /** Gemma 2: scores become cap·tanh(score / cap); 0 or omitted = none. */
  softcap?: number;
  /** Sliding window: token i sees j only when i − j < window; 0 or omitted = full causal. */
  window?: number;
}

export interface AttentionForwardBuffers {
  q: GPUBuffer;
  k: GPUBuffer;
  v: GPUBuffer;
  seqIds: GPUBuffer;
  /** Written: [T, nHeads, headDim]. */
  out: GPUBuffer;
  /** Written: [T, nHeads], kept for the backward pass. */
  lse: GPUBuffer;
}

export interface AttentionBackwardBuffers extends AttentionForwardBuffers {
  dOut: GPUBuffer;
  /** Scratch [T, nHeads, 2] f32: (lse, rowsum(dOut∘out)) per query and head. */
  rowStats: GPUBuffer;
  /** Written (overwritten, not accumulated). */
  dq: GPUBuffer;
  dk: GPUBuffer;
  dv: GPUBuffer;
}

const QUERIES_PER_WORKGROUP = 64; // BQ in the shaders

/**
 * Keys (or queries) per workgroup-memory tile: the largest power of two up to 32 whose two
 * BK × headDim f32 tiles plus per-row ids and stats fit the device's workgroup storage
 * (16 KiB by default gives 16 rows at headDim 64 and 8 at 128; SwiftShader's 32 KiB, 32 and 16).
 */
export function attentionTileRows(headDim: number, maxWorkgroupStorage: number): number {
  let bk = 32;
  while (bk > 1 && 2 * bk * headDim * 4 + bk * 12 + 16 > maxWorkgroupStorage) bk /= 2;
  return bk;
}

function specialize(code: string, headDim: number, bk: number): string {
  return code
    .replace(/const HEAD_DIM4: u32 = \d+u;/, `const HEAD_DIM4: u32 = ${headDim / 4}u;`)
    .replace(/const BK: u32 = \d+u;/, `const BK: u32 = ${bk}u;`);
}

function check(d: AttentionDims): void {
  const { T, nHeads, nKvHeads, headDim } = d;
  if (!(T > 0) || !Number.isInteger(T)) throw new Error(`attention: T must be a positive integer, got ${T}`);
  if (headDim % 4 !== 0 || headDim < 4 || headDim > 256) {
    throw new Error(`attention: headDim must be a multiple of 4 in [4, 256], got ${headDim}`);
  }
  if (nKvHeads < 1 || nHeads % nKvHeads !== 0) {
    throw new Error(`attention: nHeads (${nHeads}) must be a multiple of nKvHeads (${nKvHeads})`);
  }
}

const UNIFORM = [
  ['T', 'u32'],
  ['H', 'u32'],
  ['HKV', 'u32'],
  ['scale', 'f32'],
  ['softcap', 'f32'],
  ['window', 'u32'],
] as const;
const FORWARD = kernelSpec({
  file: 'attention_fwd.wgsl',
  source: fwdWGSL,
  entryPoint: 'attention_fwd',
  bindings: ['q', 'k', 'v', 'seq_id', 'o', 'lse'],
  uniform: UNIFORM,
});
const BWD_DELTA = kernelSpec({
  file: 'attention_bwd.wgsl',
  source: bwdWGSL,
  entryPoint: 'attention_bwd_delta',
  bindings: ['d_o', 'o_in', 'lse_in', 'rowstat_out'],
  uniform: UNIFORM,
});
const BWD_DQ = kernelSpec({
  file: 'attention_bwd.wgsl',
  source: bwdWGSL,
  entryPoint: 'attention_bwd_dq',
  bindings: ['q', 'k', 'v', 'seq_id', 'd_out', 'rowstat', 'dq'],
  uniform: UNIFORM,
});
const BWD_DKV = kernelSpec({
  file: 'attention_bwd.wgsl',
  source: bwdWGSL,
  entryPoint: 'attention_bwd_dkv',
  bindings: ['q', 'k', 'v', 'seq_id', 'd_out', 'rowstat', 'dk', 'dv'],
  uniform: UNIFORM,
});

function uniform(d: AttentionDims) {
  return {
    T: d.T,
    H: d.nHeads,
    HKV: d.nKvHeads,
    scale: d.scale ?? 1 / Math.sqrt(d.headDim),
    softcap: d.softcap ?? 0,
    window: d.window ?? 0,
  };
}

const specialized = new Map<string, string>();
function source(device: GPUDevice, which: 'fwd' | 'bwd', headDim: number): string {
  const bk = attentionTileRows(headDim, device.limits.maxComputeWorkgroupStorageSize);
  const key = `${which}:${headDim}:${bk}`;
  let s = specialized.get(key);
  if (!s) specialized.set(key, (s = specialize(which === 'fwd' ? fwdWGSL : bwdWGSL, headDim, bk)));
  return s;
}

/** Records the forward pass: out = softmax(scale·q·kᵀ + mask)·v per head, and its lse. */
export function attentionForward(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  dims: AttentionDims,
  b: AttentionForwardBuffers,
): void {
  check(dims);
  runKernel(
    device,
    encoder,
    FORWARD,
    { q: b.q, k: b.k, v: b.v, seq_id: b.seqIds, o: b.out, lse: b.lse },
    uniform(dims),
    [Math.ceil(dims.T / QUERIES_PER_WORKGROUP), dims.nHeads],
    { source: source(device, 'fwd', dims.headDim) },
  );
}

/** Records the backward pass: dq, dk, dv from dOut (overwriting them); uses `rowStats` as scratch. */
export function attentionBackward(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  dims: AttentionDims,
  b: AttentionBackwardBuffers,
): void {
  check(dims);
  const code = source(device, 'bwd', dims.headDim);
  const u = uniform(dims);
  const rows = dims.T * dims.nHeads;
  const opts = { source: code };
  runKernel(
    device,
    encoder,
    BWD_DELTA,
    { d_o: b.dOut, o_in: b.out, lse_in: b.lse, rowstat_out: b.rowStats },
    u,
    [Math.ceil(rows / 64)],
    opts,
  );
  const blocks = Math.ceil(dims.T / QUERIES_PER_WORKGROUP);
  const common = { q: b.q, k: b.k, v: b.v, seq_id: b.seqIds, d_out: b.dOut, rowstat: b.rowStats };
  runKernel(device, encoder, BWD_DQ, { ...common, dq: b.dq }, u, [blocks, dims.nHeads], opts);
  runKernel(device, encoder, BWD_DKV, { ...common, dk: b.dk, dv: b.dv }, u, [blocks, dims.nKvHeads], opts);
}

/** FLOPs of the forward (2 matmuls) for a mask that keeps `visiblePairs` (i, j) pairs per head. */
export function attentionFlops(dims: AttentionDims, visiblePairs: number): { forward: number; backward: number } {
  const perPair = 2 * dims.headDim * dims.nHeads;
  // Forward: q·k and p·v. Backward: q·k (dq) + dO·v (dq) + dS·k, and q·k + dO·v + p·dO + dS·q (dkv).
  return { forward: 2 * perPair * visiblePairs, backward: 7 * perPair * visiblePairs };
}

/** Bytes of the backward's rowStats scratch. */
export function attentionScratchBytes(dims: Pick<AttentionDims, 'T' | 'nHeads'>): number {
  return dims.T * dims.nHeads * 8;
}

/**
 * Throws unless every sequence id forms one contiguous run, as the kernels assume (they skip
 * keys before the start of a block's sequence). Padding can be given its own id.
 */
export function checkSeqIds(seqIds: ArrayLike<number>): void {
  const seen = new Set<number>();
  for (let t = 0; t < seqIds.length; t++) {
    const id = seqIds[t];
    if (t > 0 && id === seqIds[t - 1]) continue;
    if (seen.has(id))
      throw new Error(`attention: sequence id ${id} reappears at token ${t}; each sequence must be one contiguous run`);
    seen.add(id);
  }
}

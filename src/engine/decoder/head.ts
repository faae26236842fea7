// The end of the stack outside the fused loss: the final RMSNorm forward and backward, and the
// full logits for inference (one LM-head weight chunk per submit, read back to the CPU).
// Training never builds [N, V] logits: src/engine/loss's FusedCrossEntropy takes the normed
// hidden states and chunks the vocabulary itself.
import { linearForward, rmsnormBackward, rmsnormForward } from '../kernels/index.ts';
import { readF32, submit } from '../runtime/index.ts';
import type { Tensor } from '../tensor/tensor.ts';

export interface HeadArgs {
  N: number;
  D: number;
  V: number;
  eps: number;
  normW: GPUBuffer;
  headW: Tensor;
  /** 1 for Gemma's (1 + w) norm. */
  normOffset?: number;
  /** Gemma's final_logit_softcapping: logits become cap·tanh(logits/cap). */
  softcap?: number | null;
}

/** final_norm.out [N, D] and final_norm.rstd [N]. */
export interface FinalNormBuffers {
  normed: GPUBuffer;
  rstd: GPUBuffer;
}

/** One-chunk view of a weight chunk, for the linear kernels. */
function chunkView(w: Tensor, i: number): Tensor {
  const ch = w.chunks[i];
  return { shape: [ch.rows, w.shape[1]], dtype: w.dtype, chunks: [{ buffer: ch.buffer, rowStart: 0, rows: ch.rows }] };
}

/** Bytes of the logits block headLogits needs: N × the largest weight chunk's rows. */
export function headLogitsBytes(N: number, w: Tensor): number {
  return N * Math.max(...w.chunks.map((c) => c.rows)) * 4;
}

export function finalNorm(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  h: HeadArgs,
  x: GPUBuffer,
  b: FinalNormBuffers,
): void {
  rmsnormForward(device, enc, {
    x,
    w: h.normW,
    y: b.normed,
    rstd: b.rstd,
    rows: h.N,
    cols: h.D,
    eps: h.eps,
    offset: h.normOffset,
  });
}

/** dx = ∂/∂x of the final norm given dnormed (overwrites dx). */
export function finalNormBackward(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  h: HeadArgs,
  x: GPUBuffer,
  b: FinalNormBuffers,
  dnormed: GPUBuffer,
  dx: GPUBuffer,
): void {
  rmsnormBackward(device, enc, {
    x,
    w: h.normW,
    dy: dnormed,
    rstd: b.rstd,
    dx,
    rows: h.N,
    cols: h.D,
    offset: h.normOffset,
  });
}

/** All logits [N, V] on the CPU (after finalNorm), one weight chunk per submit through `block`. */
export async function headLogits(
  device: GPUDevice,
  h: HeadArgs,
  normed: GPUBuffer,
  block: GPUBuffer,
): Promise<Float32Array> {
  const { N, V } = h;
  const out = new Float32Array(N * V);
  for (let i = 0; i < h.headW.chunks.length; i++) {
    const ch = h.headW.chunks[i];
    const enc = device.createCommandEncoder({ label: 'lm_head' });
    linearForward(device, enc, normed, chunkView(h.headW, i), block, N);
    submit(device, enc);
    const part = await readF32(device, block, N * ch.rows);
    for (let t = 0; t < N; t++) out.set(part.subarray(t * ch.rows, (t + 1) * ch.rows), t * V + ch.rowStart);
  }
  const cap = h.softcap;
  // As transformers does in f32: logits / cap, tanh, · cap.
  if (cap)
    for (let i = 0; i < out.length; i++) out[i] = Math.fround(Math.fround(Math.tanh(Math.fround(out[i] / cap))) * cap);
  return out;
}

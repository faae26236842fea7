// Embedding gather from a (possibly row-split, possibly bf16/f16) table.
import src from '../../../shaders/embedding.wgsl?raw';
import { Kernel, params } from '../runtime/kernel.ts';
import { grid1d } from '../runtime/grid.ts';
import type { Tensor } from '../tensor/tensor.ts';

const CODE = { f32: 0, bf16: 1, f16: 2 } as const;

/** out[T, D] = W[ids[t]]·scale for W [V, D]; ids is a u32 (or non-negative i32) buffer of T ids. */
export function embeddingForward(
  device: GPUDevice, enc: GPUCommandEncoder, ids: GPUBuffer, w: Tensor, out: GPUBuffer, T: number, scale = 1,
): void {
  const D = w.shape[1];
  const k = new Kernel(device, src, 'embedding', { constants: { W_DTYPE: CODE[w.dtype] } });
  for (const ch of w.chunks) {
    k.dispatch(
      enc,
      [ids, ch.buffer, out],
      params([['u32', T], ['u32', D], ['u32', ch.rowStart], ['u32', ch.rows], ['f32', scale]]),
      grid1d(device, T * D),
    );
  }
}

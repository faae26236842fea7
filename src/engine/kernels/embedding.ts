// Embedding gather from a (possibly row-split, possibly bf16/f16) table.
import src from '../../../shaders/embedding.wgsl?raw';
import { withWeights, WEIGHT_DTYPE } from './weights.ts';
import { kernelSpec, runKernel } from '../runtime/spec.ts';
import { grid1d } from '../runtime/grid.ts';
import type { Tensor } from '../tensor/tensor.ts';

const EMBEDDING = kernelSpec({
  file: 'embedding.wgsl',
  source: withWeights(src),
  entryPoint: 'embedding',
  bindings: ['ids', 'w', 'out'],
  uniform: [
    ['T', 'u32'],
    ['D', 'u32'],
    ['row_start', 'u32'],
    ['rows', 'u32'],
    ['scale', 'f32'],
  ],
});

/** out[T, D] = W[ids[t]]·scale for W [V, D]; ids is a u32 (or non-negative i32) buffer of T ids. */
export function embeddingForward(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  ids: GPUBuffer,
  w: Tensor,
  out: GPUBuffer,
  T: number,
  scale = 1,
): void {
  const D = w.shape[1];
  for (const ch of w.chunks) {
    runKernel(
      device,
      enc,
      EMBEDDING,
      { ids, w: ch.buffer, out },
      { T, D, row_start: ch.rowStart, rows: ch.rows, scale },
      grid1d(device, T * D),
      {
        constants: { WEIGHT_DTYPE: WEIGHT_DTYPE[w.dtype] },
      },
    );
  }
}

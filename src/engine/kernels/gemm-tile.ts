// The one tiled-GEMM core (shaders/common/gemm_tile.wgsl: 64×64 output tiles, 4×4 per thread,
// mat4x4 accumulation) put in front of the kernels that run their product on it — matmul.wgsl and
// the fused cross entropy's ce_logits / ce_dh — specialized per pipeline by TRANS_A / TRANS_B.
import prelude from '../../../shaders/common/gemm_tile.wgsl?raw';

/** Output rows and columns of one workgroup's tile (the grid is ⌈N/TILE⌉ × ⌈M/TILE⌉). */
export const GEMM_TILE = 64;

/** A kernel's source with the tiled-GEMM core in front. */
export function withGemmTile(source: string): string {
  return `${prelude}\n${source}`;
}

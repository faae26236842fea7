// Decode-step products over shaders/matvec.wgsl: C = alpha·A·Bᵀ (+ bias) (+ C) for A with at
// most MATVEC_MAX_ROWS rows, B = W [N, K] in f32/bf16/f16. `gemm` routes such products here; the
// 64×64 tile of matmul.wgsl would compute 64 rows to keep ≤ 8.
import src from '../../../shaders/matvec.wgsl?raw';
import { deviceIsCpu } from '../runtime/adapter.ts';
import { foldGroups, grid1d } from '../runtime/grid.ts';
import { runKernel } from '../runtime/spec.ts';
import type { DType } from '../tensor/dtype.ts';
import { gemmSpec, gemmUniform, type GemmSpec } from './gemm-layout.ts';
import { WEIGHT_DTYPE, withWeights } from './weights.ts';
import type { BufferRef } from '../runtime/buffers.ts';

export const MATVEC_MAX_ROWS = 8;

/**
 * wide: 8 output columns × 32 lanes per workgroup, a workgroup-memory reduction (GPUs).
 * narrow: one thread per output column, no barrier (CPU adapters such as SwiftShader).
 */
export type MatvecLayout = 'wide' | 'narrow';

const COLS: Record<MatvecLayout, number> = { wide: 8, narrow: 64 };
const SPECS: Record<MatvecLayout, GemmSpec> = {
  wide: gemmSpec('matvec.wgsl', withWeights(src), 'matvec_wide'),
  narrow: gemmSpec('matvec.wgsl', withWeights(src), 'matvec_narrow'),
};

/** The layout for this device's adapter. */
export function matvecLayout(device: GPUDevice): MatvecLayout {
  return deviceIsCpu(device) ? 'narrow' : 'wide';
}

export interface MatvecArgs {
  /** f32 [M, K] from element aOff, row stride lda. */
  a: BufferRef;
  /** W [N, K], row stride ldb, f32 or 16-bit packed per bDtype. */
  b: BufferRef;
  c: BufferRef;
  M: number;
  N: number;
  K: number;
  lda: number;
  ldb: number;
  ldc: number;
  aOff: number;
  cOff: number;
  bDtype: DType;
  bias?: GPUBuffer;
  biasOff: number;
  alpha: number;
  accumulate: boolean;
  /** The dummy buffer bound where bias is absent. */
  noBias: GPUBuffer;
  /**
   * Tests: fold the grid into 2-D at this many workgroups per dimension instead of the device's
   * limit (65,535), so the shader's folded indexing is checked without half a million workgroups.
   */
  foldAt?: number;
}

/** Records C = alpha·A·Bᵀ (+ bias) (+ C); `layout` defaults to the adapter's. */
export function matvec(device: GPUDevice, enc: GPUCommandEncoder, g: MatvecArgs, layout = matvecLayout(device)): void {
  if (g.M < 1 || g.M > MATVEC_MAX_ROWS) throw new Error(`matvec: ${g.M} rows, 1–${MATVEC_MAX_ROWS} allowed`);
  const grid = g.foldAt ? foldGroups(Math.ceil(g.N / COLS[layout]), g.foldAt) : grid1d(device, g.N, COLS[layout]);
  runKernel(
    device,
    enc,
    SPECS[layout],
    { a: g.a, b: g.b, bias: g.bias ?? g.noBias, c: g.c },
    gemmUniform({ ...g, hasBias: g.bias !== undefined }),
    grid,
    { constants: { ROWS: g.M, WEIGHT_DTYPE: WEIGHT_DTYPE[g.bDtype] } },
  );
}

// The gemm variants beyond matmul.wgsl's general tile (issue 18 §2), each declared with gemmSpec
// (gemm-layout.ts) and reading weights through the shared prelude (weights.ts): 'vec4' (vec4
// loads along K, ONNX Runtime Web's fastest WebGPU Gemm), 'double' (double-buffered 128×128
// tiles), 'short' (32×128 tiles for M ≤ 64) and 'subgroup' (matrix-vector with subgroup
// reductions).
// `variantApplies` is each kernel's exact precondition; gemm (matmul.ts) refuses a forced
// variant that does not apply, and the autotuner (tuner.ts) times only those that do.
import vec4Src from '../../../shaders/matmul_vec4.wgsl?raw';
import doubleSrc from '../../../shaders/matmul_double.wgsl?raw';
import shortSrc from '../../../shaders/matmul_short.wgsl?raw';
import subgroupSrc from '../../../shaders/matvec_subgroup.wgsl?raw';
import { grid1d } from '../runtime/grid.ts';
import { runKernel } from '../runtime/spec.ts';
import type { DType } from '../tensor/dtype.ts';
import type { BufferRef } from '../runtime/buffers.ts';
import { gemmSpec, gemmUniform } from './gemm-layout.ts';
import { WEIGHT_DTYPE, withWeights } from './weights.ts';

export const EXTRA_GEMM_VARIANTS = ['vec4', 'double', 'short', 'subgroup'] as const;
export type ExtraGemmVariant = (typeof EXTRA_GEMM_VARIANTS)[number];

/** Rows of C up to which 'short' (32-row tiles) is offered. */
export const SHORT_MAX_ROWS = 64;
/** Rows of A the subgroup matrix-vector kernel takes (as matvec.wgsl). */
export const SUBGROUP_MAX_ROWS = 8;

const SUBGROUPS_ENABLE = 'enable subgroups;\n';

const SPECS = {
  vec4: gemmSpec('matmul_vec4.wgsl', withWeights(vec4Src), 'matmul_vec4'),
  double: gemmSpec('matmul_double.wgsl', withWeights(doubleSrc), 'matmul_double'),
  short: gemmSpec('matmul_short.wgsl', withWeights(shortSrc), 'matmul_short'),
  // Directives come before any declaration, so before the prelude.
  subgroup: gemmSpec('matvec_subgroup.wgsl', SUBGROUPS_ENABLE + withWeights(subgroupSrc), 'matvec_subgroup'),
};

/** Output tile (columns × rows) per workgroup, for the tiled variants. */
const TILE: Record<'vec4' | 'double' | 'short', [number, number]> = {
  vec4: [64, 64],
  double: [128, 128],
  short: [128, 32],
};
const SUBGROUP_COLS = 8;

/** What the predicates read: the product's shape and layout, as gemm receives it. */
export interface VariantShape {
  M: number;
  N: number;
  K: number;
  lda?: number;
  ldb?: number;
  aOff?: number;
  transA?: boolean;
  transB?: boolean;
  bDtype?: DType;
}

/** Whether `v` computes this product on this device (its kernel's exact precondition). */
export function variantApplies(device: GPUDevice, g: VariantShape, v: ExtraGemmVariant): boolean {
  const transA = g.transA ?? false;
  const transB = g.transB ?? true;
  const max = device.limits.maxComputeWorkgroupsPerDimension;
  const fits = (cols: number, rows: number) => Math.ceil(g.N / cols) <= max && Math.ceil(g.M / rows) <= max;
  switch (v) {
    case 'vec4': {
      // vec4 words along K: A rows and B rows start on a 16-byte boundary and K has no partial vec4
      // (8 elements per vec4<u32> of a 16-bit B).
      const bStep = (g.bDtype ?? 'f32') === 'f32' ? 4 : 8;
      const lda = g.lda ?? g.K;
      const ldb = g.ldb ?? g.K;
      return (
        !transA &&
        transB &&
        g.K % bStep === 0 &&
        lda % 4 === 0 &&
        (g.aOff ?? 0) % 4 === 0 &&
        ldb % bStep === 0 &&
        fits(...TILE.vec4)
      );
    }
    case 'double':
      return !transA && fits(...TILE.double) && device.limits.maxComputeWorkgroupStorageSize >= 16384;
    case 'short':
      return g.M >= 1 && g.M <= SHORT_MAX_ROWS && fits(...TILE.short);
    case 'subgroup':
      return device.features.has('subgroups') && !transA && transB && g.M >= 1 && g.M <= SUBGROUP_MAX_ROWS;
  }
}

/** Why `v` may not apply, for gemm's error message. */
export const VARIANT_PRECONDITION: Record<ExtraGemmVariant, string> = {
  vec4: 'vec4 takes X·Wᵀ with K, lda, aOff multiples of 4 and ldb, K multiples of 4 (f32 W) or 8 (16-bit W)',
  double: 'double takes no transA',
  short: `short takes 1–${SHORT_MAX_ROWS} rows`,
  subgroup: `subgroup needs the adapter's subgroups feature and X·Wᵀ with 1–${SUBGROUP_MAX_ROWS} rows`,
};

/** A product with every default resolved (gemm's arguments after its checks). */
export interface ResolvedGemm {
  a: BufferRef;
  b: BufferRef;
  c: BufferRef;
  bias: GPUBuffer;
  M: number;
  N: number;
  K: number;
  lda: number;
  ldb: number;
  ldc: number;
  aOff: number;
  cOff: number;
  biasOff: number;
  hasBias: boolean;
  alpha: number;
  accumulate: boolean;
  transA: boolean;
  transB: boolean;
  bDtype: DType;
}

/** Records the product on variant `v` (which must apply: variantApplies). */
export function runGemmVariant(device: GPUDevice, enc: GPUCommandEncoder, v: ExtraGemmVariant, g: ResolvedGemm): void {
  const uniform = gemmUniform(g);
  const buffers = { a: g.a, b: g.b, bias: g.bias, c: g.c };
  const constants: Record<string, number> = { WEIGHT_DTYPE: WEIGHT_DTYPE[g.bDtype] };
  if (v === 'subgroup') {
    constants.ROWS = g.M;
    runKernel(device, enc, SPECS.subgroup, buffers, uniform, grid1d(device, g.N, SUBGROUP_COLS), { constants });
    return;
  }
  if (v === 'short') constants.TRANS_A = g.transA ? 1 : 0;
  if (v !== 'vec4') constants.TRANS_B = g.transB ? 1 : 0;
  const [cols, rows] = TILE[v];
  runKernel(device, enc, SPECS[v], buffers, uniform, [Math.ceil(g.N / cols), Math.ceil(g.M / rows)], { constants });
}

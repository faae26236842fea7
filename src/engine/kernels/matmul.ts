// Matmul wrappers over shaders/matmul.wgsl: the general tiled `gemm`, and the three products a
// linear layer Y = X·Wᵀ (+ b) needs, with W [out, in] possibly split by rows into chunks.
import src from '../../../shaders/matmul.wgsl?raw';
import tile8Src from '../../../shaders/matmul_tile8.wgsl?raw';
import { dummyBuffer } from '../runtime/grid.ts';
import { runKernel } from '../runtime/spec.ts';
import { gemmSpec, gemmUniform } from './gemm-layout.ts';
import { GEMM_TILE, withGemmTile } from './gemm-tile.ts';
import { WEIGHT_DTYPE, withWeights } from './weights.ts';
import { MATVEC_MAX_ROWS, matvec, matvecLayout, type MatvecLayout } from './matvec.ts';
import {
  EXTRA_GEMM_VARIANTS,
  VARIANT_PRECONDITION,
  runGemmVariant,
  variantApplies,
  type ExtraGemmVariant,
} from './matmul_variants.ts';
import type { DType } from '../tensor/dtype.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { refRange, type BufferRef } from '../runtime/buffers.ts';

const TILED = gemmSpec('matmul.wgsl', withWeights(withGemmTile(src)), 'matmul');
const TILE8 = gemmSpec('matmul_tile8.wgsl', withWeights(tile8Src), 'matmul_tile8');

export interface GemmArgs {
  /** f32 [M, K] (or [K, M] with transA), read from element `aOff` with row stride `lda`. */
  a: BufferRef;
  /** [N, K] with transB (default), else [K, N]; f32 or 16-bit packed per `bDtype`. */
  b: BufferRef;
  /** f32 output [M, N] at element `cOff` with row stride `ldc`. A, B and C may be ranges of a buffer. */
  c: BufferRef;
  M: number;
  N: number;
  K: number;
  lda?: number;
  ldb?: number;
  ldc?: number;
  aOff?: number;
  cOff?: number;
  transA?: boolean;
  transB?: boolean;
  bDtype?: DType;
  /** Added per output column: bias[biasOff + j]. */
  bias?: GPUBuffer;
  biasOff?: number;
  alpha?: number;
  /** C += result instead of C = result. */
  accumulate?: boolean;
  /**
   * 'auto' (default): the adapter's choice — X·Wᵀ with M ≤ 8 rows (a decode step) on
   * shaders/matvec.wgsl, the rest on the tiled GEMM. A variant name forces that kernel (tests,
   * benchmarks, the autotuner); it must apply to the arguments (gemmVariantApplies).
   */
  kernel?: 'auto' | GemmVariant;
}

/**
 * Every kernel gemm can run: 'tiled' (matmul.wgsl, 64×64 tiles, 4×4 per thread, any operands),
 * 'tile8x8' (matmul_tile8.wgsl, 128×128 tiles, 8×8 per thread; A not transposed), the two
 * matrix-vector layouts 'wide' and 'narrow' (matvec.wgsl; X·Wᵀ with M ≤ 8), and those of
 * matmul_variants.ts: 'vec4', 'double', 'short', 'subgroup'.
 */
export const GEMM_VARIANTS = ['tiled', 'tile8x8', 'wide', 'narrow', ...EXTRA_GEMM_VARIANTS] as const;
export type GemmVariant = (typeof GEMM_VARIANTS)[number];

const isMatvec = (v: GemmVariant): v is MatvecLayout => v === 'wide' || v === 'narrow';
const isExtra = (v: GemmVariant): v is ExtraGemmVariant => (EXTRA_GEMM_VARIANTS as readonly string[]).includes(v);

/** Whether `variant` can compute these arguments on this device. */
export function gemmVariantApplies(device: GPUDevice, g: GemmArgs, variant: GemmVariant = 'tiled'): boolean {
  if (isExtra(variant)) return variantApplies(device, g, variant);
  if (isMatvec(variant)) return !(g.transA ?? false) && (g.transB ?? true) && g.M >= 1 && g.M <= MATVEC_MAX_ROWS;
  if (variant === 'tile8x8') {
    const max = device.limits.maxComputeWorkgroupsPerDimension;
    return !(g.transA ?? false) && Math.ceil(g.N / 128) <= max && Math.ceil(g.M / 128) <= max;
  }
  return true;
}

const choosers = new WeakMap<GPUDevice, (g: GemmArgs) => GemmVariant | undefined>();

/**
 * Lets `choose` (the autotuner, tuner.ts) pick the variant of every 'auto' gemm on `device`;
 * undefined from it, or a variant that does not apply, falls back to the built-in rule.
 */
export function setGemmChooser(
  device: GPUDevice,
  choose: ((g: GemmArgs) => GemmVariant | undefined) | undefined,
): void {
  if (choose) choosers.set(device, choose);
  else choosers.delete(device);
}

/** The kernel gemm runs for these arguments. */
export function gemmKernel(device: GPUDevice, g: GemmArgs): GemmVariant {
  const k = g.kernel ?? 'auto';
  if (k !== 'auto') {
    if (!gemmVariantApplies(device, g, k)) {
      const why = isExtra(k)
        ? VARIANT_PRECONDITION[k]
        : `matrix-vector kernels take X·Wᵀ with 1–${MATVEC_MAX_ROWS} rows, tile8x8 no transA`;
      const got =
        `M=${g.M} N=${g.N} K=${g.K}${g.transA ? ', transA' : ''}${g.transB === false ? ', transB=false' : ''}` +
        `${g.lda !== undefined ? `, lda=${g.lda}` : ''}${g.ldb !== undefined ? `, ldb=${g.ldb}` : ''}` +
        `${g.aOff ? `, aOff=${g.aOff}` : ''}, ${g.bDtype ?? 'f32'} B`;
      throw new Error(`gemm: the ${k} kernel does not apply here (${why}; got ${got})`);
    }
    return k;
  }
  const tuned = choosers.get(device)?.(g);
  if (tuned && gemmVariantApplies(device, g, tuned)) return tuned;
  return gemmVariantApplies(device, g, 'wide') ? matvecLayout(device) : 'tiled';
}

/** C = alpha·op(A)·op(B) (+ bias) (+ C). Any sizes; 64×64 output tiles, or matvec for ≤ 8 rows. */
export function gemm(device: GPUDevice, enc: GPUCommandEncoder, g: GemmArgs): void {
  const transA = g.transA ?? false;
  const transB = g.transB ?? true;
  const lda = g.lda ?? (transA ? g.M : g.K);
  const ldb = g.ldb ?? (transB ? g.K : g.N);
  const ldc = g.ldc ?? g.N;
  if (g.M > 0 && g.N > 0 && g.K > 0) {
    // WebGPU clamps out-of-bounds accesses silently; catch layout mistakes here instead.
    const aLast = (g.aOff ?? 0) + (transA ? (g.K - 1) * lda + g.M - 1 : (g.M - 1) * lda + g.K - 1);
    const bLast = transB ? (g.N - 1) * ldb + g.K - 1 : (g.K - 1) * ldb + g.N - 1;
    const cLast = (g.cOff ?? 0) + (g.M - 1) * ldc + g.N - 1;
    const bBytes = (bLast + 1) * ((g.bDtype ?? 'f32') === 'f32' ? 4 : 2);
    const [a, b, c] = [refRange(g.a), refRange(g.b), refRange(g.c)];
    if ((aLast + 1) * 4 > a.size)
      throw new Error(`gemm: A needs ${(aLast + 1) * 4} bytes, buffer ${a.buffer.label} has ${a.size}`);
    if (bBytes > b.size) throw new Error(`gemm: B needs ${bBytes} bytes, buffer ${b.buffer.label} has ${b.size}`);
    if ((cLast + 1) * 4 > c.size)
      throw new Error(`gemm: C needs ${(cLast + 1) * 4} bytes, buffer ${c.buffer.label} has ${c.size}`);
    if (a.buffer === c.buffer || b.buffer === c.buffer) throw new Error('gemm: the output may not alias an input');
  }
  const which = gemmKernel(device, g);
  if (isMatvec(which)) {
    matvec(
      device,
      enc,
      {
        a: g.a,
        b: g.b,
        c: g.c,
        M: g.M,
        N: g.N,
        K: g.K,
        lda,
        ldb,
        ldc,
        aOff: g.aOff ?? 0,
        cOff: g.cOff ?? 0,
        bDtype: g.bDtype ?? 'f32',
        bias: g.bias,
        biasOff: g.biasOff ?? 0,
        alpha: g.alpha ?? 1,
        accumulate: g.accumulate ?? false,
        noBias: dummyBuffer(device),
      },
      which,
    );
    return;
  }
  if (isExtra(which)) {
    runGemmVariant(device, enc, which, {
      a: g.a,
      b: g.b,
      c: g.c,
      bias: g.bias ?? dummyBuffer(device),
      M: g.M,
      N: g.N,
      K: g.K,
      lda,
      ldb,
      ldc,
      aOff: g.aOff ?? 0,
      cOff: g.cOff ?? 0,
      biasOff: g.biasOff ?? 0,
      hasBias: g.bias !== undefined,
      alpha: g.alpha ?? 1,
      accumulate: g.accumulate ?? false,
      transA,
      transB,
      bDtype: g.bDtype ?? 'f32',
    });
    return;
  }
  const tile8 = which === 'tile8x8';
  const weightDtype = WEIGHT_DTYPE[g.bDtype ?? 'f32'];
  const tile = tile8 ? 128 : GEMM_TILE;
  runKernel(
    device,
    enc,
    tile8 ? TILE8 : TILED,
    { a: g.a, b: g.b, bias: g.bias ?? dummyBuffer(device), c: g.c },
    gemmUniform({
      M: g.M,
      N: g.N,
      K: g.K,
      lda,
      ldb,
      ldc,
      aOff: g.aOff ?? 0,
      cOff: g.cOff ?? 0,
      biasOff: g.biasOff ?? 0,
      accumulate: g.accumulate ?? false,
      hasBias: g.bias !== undefined,
      alpha: g.alpha ?? 1,
    }),
    [Math.ceil(g.N / tile), Math.ceil(g.M / tile)],
    {
      constants: tile8
        ? { TRANS_B: transB ? 1 : 0, WEIGHT_DTYPE: weightDtype }
        : { TRANS_A: transA ? 1 : 0, TRANS_B: transB ? 1 : 0, WEIGHT_DTYPE: weightDtype },
    },
  );
}

export interface LinearOptions {
  /** f32 [out] bias (Qwen2's q/k/v). */
  bias?: GPUBuffer;
  accumulate?: boolean;
  alpha?: number;
}

/** y[T, out] = x[T, in]·Wᵀ (+ bias), W [out, in] in any dtype, chunk by chunk of W's rows. */
export function linearForward(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  x: GPUBuffer,
  w: Tensor,
  y: GPUBuffer,
  T: number,
  opts: LinearOptions = {},
): void {
  const [out, inF] = w.shape;
  for (const ch of w.chunks) {
    gemm(device, enc, {
      a: x,
      b: ch.buffer,
      c: y,
      M: T,
      N: ch.rows,
      K: inF,
      ldc: out,
      cOff: ch.rowStart,
      bDtype: w.dtype,
      bias: opts.bias,
      biasOff: ch.rowStart,
      alpha: opts.alpha,
      accumulate: opts.accumulate,
    });
  }
}

/** dx[T, in] (+)= dy[T, out]·W — the input gradient through a frozen weight. */
export function linearBackwardInput(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  dy: GPUBuffer,
  w: Tensor,
  dx: GPUBuffer,
  T: number,
  opts: { accumulate?: boolean; alpha?: number } = {},
): void {
  const [out, inF] = w.shape;
  w.chunks.forEach((ch, i) => {
    gemm(device, enc, {
      a: dy,
      b: ch.buffer,
      c: dx,
      M: T,
      N: inF,
      K: ch.rows,
      lda: out,
      aOff: ch.rowStart,
      ldb: inF,
      transB: false,
      bDtype: w.dtype,
      alpha: opts.alpha,
      // Later chunks add their share of the sum over `out`.
      accumulate: i > 0 || opts.accumulate,
    });
  });
}

/** dw[out, in] (+)= alpha·dy[T, out]ᵀ·x[T, in] — the weight gradient (f32 weights, e.g. LoRA). */
export function linearBackwardWeight(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  dy: GPUBuffer,
  x: GPUBuffer,
  dw: GPUBuffer,
  T: number,
  out: number,
  inF: number,
  opts: { accumulate?: boolean; alpha?: number } = {},
): void {
  gemm(device, enc, {
    a: dy,
    b: x,
    c: dw,
    M: out,
    N: inF,
    K: T,
    lda: out,
    ldb: inF,
    transA: true,
    transB: false,
    alpha: opts.alpha,
    accumulate: opts.accumulate,
  });
}

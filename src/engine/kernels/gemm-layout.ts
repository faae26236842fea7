// The layout every shader of the GEMM family shares (matmul.wgsl, matmul_tile8.wgsl, matvec.wgsl
// and any variant added to GEMM_VARIANTS): storage bindings a, b, bias, c and one Params uniform
// { M, N, K, lda, ldb, ldc, a_off, c_off, bias_off, accumulate, has_bias, alpha }. Declared once
// here, so a new variant is one `gemmSpec(…)` line; wgsl-layout.test.ts holds each to its WGSL.
import { kernelSpec, type KernelSpec } from '../runtime/spec.ts';

export const GEMM_BINDINGS = ['a', 'b', 'bias', 'c'] as const;
export const GEMM_UNIFORM = [
  ['M', 'u32'],
  ['N', 'u32'],
  ['K', 'u32'],
  ['lda', 'u32'],
  ['ldb', 'u32'],
  ['ldc', 'u32'],
  ['a_off', 'u32'],
  ['c_off', 'u32'],
  ['bias_off', 'u32'],
  ['accumulate', 'u32'],
  ['has_bias', 'u32'],
  ['alpha', 'f32'],
] as const;

export type GemmBinding = (typeof GEMM_BINDINGS)[number];
export type GemmUniform = (typeof GEMM_UNIFORM)[number][0];
export type GemmSpec = KernelSpec<GemmBinding, GemmUniform>;

/** Declares one GEMM-family entry point of `file` (shaders/FILE, its text `source`). */
export function gemmSpec(file: string, source: string, entryPoint: string): GemmSpec {
  return kernelSpec({ file, source, entryPoint, bindings: GEMM_BINDINGS, uniform: GEMM_UNIFORM });
}

/** The uniform's values; booleans become 0/1. */
export function gemmUniform(u: {
  M: number;
  N: number;
  K: number;
  lda: number;
  ldb: number;
  ldc: number;
  aOff: number;
  cOff: number;
  biasOff: number;
  accumulate: boolean;
  hasBias: boolean;
  alpha: number;
}): Record<GemmUniform, number> {
  return {
    M: u.M,
    N: u.N,
    K: u.K,
    lda: u.lda,
    ldb: u.ldb,
    ldc: u.ldc,
    a_off: u.aOff,
    c_off: u.cOff,
    bias_off: u.biasOff,
    accumulate: u.accumulate ? 1 : 0,
    has_bias: u.hasBias ? 1 : 0,
    alpha: u.alpha,
  };
}

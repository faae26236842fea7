// LoRA branch of a linear layer, forward and backward (PEFT semantics):
//   y += scale·(dropout(x)·Aᵀ)·Bᵀ,  A [r, in], B [out, r], scale = lora_alpha / r.
// Dropout's mask is a hash of (seed, index), so backward regenerates it instead of storing it.
import src from '../../../shaders/lora.wgsl?raw';
import { kernelSpec, runKernel } from '../runtime/spec.ts';
import { grid1d } from '../runtime/grid.ts';
import { gemm } from './matmul.ts';
import { refRange, type BufferRef } from '../runtime/buffers.ts';

const DROPOUT = kernelSpec({
  file: 'lora.wgsl',
  source: src,
  entryPoint: 'dropout',
  bindings: ['x', 'out'],
  uniform: [
    ['n', 'u32'],
    ['seed', 'u32'],
    ['p', 'f32'],
    ['scale', 'f32'],
    ['accumulate', 'u32'],
  ],
});

/** out (+)= x·mask/(1−p), mask[i] = hash(seed, i) ≥ p. p = 0 copies (scaled by 1). */
export function dropout(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  a: { x: GPUBuffer; out: GPUBuffer; n: number; p: number; seed: number; accumulate?: boolean },
): void {
  const u = { n: a.n, seed: a.seed >>> 0, p: a.p, scale: 1 / (1 - a.p), accumulate: a.accumulate ? 1 : 0 };
  runKernel(device, enc, DROPOUT, a, u, grid1d(device, a.n));
}

// CPU mirror of the WGSL hash, for references and debugging.
function pcg(v: number): number {
  const s = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const w = Math.imul(((s >>> ((s >>> 28) + 4)) ^ s) >>> 0, 277803737) >>> 0;
  return ((w >>> 22) ^ w) >>> 0;
}

/** The dropout multiplier (0 or 1/(1−p)) the GPU applies at each index. */
export function dropoutMask(seed: number, n: number, p: number): Float32Array {
  const out = new Float32Array(n);
  const hs = pcg(seed >>> 0);
  const scale = Math.fround(1 / (1 - p));
  for (let i = 0; i < n; i++) {
    const h = pcg((i ^ hs) >>> 0);
    out[i] = Math.fround((h >>> 8) * (1 / 16777216)) >= Math.fround(p) ? scale : 0;
  }
  return out;
}

export interface LoraShape {
  T: number;
  inF: number;
  outF: number;
  r: number;
  /** lora_alpha / r (or alpha/sqrt(r) with rsLoRA). */
  scale: number;
  dropout?: { p: number; seed: number };
}

export interface LoraForwardArgs extends LoraShape {
  x: GPUBuffer;
  /** f32 [r, in] */
  a: BufferRef;
  /** f32 [out, r] */
  b: BufferRef;
  /** [T, out], accumulated into (it holds the base layer's output). */
  y: GPUBuffer;
  /** [T, r]: X·Aᵀ, saved for backward. */
  h: GPUBuffer;
  /** [T, in] scratch for dropout(x); needed only when dropout p > 0. */
  xd?: GPUBuffer;
}

function dropped(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  a: LoraShape & { x: GPUBuffer; xd?: GPUBuffer },
): GPUBuffer {
  if (!a.dropout || a.dropout.p <= 0) return a.x;
  if (!a.xd) throw new Error('lora: dropout needs an xd scratch buffer [T, in]');
  dropout(device, enc, { x: a.x, out: a.xd, n: a.T * a.inF, p: a.dropout.p, seed: a.dropout.seed });
  return a.xd;
}

export function loraForward(device: GPUDevice, enc: GPUCommandEncoder, a: LoraForwardArgs): void {
  const x = dropped(device, enc, a);
  gemm(device, enc, { a: x, b: a.a, c: a.h, M: a.T, N: a.r, K: a.inF });
  gemm(device, enc, { a: a.h, b: a.b, c: a.y, M: a.T, N: a.outF, K: a.r, alpha: a.scale, accumulate: true });
}

export interface LoraBackwardArgs extends LoraShape {
  x: GPUBuffer;
  a: BufferRef;
  b: BufferRef;
  /** Saved X·Aᵀ [T, r] from forward. */
  h: GPUBuffer;
  dy: GPUBuffer;
  /** [r, in] and [out, r] gradients. */
  dA: BufferRef;
  dB: BufferRef;
  /** [T, in]: the LoRA share is added to it (it holds the base layer's dX). Omit to skip. */
  dx?: GPUBuffer;
  /** [T, r] scratch. */
  dh: GPUBuffer;
  /** [T, in] scratch, needed when dropout p > 0 (regenerated dropout(x), then the dX share). */
  xd?: GPUBuffer;
  /** Add to dA/dB instead of overwriting (gradient accumulation over micro-batches). */
  accumulate?: boolean;
}

export function loraBackward(device: GPUDevice, enc: GPUCommandEncoder, a: LoraBackwardArgs): void {
  const { T, inF, outF, r, scale } = a;
  // dH = s·dY·B ; dB = s·dYᵀ·H
  gemm(device, enc, { a: a.dy, b: a.b, c: a.dh, M: T, N: r, K: outF, transB: false, alpha: scale });
  gemm(device, enc, {
    a: a.dy,
    b: a.h,
    c: a.dB,
    M: outF,
    N: r,
    K: T,
    transA: true,
    transB: false,
    alpha: scale,
    accumulate: a.accumulate,
  });
  // dA = dHᵀ·dropout(X)
  const x = dropped(device, enc, a);
  gemm(device, enc, {
    a: a.dh,
    b: x,
    c: a.dA,
    M: r,
    N: inF,
    K: T,
    transA: true,
    transB: false,
    accumulate: a.accumulate,
  });
  if (!a.dx) return;
  // dX += mask·(dH·A)
  if (a.dropout && a.dropout.p > 0) {
    const tmp = a.xd!;
    gemm(device, enc, { a: a.dh, b: a.a, c: tmp, M: T, N: inF, K: r, transB: false });
    dropout(device, enc, { x: tmp, out: a.dx, n: T * inF, p: a.dropout.p, seed: a.dropout.seed, accumulate: true });
  } else {
    gemm(device, enc, { a: a.dh, b: a.a, c: a.dx, M: T, N: inF, K: r, transB: false, accumulate: true });
  }
}

/**
 * A LoRA group (modules sharing their input X, see plan/tensors.ts's LoraGroup): `a` is the
 * members' A matrices back to back, [rows = members·r, in]; hT [rows, ld] holds member i's
 * (X·A_iᵀ)ᵀ in rows i·r… (row stride ld ≥ T). No dropout (its mask differs per module).
 */
export interface LoraGroupShape {
  T: number;
  inF: number;
  r: number;
  /** members·r */
  rows: number;
  ld: number;
}

/** hT = A_group·Xᵀ: every member's first product in one GEMM. */
export function loraGroupForwardA(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  g: LoraGroupShape & { x: GPUBuffer; a: BufferRef; hT: GPUBuffer },
): void {
  gemm(device, enc, { a: g.a, b: g.x, c: g.hT, M: g.rows, N: g.T, K: g.inF, ldc: g.ld });
}

/** y += scale·h_i·B_iᵀ, h_i = member i's block of hT (transposed back). */
export function loraGroupForwardB(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  g: LoraGroupShape & { hT: GPUBuffer; i: number; b: BufferRef; y: GPUBuffer; outF: number; scale: number },
): void {
  gemm(device, enc, {
    a: g.hT,
    transA: true,
    aOff: g.i * g.r * g.ld,
    lda: g.ld,
    b: g.b,
    c: g.y,
    M: g.T,
    N: g.outF,
    K: g.r,
    alpha: g.scale,
    accumulate: true,
  });
}

/**
 * Member i's share of backward: dhT_i = s·B_iᵀ·dYᵢᵀ into dhT's rows i·r…, and dB_i (+)= s·dYᵢᵀ·h_i
 * (h_i read as its own 256-byte-aligned range of hT).
 */
export function loraGroupBackwardMember(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  g: LoraGroupShape & {
    i: number;
    b: BufferRef;
    dy: GPUBuffer;
    hT: GPUBuffer;
    dhT: GPUBuffer;
    dB: BufferRef;
    outF: number;
    scale: number;
    accumulate?: boolean;
  },
): void {
  const { T, r, ld, outF, scale } = g;
  gemm(device, enc, {
    a: g.b,
    transA: true,
    b: g.dy,
    c: g.dhT,
    cOff: g.i * r * ld,
    ldc: ld,
    M: r,
    N: T,
    K: outF,
    alpha: scale,
  });
  const block = { buffer: g.hT, offset: g.i * r * ld * 4, size: r * ld * 4 };
  gemm(device, enc, {
    a: g.dy,
    transA: true,
    b: block,
    ldb: ld,
    c: g.dB,
    M: outF,
    N: r,
    K: T,
    alpha: scale,
    accumulate: g.accumulate,
  });
}

/** The group's tail of backward, after every member's: dA_group (+)= dhT·X and dX += dhTᵀ·A_group. */
export function loraGroupBackwardInput(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  g: LoraGroupShape & {
    x: GPUBuffer;
    a: BufferRef;
    dhT: GPUBuffer;
    dA: BufferRef;
    dx: GPUBuffer;
    accumulate?: boolean;
  },
): void {
  const { T, inF, rows, ld } = g;
  gemm(device, enc, {
    a: g.dhT,
    lda: ld,
    b: g.x,
    transB: false,
    c: g.dA,
    M: rows,
    N: inF,
    K: T,
    accumulate: g.accumulate,
  });
  gemm(device, enc, {
    a: g.dhT,
    transA: true,
    lda: ld,
    b: g.a,
    transB: false,
    c: g.dx,
    M: T,
    N: inF,
    K: rows,
    accumulate: true,
  });
}

/** Ranges that lie back to back in one buffer, as one range (a LoRA group's A matrices or their gradients). */
export function joinRanges(refs: BufferRef[], what: string): BufferRef {
  const rs = refs.map(refRange);
  for (let i = 1; i < rs.length; i++)
    if (rs[i].buffer !== rs[0].buffer || rs[i].offset !== rs[i - 1].offset + rs[i - 1].size)
      throw new Error(`lora: the ${what} of a LoRA group are not back to back in one buffer (memory plan mismatch)`);
  return { buffer: rs[0].buffer, offset: rs[0].offset, size: rs.reduce((s, r) => s + r.size, 0) };
}

// Every gemm variant (GEMM_VARIANTS) against a float64 reference, whatever the adapter would
// pick: awkward sizes (not multiples of any tile: 131×133 spans two 128-tiles and three
// 64-tiles each way, K=19 leaves a partial 8- and 16-deep slice), M from 1 to a few rows,
// odd K, W stored [N, K] and [K, N], A stored [M, K] and [K, M] (LoRA's weight gradients),
// f32 / bf16 / f16 weights, strided and offset A and C (the gaps must stay untouched), bias,
// alpha and accumulation; some cases are aligned for 'vec4' (K, lda, aOff, ldb multiples of 8).
// A variant that does not apply to a case (gemmVariantApplies) must be refused by gemm, not
// run; a variant that applies to no case on this adapter (e.g. 'subgroup' without the
// subgroups feature) is reported as skipped, with the reason in its title.
// Bound: f32 sums of ≤ 40 O(1) products: max error ≤ 1e-5 × max|C|.
import { beforeAll, expect, it } from 'vitest';
import { nodeDevice } from '../../cli/node-gpu.ts';
import { maxRelErr, rng } from '../testing/random.ts';
import { read, runChecked, upload } from '../testing/gpu.ts';
import { roundTo, toHalfBits, type DType } from '../tensor/dtype.ts';
import { GEMM_VARIANTS, gemm, gemmVariantApplies, type GemmArgs } from './matmul.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = await nodeDevice();
});

const TOL = 1e-5;

interface Case {
  /** W's dtype. Each case has one: SwiftShader compiles a pipeline per (dtype, layout) for seconds. */
  dtype: DType;
  M: number;
  N: number;
  K: number;
  transB: boolean;
  transA?: boolean;
  lda?: number;
  ldb?: number;
  ldc?: number;
  aOff?: number;
  cOff?: number;
  bias?: boolean;
  alpha?: number;
  accumulate?: boolean;
}

const CASES: Case[] = [
  {
    dtype: 'f32',
    M: 131,
    N: 133,
    K: 19,
    transB: true,
    lda: 22,
    aOff: 5,
    ldc: 135,
    cOff: 1,
    bias: true,
    alpha: 0.75,
    accumulate: true,
  },
  { dtype: 'f32', M: 7, N: 45, K: 37, transB: false, ldb: 46 }, // dX = dY·W: W [K, N]
  { dtype: 'f32', M: 1, N: 129, K: 9, transB: true, bias: true },
  { dtype: 'f32', M: 130, N: 3, K: 8, transB: false, accumulate: true },
  // dA = dHᵀ·X: A stored [K, M] (transA), W [K, N]; and a transposed A with W [N, K].
  { dtype: 'f32', M: 9, N: 21, K: 13, transA: true, transB: false, lda: 11, aOff: 2, accumulate: true },
  { dtype: 'f32', M: 33, N: 10, K: 7, transA: true, transB: true, lda: 34, bias: true },
  // vec4-aligned (K, lda, aOff, ldb multiples of 8); ldc and cOff odd.
  {
    dtype: 'bf16',
    M: 67,
    N: 70,
    K: 40,
    transB: true,
    lda: 44,
    aOff: 4,
    ldb: 48,
    ldc: 71,
    cOff: 3,
    bias: true,
    alpha: -1.5,
    accumulate: true,
  },
  { dtype: 'bf16', M: 5, N: 37, K: 24, transB: true, bias: true, accumulate: true },
  { dtype: 'bf16', M: 20, N: 30, K: 11, transB: false, ldb: 31, alpha: 2 }, // dX through bf16 weights
  { dtype: 'f16', M: 3, N: 200, K: 33, transB: true, lda: 35, aOff: 1, alpha: 0.5 },
  { dtype: 'f16', M: 40, N: 50, K: 16, transB: true, lda: 20, ldc: 53, cOff: 2, bias: true },
  { dtype: 'f32', M: 12, N: 9, K: 12, transB: true, lda: 16, aOff: 8, ldb: 12, accumulate: true },
];

/** Packs f32 values as the GPU holds `dtype` (two 16-bit values per u32, element 2e low). */
function packed(dtype: DType, w: Float32Array): Float32Array | Uint32Array {
  if (dtype === 'f32') return w;
  const h = toHalfBits(dtype, w);
  const u = new Uint16Array(h.length + (h.length % 2));
  u.set(h);
  return new Uint32Array(u.buffer);
}

/** The arguments of a case with every default filled in, before any buffer exists. */
function layout(cs: Case) {
  const transA = cs.transA ?? false;
  return {
    ...cs,
    transA,
    lda: cs.lda ?? (transA ? cs.M : cs.K),
    ldb: cs.ldb ?? (cs.transB ? cs.K : cs.N),
    aOff: cs.aOff ?? 0,
  };
}

async function check(variant: (typeof GEMM_VARIANTS)[number], cs: Case): Promise<void> {
  const { M, N, K, transB, dtype } = cs;
  const transA = cs.transA ?? false;
  const lda = cs.lda ?? (transA ? M : K),
    ldb = cs.ldb ?? (transB ? K : N),
    ldc = cs.ldc ?? N;
  const aOff = cs.aOff ?? 0,
    cOff = cs.cOff ?? 0,
    alpha = cs.alpha ?? 1;
  const r = rng(M * 131 + N * 7 + K + (transB ? 1 : 0));
  const aAll = r.normal(aOff + (transA ? (K - 1) * lda + M : (M - 1) * lda + K));
  const bAll = r.normal(transB ? (N - 1) * ldb + K : (K - 1) * ldb + N, 0.5);
  const bias = r.normal(N);
  const cInit = r.normal(cOff + (M - 1) * ldc + N + 2);
  const c = upload(device, cInit);
  const args: GemmArgs = {
    a: upload(device, aAll),
    b: upload(device, packed(dtype, bAll)),
    c,
    M,
    N,
    K,
    lda,
    ldb,
    ldc,
    aOff,
    cOff,
    transA,
    transB,
    bDtype: dtype,
    bias: cs.bias ? upload(device, bias) : undefined,
    alpha,
    accumulate: cs.accumulate,
    kernel: variant,
  };
  await runChecked(device, (enc) => gemm(device, enc, args));
  const bR = roundTo(dtype, bAll);
  const want = Float64Array.from(cInit);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++)
        s += aAll[aOff + (transA ? k * lda + i : i * lda + k)] * bR[transB ? j * ldb + k : k * ldb + j];
      const ci = cOff + i * ldc + j;
      want[ci] = alpha * s + (cs.bias ? bias[j] : 0) + (cs.accumulate ? cInit[ci] : 0);
    }
  }
  expect(maxRelErr(await read(device, c), want)).toBeLessThan(TOL);
}

const title = (c: Case) => `${c.M}×${c.N}×${c.K}${c.transA ? ' Aᵀ' : ''}${c.transB ? '' : ' (W [K,N])'} ${c.dtype}`;

for (const variant of GEMM_VARIANTS) {
  it(`gemm variant ${variant}: ${CASES.map(title).join(', ')}`, async (ctx) => {
    const dummy = device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE });
    const applies = (cs: Case) =>
      gemmVariantApplies(
        device,
        { ...layout(cs), bias: undefined, a: dummy, b: dummy, c: dummy, bDtype: cs.dtype },
        variant,
      );
    if (!CASES.some(applies)) {
      // Reported, not passed: on this adapter the variant has nothing to run.
      ctx.skip(`${variant} applies to none of the cases on this adapter (features: ${[...device.features]})`);
    }
    const ran: DType[] = [];
    for (const cs of CASES) {
      if (!applies(cs)) {
        await expect(check(variant, cs)).rejects.toThrow(/does not apply/);
        continue;
      }
      await check(variant, cs);
      ran.push(cs.dtype);
    }
    // Every variant meets every weight dtype at least once.
    expect([...new Set(ran)].sort()).toEqual(['bf16', 'f16', 'f32']);
  });
}

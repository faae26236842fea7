// Every gemm variant (GEMM_VARIANTS) against a float64 reference, whatever the adapter would
// pick: awkward sizes (not multiples of any tile: 131×133 spans two 128-tiles and three
// 64-tiles each way, K=19 leaves a partial 8- and 16-deep slice), W stored [N, K] and [K, N],
// f32 / bf16 / f16 weights, strided and offset A and C (the gaps must stay untouched), bias,
// alpha and accumulation. A variant that does not apply to a case (gemmVariantApplies) must
// be refused by gemm, not run.
// Bound: f32 sums of ≤ 37 O(1) products: max error ≤ 1e-5 × max|C|.
import { beforeAll, describe, expect, it } from 'vitest';
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
  M: number;
  N: number;
  K: number;
  transB: boolean;
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
  { M: 7, N: 45, K: 37, transB: false, ldb: 46 }, // dX = dY·W: W [K, N]
  { M: 1, N: 129, K: 9, transB: true, bias: true },
  { M: 130, N: 3, K: 8, transB: false, accumulate: true },
];

/** Packs f32 values as the GPU holds `dtype` (two 16-bit values per u32, element 2e low). */
function packed(dtype: DType, w: Float32Array): Float32Array | Uint32Array {
  if (dtype === 'f32') return w;
  const h = toHalfBits(dtype, w);
  const u = new Uint16Array(h.length + (h.length % 2));
  u.set(h);
  return new Uint32Array(u.buffer);
}

async function check(variant: (typeof GEMM_VARIANTS)[number], dtype: DType, cs: Case): Promise<void> {
  const { M, N, K, transB } = cs;
  const lda = cs.lda ?? K,
    ldb = cs.ldb ?? (transB ? K : N),
    ldc = cs.ldc ?? N;
  const aOff = cs.aOff ?? 0,
    cOff = cs.cOff ?? 0,
    alpha = cs.alpha ?? 1;
  const r = rng(M * 131 + N * 7 + K + (transB ? 1 : 0));
  const aAll = r.normal(aOff + (M - 1) * lda + K);
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
      for (let k = 0; k < K; k++) s += aAll[aOff + i * lda + k] * bR[transB ? j * ldb + k : k * ldb + j];
      const ci = cOff + i * ldc + j;
      want[ci] = alpha * s + (cs.bias ? bias[j] : 0) + (cs.accumulate ? cInit[ci] : 0);
    }
  }
  expect(maxRelErr(await read(device, c), want)).toBeLessThan(TOL);
}

for (const variant of GEMM_VARIANTS) {
  describe(`gemm variant ${variant}`, () => {
    for (const dtype of ['f32', 'bf16', 'f16'] as const) {
      it(`${dtype}: ${CASES.map((c) => `${c.M}×${c.N}×${c.K}${c.transB ? '' : ' (W [K,N])'}`).join(', ')}`, async () => {
        let ran = 0;
        for (const cs of CASES) {
          const probe = {
            a: device.createBuffer({ size: 4, usage: GPUBufferUsage.STORAGE }),
            M: cs.M,
            N: cs.N,
            K: cs.K,
            transB: cs.transB,
          };
          if (!gemmVariantApplies(device, { ...probe, b: probe.a, c: probe.a }, variant)) {
            await expect(check(variant, dtype, cs)).rejects.toThrow(/does not apply/);
            continue;
          }
          await check(variant, dtype, cs);
          ran++;
        }
        expect(ran).toBeGreaterThan(0);
      });
    }
  });
}

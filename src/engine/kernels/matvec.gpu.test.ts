// shaders/matvec.wgsl (the decode-step product, M ≤ 8 rows) against float64 references, in both
// layouts whatever the adapter: awkward K (1, 2, odd, past 32 lanes × a word), 16-bit rows that
// start mid-word (odd K or odd ldb), strided and offset A and C, bias, alpha, accumulation,
// weights split into row chunks, and a grid folded into 2-D.
// Bound: f32 sums of ≤ 301 O(1) products: max error ≤ 1e-5 × max|Y|.
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeDevice } from '../../cli/node-gpu.ts';
import { linearRef } from '../testing/reference.ts';
import { maxRelErr, rng } from '../testing/random.ts';
import { read, runChecked, upload, zeros } from '../testing/gpu.ts';
import { roundTo, toHalfBits, type DType } from '../tensor/dtype.ts';
import { weightTensor } from '../tensor/tensor.ts';
import { deviceIsCpu } from '../runtime/adapter.ts';
import { gemm, gemmKernel, linearForward } from './matmul.ts';
import { matvec, matvecLayout, type MatvecLayout } from './matvec.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = await nodeDevice();
});

const TOL = 1e-5;

/** Packs f32 values as the GPU holds `dtype` (two 16-bit values per u32, element 2e low). */
function packed(dtype: DType, w: Float32Array): Float32Array | Uint32Array {
  if (dtype === 'f32') return w;
  const h = toHalfBits(dtype, w);
  const u = new Uint16Array(h.length + (h.length % 2));
  u.set(h);
  return new Uint32Array(u.buffer);
}

interface Case {
  M: number;
  N: number;
  K: number;
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
  { M: 1, N: 70, K: 67 }, // odd K: every other 16-bit row starts mid-word
  { M: 5, N: 9, K: 2, lda: 7, aOff: 3, ldb: 5, ldc: 13, cOff: 4, bias: true, alpha: 0.5, accumulate: true },
  { M: 8, N: 133, K: 1, bias: true },
  { M: 8, N: 37, K: 301, ldb: 303, alpha: -1.25 }, // > 32 lanes × 2 per word, mid-word rows and tails
  { M: 3, N: 1, K: 64, accumulate: true },
];

async function check(layout: MatvecLayout, dtype: DType, cs: Case): Promise<void> {
  const { M, N, K } = cs;
  const lda = cs.lda ?? K,
    ldb = cs.ldb ?? K,
    ldc = cs.ldc ?? N,
    aOff = cs.aOff ?? 0,
    cOff = cs.cOff ?? 0;
  const r = rng(M * 7919 + N * 31 + K + ldb);
  const aAll = r.normal(aOff + (M - 1) * lda + K);
  const wAll = r.normal((N - 1) * ldb + K, 0.5);
  const bias = r.normal(N);
  const cInit = r.normal(cOff + (M - 1) * ldc + N + 3);
  const c = upload(device, cInit);
  await runChecked(device, (enc) =>
    gemm(device, enc, {
      a: upload(device, aAll),
      b: upload(device, packed(dtype, wAll)),
      c,
      M,
      N,
      K,
      lda,
      ldb,
      ldc,
      aOff,
      cOff,
      bDtype: dtype,
      bias: cs.bias ? upload(device, bias) : undefined,
      alpha: cs.alpha,
      accumulate: cs.accumulate,
      kernel: layout,
    }),
  );
  // Dense copies of the strided operands for the plain float64 reference.
  const x = new Float32Array(M * K);
  for (let m = 0; m < M; m++) x.set(aAll.subarray(aOff + m * lda, aOff + m * lda + K), m * K);
  const wRound = roundTo(dtype, wAll);
  const w = new Float32Array(N * K);
  for (let j = 0; j < N; j++) w.set(wRound.subarray(j * ldb, j * ldb + K), j * K);
  const prod = linearRef(x, w, M, N, K);
  const want = Float64Array.from(cInit);
  for (let m = 0; m < M; m++) {
    for (let j = 0; j < N; j++) {
      const i = cOff + m * ldc + j;
      want[i] = (cs.alpha ?? 1) * prod[m * N + j] + (cs.bias ? bias[j] : 0) + (cs.accumulate ? cInit[i] : 0);
    }
  }
  // Compared whole: the strides' gaps and the padding after C must be untouched.
  expect(maxRelErr(await read(device, c), want)).toBeLessThan(TOL);
}

for (const layout of ['narrow', 'wide'] as const) {
  describe(`matvec ${layout}`, () => {
    for (const dtype of ['f32', 'bf16', 'f16'] as const) {
      it(`${dtype}: ${CASES.map((c) => `${c.M}×${c.N}×${c.K}`).join(', ')}`, async () => {
        for (const cs of CASES) await check(layout, dtype, cs);
      });
    }
  });
}

describe('gemm routing', () => {
  it('runs X·Wᵀ with 1–8 rows on the adapter’s matvec layout, everything else tiled', () => {
    const b = zeros(device, 4);
    const base = { a: b, b, c: b, N: 4, K: 4 };
    const layout = matvecLayout(device);
    expect(layout).toBe(deviceIsCpu(device) ? 'narrow' : 'wide');
    expect(gemmKernel(device, { ...base, M: 1 })).toBe(layout);
    expect(gemmKernel(device, { ...base, M: 8 })).toBe(layout);
    expect(gemmKernel(device, { ...base, M: 9 })).toBe('tiled');
    expect(gemmKernel(device, { ...base, M: 2, transB: false })).toBe('tiled');
    expect(gemmKernel(device, { ...base, M: 2, transA: true })).toBe('tiled');
    expect(() => gemmKernel(device, { ...base, M: 9, kernel: 'wide' })).toThrow(/1–8 rows/);
  });

  it('linearForward on chunked bf16 weights (odd row size, 6-row chunks), 3 rows, with bias', async () => {
    const [T, out, inF] = [3, 67, 33];
    const r = rng(4242);
    const x = r.normal(T * inF);
    const w = r.normal(out * inF, 0.5);
    const bias = r.normal(out);
    const wt = weightTensor(device, w, [out, inF], 'bf16', 'w', 7 * inF * 2);
    expect(wt.chunks.length).toBe(12);
    const y = zeros(device, T * out);
    await runChecked(device, (enc) =>
      linearForward(device, enc, upload(device, x), wt, y, T, { bias: upload(device, bias) }),
    );
    expect(maxRelErr(await read(device, y), linearRef(x, roundTo('bf16', w), T, out, inF, bias))).toBeLessThan(TOL);
  });
});

describe('grid folding', () => {
  // grid1d folds past the device's 65,535 workgroups per dimension; foldAt moves that point down
  // so the shader's group = wid.x + wid.y·nwg.x is checked here with 23 groups on a 5×5 grid
  // (the two extra groups find no columns).
  for (const [layout, cols] of [
    ['wide', 8],
    ['narrow', 64],
  ] as const) {
    it(`${layout}: a grid folded into 2-D covers every column once`, async () => {
      const [M, K] = [2, 3];
      const N = 22 * cols + 5;
      const r = rng(cols);
      const x = r.normal(M * K);
      const w = r.normal(N * K);
      const c = upload(device, new Float32Array(M * N).fill(7));
      await runChecked(device, (enc) =>
        matvec(
          device,
          enc,
          {
            a: upload(device, x),
            b: upload(device, packed('bf16', w)),
            c,
            M,
            N,
            K,
            lda: K,
            ldb: K,
            ldc: N,
            aOff: 0,
            cOff: 0,
            bDtype: 'bf16',
            biasOff: 0,
            alpha: 1,
            accumulate: true,
            noBias: zeros(device, 4),
            foldAt: 5,
          },
          layout,
        ),
      );
      // accumulate: a column written twice (or never) would be off by one product (or 7).
      const want = linearRef(x, roundTo('bf16', w), M, N, K).map((v) => v + 7);
      expect(maxRelErr(await read(device, c), want)).toBeLessThan(TOL);
    });
  }
});

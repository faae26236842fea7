// Matmul on SwiftShader against float64 CPU references, awkward sizes (not tile multiples),
// f32 / bf16 / f16 weights, weights split into row chunks, bias and accumulation.
// Bound: f32 accumulation over K ≤ 100 terms of O(1) values: max error ≤ 1e-5 × max|Y|.
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeDevice } from '../../cli/node-gpu.ts';
import { linearBackwardRef, linearRef } from '../testing/reference.ts';
import { maxRelErr, rng } from '../testing/random.ts';
import { read, runChecked, upload, zeros } from '../testing/gpu.ts';
import { roundTo, toHalfBits, type DType } from '../tensor/dtype.ts';
import { weightTensor } from '../tensor/tensor.ts';
import { linearBackwardInput, linearBackwardWeight, linearForward } from './matmul.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = await nodeDevice();
});

const TOL = 1e-5;

describe('linear forward Y = X·Wᵀ + b', () => {
  const cases: [number, number, number, DType, number | undefined][] = [
    [37, 19, 53, 'f32', undefined],
    [37, 19, 53, 'bf16', undefined],
    [37, 19, 53, 'f16', undefined],
    [5, 67, 33, 'bf16', 7 * 33 * 2], // odd row size, split into chunks of ≤ 7 rows (made even: 6)
    [70, 65, 17, 'f32', 11 * 17 * 4], // more than one 64-tile both ways, split in 11-row chunks
  ];
  for (const [T, out, inF, dtype, maxBytes] of cases) {
    it(`T=${T} out=${out} in=${inF} ${dtype}${maxBytes ? ' chunked' : ''}`, async () => {
      const r = rng(T * 1000 + out + inF);
      const x = r.normal(T * inF);
      const w = r.normal(out * inF, 0.5);
      const bias = r.normal(out);
      const wt = weightTensor(device, w, [out, inF], dtype, 'w', maxBytes);
      if (maxBytes) expect(wt.chunks.length).toBeGreaterThan(1);
      const y = zeros(device, T * out);
      const yAcc = upload(device, r.normal(T * out));
      const yAccInit = await read(device, yAcc);
      const xb = upload(device, x);
      const bb = upload(device, bias);
      await runChecked(device, (enc) => {
        linearForward(device, enc, xb, wt, y, T, { bias: bb });
        linearForward(device, enc, xb, wt, yAcc, T, { accumulate: true });
      });
      const wRef = roundTo(dtype, w);
      const want = linearRef(x, wRef, T, out, inF, bias);
      const got = await read(device, y);
      expect(maxRelErr(got, want)).toBeLessThan(TOL);
      const wantAcc = linearRef(x, wRef, T, out, inF).map((v, i) => v + yAccInit[i]);
      expect(maxRelErr(await read(device, yAcc), wantAcc)).toBeLessThan(TOL);
    });
  }
});

describe('linear backward', () => {
  for (const [T, out, inF, dtype, maxBytes] of [
    [37, 19, 53, 'bf16', undefined],
    [29, 41, 23, 'f16', 9 * 23 * 2],
    [66, 13, 71, 'f32', undefined],
  ] as [number, number, number, DType, number | undefined][]) {
    it(`dX = dY·W and dW = dYᵀ·X, T=${T} out=${out} in=${inF} ${dtype}${maxBytes ? ' chunked' : ''}`, async () => {
      const r = rng(T + 31 * out + 7 * inF);
      const x = r.normal(T * inF);
      const w = r.normal(out * inF, 0.5);
      const dy = r.normal(T * out);
      const wt = weightTensor(device, w, [out, inF], dtype, 'w', maxBytes);
      const xb = upload(device, x);
      const dyb = upload(device, dy);
      const dx = zeros(device, T * inF);
      const dw = zeros(device, out * inF);
      await runChecked(device, (enc) => {
        linearBackwardInput(device, enc, dyb, wt, dx, T);
        linearBackwardWeight(device, enc, dyb, xb, dw, T, out, inF);
      });
      const ref = linearBackwardRef(x, roundTo(dtype, w), dy, T, out, inF);
      expect(maxRelErr(await read(device, dx), ref.dx)).toBeLessThan(TOL);
      expect(maxRelErr(await read(device, dw), ref.dw)).toBeLessThan(TOL);
    });
  }
});

describe('weights from raw checkpoint bytes', () => {
  it('bf16 bytes as safetensors stores them give the same product as the rounded f32 reference', async () => {
    const [T, out, inF] = [9, 21, 15];
    const r = rng(99);
    const x = r.normal(T * inF);
    const w = r.normal(out * inF);
    const raw = new Uint8Array(toHalfBits('bf16', w).buffer);
    const wt = weightTensor(device, raw, [out, inF], 'bf16', 'w', 4 * inF * 2); // odd row size, 4-row chunks
    expect(wt.chunks.length).toBe(6);
    const y = zeros(device, T * out);
    await runChecked(device, (enc) => linearForward(device, enc, upload(device, x), wt, y, T));
    expect(maxRelErr(await read(device, y), linearRef(x, roundTo('bf16', w), T, out, inF))).toBeLessThan(TOL);
  });
});

describe('gemm argument checks', () => {
  it('rejects a too-small output buffer instead of writing out of bounds', () => {
    const wt = weightTensor(device, rng(1).normal(6 * 4), [6, 4], 'f32');
    const enc = device.createCommandEncoder();
    expect(() => linearForward(device, enc, zeros(device, 3 * 4), wt, zeros(device, 3 * 6 - 1), 3)).toThrow(
      /C needs 72 bytes/,
    );
    expect(() => linearForward(device, enc, zeros(device, 3 * 4 - 1), wt, zeros(device, 3 * 6), 3)).toThrow(
      /A needs 48 bytes/,
    );
  });
});

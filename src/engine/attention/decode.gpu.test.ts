// Decode attention (one query against a k/v cache) against the float64 CPU reference of causal
// GQA attention: its last row is what the new token sees. T > 64 exercises the strided loops.
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeDevice } from '../../cli/node-gpu.ts';
import { readF32, storageBuffer, submit } from '../runtime/index.ts';
import { attentionDecode } from './decode.ts';
import { attentionForwardRef } from './reference.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = await nodeDevice();
});

function rand(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 4 - 2);
}

describe('attentionDecode', () => {
  it.each([
    [1, 4, 4, 8],
    [37, 4, 2, 16],
    [150, 8, 2, 8],
    [70, 4, 1, 128],
    // Gemma: head dim 256, a window shorter than the cache, a soft cap.
    [90, 2, 1, 256, 24, 2],
    [150, 8, 2, 8, 100, 0],
  ])('T %i, heads %i/%i, head dim %i, window %s, soft cap %s', async (T, H, HKV, hd, window = 0, softcap = 0) => {
    const maxT = T + 5;
    const q = rand(T * H * hd, T + 1),
      k = rand(maxT * HKV * hd, T + 2),
      v = rand(maxT * HKV * hd, T + 3);
    const ref = attentionForwardRef(
      { T, nHeads: H, nKvHeads: HKV, headDim: hd, window, softcap },
      q,
      k.subarray(0, T * HKV * hd),
      v.subarray(0, T * HKV * hd),
      new Int32Array(T),
    );
    const qLast = q.subarray((T - 1) * H * hd);
    const bq = storageBuffer(device, qLast),
      bk = storageBuffer(device, k),
      bv = storageBuffer(device, v);
    const scores = storageBuffer(device, H * maxT * 4),
      out = storageBuffer(device, H * hd * 4);
    const enc = device.createCommandEncoder();
    attentionDecode(
      device,
      enc,
      { T, maxT, nHeads: H, nKvHeads: HKV, headDim: hd, window, softcap },
      { q: bq, k: bk, v: bv, scores, out },
    );
    submit(device, enc);
    const got = await readF32(device, out, H * hd);
    const want = ref.out.slice((T - 1) * H * hd, T * H * hd);
    let err = 0;
    for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i] - want[i]));
    expect(err).toBeLessThanOrEqual(1e-5);
    for (const b of [bq, bk, bv, scores, out]) b.destroy();
  });
});

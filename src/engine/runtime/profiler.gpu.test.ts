// The dispatch profiler against work whose dispatches are known by construction: a weight split
// into 3 row chunks is 3 gemm dispatches per linearForward (one per chunk), at 9 rows the tiled
// kernel ('matmul'), at 2 rows the matrix-vector one. GPU times where the device has
// timestamp-query (SwiftShader does), and a detached profiler no longer counts.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { nodeGPU } from '../../cli/node-gpu.ts';
import { acquireDevice } from '../device.ts';
import { linearForward } from '../kernels/matmul.ts';
import { matvecLayout } from '../kernels/matvec.ts';
import { upload, zeros } from '../testing/gpu.ts';
import { rng } from '../testing/random.ts';
import { weightTensor } from '../tensor/tensor.ts';
import { submit } from './kernel.ts';
import { DispatchProfiler, kernelTotals, profilerOf } from './profiler.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireDevice(nodeGPU())).device;
});
afterAll(() => device.destroy());

describe('DispatchProfiler', () => {
  it('counts every dispatch with its kernel, times them when the device can', async () => {
    const [out, inF] = [12, 8];
    const r = rng(5);
    const w = weightTensor(device, r.normal(out * inF), [out, inF], 'f32', 'w', 4 * inF * 4); // 3 chunks
    expect(w.chunks.length).toBe(3);
    const x = upload(device, r.normal(9 * inF));
    const y = zeros(device, 9 * out);
    const prof = new DispatchProfiler(device);
    onTestFinished(() => prof.detach());
    expect(() => new DispatchProfiler(device)).toThrow(/already has a profiler/);
    const enc = device.createCommandEncoder();
    linearForward(device, enc, x, w, y, 9);
    linearForward(device, enc, x, w, y, 2);
    submit(device, enc);
    expect(prof.dispatches).toBe(6);
    const recs = await prof.records();
    const mv = `matvec_${matvecLayout(device)}`;
    expect(recs.map((q) => q.kernel)).toEqual(['matmul', 'matmul', 'matmul', mv, mv, mv]);
    expect(prof.canTime).toBe(device.features.has('timestamp-query'));
    if (prof.canTime) for (const q of recs) expect(q.ns).toBeGreaterThan(0);
    else for (const q of recs) expect(q.ns).toBeUndefined();
    const totals = kernelTotals(recs);
    expect(totals.map((t) => [t.kernel, t.dispatches]).sort()).toEqual(
      [
        ['matmul', 3],
        [mv, 3],
      ].sort(),
    );
    expect(kernelTotals(recs, 3).map((t) => t.kernel)).toEqual([mv]);
    prof.detach();
    expect(profilerOf(device)).toBeUndefined();
    const enc2 = device.createCommandEncoder();
    linearForward(device, enc2, x, w, y, 9);
    submit(device, enc2);
    expect(prof.dispatches).toBe(6);
  });

  it('times only the dispatches recorded while timing is on', async () => {
    const prof = new DispatchProfiler(device);
    onTestFinished(() => prof.detach());
    const w = weightTensor(device, rng(2).normal(16), [4, 4], 'f32', 'w');
    const enc = device.createCommandEncoder();
    const fwd = () => linearForward(device, enc, zeros(device, 40), w, zeros(device, 40), 10);
    prof.timing = false;
    fwd();
    prof.timing = true;
    fwd();
    submit(device, enc);
    const recs = await prof.records();
    prof.detach();
    expect(recs.length).toBe(2);
    expect(recs[0].ns).toBeUndefined();
    if (prof.canTime) expect(recs[1].ns).toBeGreaterThan(0);
  });

  it('counts without timing when asked to', async () => {
    const prof = new DispatchProfiler(device, { timestamps: false });
    onTestFinished(() => prof.detach());
    const w = weightTensor(device, rng(1).normal(16), [4, 4], 'f32', 'w');
    const enc = device.createCommandEncoder();
    linearForward(device, enc, zeros(device, 40), w, zeros(device, 40), 10);
    submit(device, enc);
    const recs = await prof.records();
    prof.detach();
    expect(prof.canTime).toBe(false);
    expect(recs).toEqual([{ kernel: 'matmul', ns: undefined }]);
    expect(kernelTotals(recs)[0].ns).toBeNaN();
  });
});

// First real kernel test: WGSL from shaders/ on Dawn (SwiftShader without a GPU) against the
// same sum on the CPU, on random inputs of a size that is not a multiple of the workgroup.
import { describe, expect, it, beforeAll } from 'vitest';
import { nodeDevice } from '../cli/node-gpu.ts';
import residualWGSL from '../../shaders/residual.wgsl?raw';

let device: GPUDevice;
beforeAll(async () => {
  device = await nodeDevice();
});

function rand(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

describe('residual.wgsl add_inplace', () => {
  for (const n of [1, 257, 100_003]) {
    it(`adds ${n} random values like the CPU`, async () => {
      const x = rand(n, 1 + n);
      const y = rand(n, 7 * n);
      const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
      const xb = device.createBuffer({ size: x.byteLength, usage });
      const yb = device.createBuffer({ size: y.byteLength, usage });
      const pb = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(xb, 0, x);
      device.queue.writeBuffer(yb, 0, y);
      device.queue.writeBuffer(pb, 0, new Uint32Array([n, 0, 0, 0]));
      const module = device.createShaderModule({ code: residualWGSL });
      const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'add_inplace' } });
      const bind = device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [xb, yb, pb].map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
      const read = device.createBuffer({
        size: x.byteLength,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bind);
      const groups = Math.ceil(n / 256);
      const gx = Math.min(groups, 65535);
      pass.dispatchWorkgroups(gx, Math.ceil(groups / gx));
      pass.end();
      enc.copyBufferToBuffer(xb, 0, read, 0, x.byteLength);
      device.queue.submit([enc.finish()]);
      await read.mapAsync(GPUMapMode.READ);
      const got = new Float32Array(read.getMappedRange().slice(0));
      read.unmap();
      let maxErr = 0;
      for (let i = 0; i < n; i++) maxErr = Math.max(maxErr, Math.abs(got[i] - (x[i] + y[i])));
      // f32 addition of the same two f32 values is exact-rounded on both sides.
      expect(maxErr).toBeLessThanOrEqual(Math.fround(1e-7));
      expect(got[n - 1]).not.toBe(0);
    });
  }
});

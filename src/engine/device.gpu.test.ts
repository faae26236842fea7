// acquireDevice on Dawn (Node): real adapter limits, optional features reported as present,
// uncaptured errors and device loss surfaced to the callbacks with a reason.
import { describe, expect, it } from 'vitest';
import { nodeGPU } from '../cli/node-gpu.ts';
import { acquireDevice } from './device.ts';

describe('acquireDevice', () => {
  it('requests the adapter limits and reports optional features', async () => {
    const gpu = nodeGPU();
    const adapter = (await gpu.requestAdapter())!;
    const got = await acquireDevice(gpu);
    expect(got.limits.maxStorageBufferBindingSize).toBe(adapter.limits.maxStorageBufferBindingSize);
    expect(got.limits.maxBufferSize).toBe(adapter.limits.maxBufferSize);
    expect(got.limits.maxComputeWorkgroupStorageSize).toBe(adapter.limits.maxComputeWorkgroupStorageSize);
    expect(got.limits.maxComputeInvocationsPerWorkgroup).toBe(adapter.limits.maxComputeInvocationsPerWorkgroup);
    // Above WebGPU's 128 MiB default on every adapter we run on.
    expect(got.device.limits.maxStorageBufferBindingSize).toBe(adapter.limits.maxStorageBufferBindingSize);
    expect(got.features.f16).toBe(adapter.features.has('shader-f16'));
    expect(got.features.subgroups).toBe(adapter.features.has('subgroups' as GPUFeatureName));
    expect(got.features.timestamps).toBe(adapter.features.has('timestamp-query'));
    got.device.destroy();
  });

  it('can go without optional features (the fallback path)', async () => {
    const got = await acquireDevice(nodeGPU(), { noOptionalFeatures: true });
    expect(got.features).toEqual({ f16: false, subgroups: false, timestamps: false });
    got.device.destroy();
  });

  it('surfaces uncaptured errors and device loss with a reason', async () => {
    const errors: string[] = [];
    let lost: { reason: string; message: string } | undefined;
    const got = await acquireDevice(nodeGPU(), { onError: (e) => errors.push(e.message), onLost: (i) => (lost = i) });
    // An invalid buffer (MAP_READ with STORAGE is not allowed) raises a validation error.
    got.device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE });
    await got.device.queue.onSubmittedWorkDone();
    for (let i = 0; i < 50 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(errors.length).toBeGreaterThan(0);
    got.device.destroy();
    for (let i = 0; i < 50 && !lost; i++) await new Promise((r) => setTimeout(r, 20));
    expect(lost?.reason).toBe('destroyed');
    expect(lost?.message).toMatch(/destroyed/);
  });
});

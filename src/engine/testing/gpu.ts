// Small helpers for kernel tests: upload f32 arrays, run one encoder, read results back.
import { readF32, storageBuffer } from '../runtime/buffers.ts';
import { submit } from '../runtime/kernel.ts';

export function upload(
  device: GPUDevice,
  data: ArrayLike<number> | Float32Array | Uint32Array | Int32Array,
): GPUBuffer {
  const view = ArrayBuffer.isView(data) ? data : Float32Array.from(data);
  return storageBuffer(device, view as ArrayBufferView);
}

export function zeros(device: GPUDevice, n: number): GPUBuffer {
  return storageBuffer(device, n * 4);
}

/** Records with `record`, submits, and waits for the queue. */
export async function run(device: GPUDevice, record: (enc: GPUCommandEncoder) => void): Promise<void> {
  const enc = device.createCommandEncoder();
  record(enc);
  submit(device, enc);
  await device.queue.onSubmittedWorkDone();
}

/** Runs `record` inside validation + OOM error scopes and throws what they caught. */
export async function runChecked(device: GPUDevice, record: (enc: GPUCommandEncoder) => void): Promise<void> {
  device.pushErrorScope('validation');
  device.pushErrorScope('out-of-memory');
  await run(device, record);
  const oom = await device.popErrorScope();
  const val = await device.popErrorScope();
  if (oom || val) throw new Error(`GPU error: ${(oom ?? val)!.message}`);
}

export const read = readF32;

// Creating, filling and reading GPU buffers.

export const STORAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/** A storage buffer holding `data` (padded to 4 bytes), or `size` zeroed bytes. */
export function storageBuffer(device: GPUDevice, data: ArrayBufferView | number, label?: string): GPUBuffer {
  if (typeof data === 'number') {
    return device.createBuffer({ size: Math.max(4, Math.ceil(data / 4) * 4), usage: STORAGE(), label });
  }
  const size = Math.max(4, Math.ceil(data.byteLength / 4) * 4);
  const buf = device.createBuffer({ size, usage: STORAGE(), mappedAtCreation: true, label });
  new Uint8Array(buf.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  buf.unmap();
  return buf;
}

/** Copies `byteLength` bytes of `buffer` back to the CPU (waits for queued work). */
export async function readBytes(
  device: GPUDevice,
  buffer: GPUBuffer,
  byteLength = buffer.size,
  offset = 0,
): Promise<ArrayBuffer> {
  const size = Math.ceil(byteLength / 4) * 4;
  const staging = device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(buffer, offset, staging, 0, size);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = staging.getMappedRange().slice(0, byteLength);
  staging.unmap();
  staging.destroy();
  return out;
}

/** A whole buffer, or a range of one (a LoRA tensor in its arena); kernels bind either. */
export type BufferRef = GPUBuffer | GPUBufferBinding;

/** The buffer a reference points into, its byte offset there, and its size in bytes. */
export function refRange(r: BufferRef): { buffer: GPUBuffer; offset: number; size: number } {
  if (!('buffer' in r)) return { buffer: r, offset: 0, size: r.size };
  const offset = r.offset ?? 0;
  return { buffer: r.buffer, offset, size: r.size ?? r.buffer.size - offset };
}

export async function readF32(device: GPUDevice, buffer: BufferRef, length?: number): Promise<Float32Array> {
  const r = refRange(buffer);
  const n = length ?? r.size / 4;
  return new Float32Array(await readBytes(device, r.buffer, n * 4, r.offset));
}

/** Writes f32 values at the start of a buffer or range. */
export function writeF32(device: GPUDevice, ref: BufferRef, values: Float32Array): void {
  const r = refRange(ref);
  if (values.byteLength > r.size) throw new Error(`writeF32: ${values.byteLength} bytes into a ${r.size}-byte range`);
  device.queue.writeBuffer(r.buffer, r.offset, values);
}

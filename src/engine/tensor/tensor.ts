// A GPU tensor: row-major, f32 for activations, bf16/f16 (two per u32) for frozen weights.
// A tensor bigger than one storage binding is split by rows (dim 0) into several buffers;
// kernels that read weights take those row chunks one at a time.
import { STORAGE } from '../runtime/buffers.ts';
import { BYTES, type DType, toHalfBits } from './dtype.ts';

export interface TensorChunk {
  buffer: GPUBuffer;
  /** First row (of dim 0) this buffer holds. */
  rowStart: number;
  rows: number;
}

export interface Tensor {
  shape: number[];
  dtype: DType;
  /** One chunk unless the tensor exceeds the binding limit. */
  chunks: TensorChunk[];
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Elements per row of dim 0. */
export function rowSize(shape: readonly number[]): number {
  return numel(shape.slice(1));
}

/**
 * Rows per chunk so that each chunk fits `maxBytes`. 16-bit chunks start on a u32 boundary,
 * so with an odd row size the row count per chunk is kept even.
 */
export function rowsPerChunk(shape: readonly number[], dtype: DType, maxBytes: number): number {
  const rows = shape[0] ?? 1;
  const rowBytes = rowSize(shape) * BYTES[dtype];
  let per = Math.floor(maxBytes / Math.max(rowBytes, 1));
  if (dtype !== 'f32' && rowSize(shape) % 2 === 1 && per < rows) per -= per % 2;
  if (per < 1) throw new Error(`one row of ${rowBytes} bytes exceeds the ${maxBytes}-byte binding limit`);
  return Math.min(per, rows);
}

/** Plans the row chunks of a tensor (used by the memory planner as well). */
export function chunkRows(
  shape: readonly number[],
  dtype: DType,
  maxBytes: number,
): { rowStart: number; rows: number }[] {
  const rows = shape[0] ?? 1;
  const per = rowsPerChunk(shape, dtype, maxBytes);
  const out: { rowStart: number; rows: number }[] = [];
  for (let r = 0; r < rows; r += per) out.push({ rowStart: r, rows: Math.min(per, rows - r) });
  if (out.length === 0) out.push({ rowStart: 0, rows: 0 });
  return out;
}

function maxBinding(device: GPUDevice, override?: number): number {
  return override ?? Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
}

/** An f32 tensor of zeros (storage, copy src/dst). Activations and gradients. */
export function zerosTensor(device: GPUDevice, shape: number[], label?: string, maxBytes?: number): Tensor {
  return makeTensor(device, shape, 'f32', undefined, label, maxBytes);
}

/** An f32 tensor holding `data`. */
export function tensorFromF32(
  device: GPUDevice,
  data: Float32Array,
  shape: number[],
  label?: string,
  maxBytes?: number,
): Tensor {
  checkSize(data.length, shape);
  return makeTensor(
    device,
    shape,
    'f32',
    new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    label,
    maxBytes,
  );
}

/**
 * A weight tensor in `dtype` from f32 values (rounded to nearest even for bf16/f16), or from raw
 * little-endian checkpoint bytes already in that dtype (as safetensors stores them).
 */
export function weightTensor(
  device: GPUDevice,
  source: Float32Array | Uint8Array,
  shape: number[],
  dtype: DType,
  label?: string,
  maxBytes?: number,
): Tensor {
  let bytes: Uint8Array;
  if (source instanceof Float32Array) {
    checkSize(source.length, shape);
    if (dtype === 'f32') bytes = new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    else {
      const h = toHalfBits(dtype, source);
      bytes = new Uint8Array(h.buffer);
    }
  } else {
    if (source.byteLength !== numel(shape) * BYTES[dtype]) {
      throw new Error(`weight ${label ?? ''}: ${source.byteLength} bytes for shape [${shape}] in ${dtype}`);
    }
    bytes = source;
  }
  return makeTensor(device, shape, dtype, bytes, label, maxBytes);
}

function checkSize(n: number, shape: number[]): void {
  if (n !== numel(shape)) throw new Error(`${n} values for shape [${shape}]`);
}

function makeTensor(
  device: GPUDevice,
  shape: number[],
  dtype: DType,
  bytes: Uint8Array | undefined,
  label: string | undefined,
  maxBytes: number | undefined,
): Tensor {
  const rowBytes = rowSize(shape) * BYTES[dtype];
  const chunks: TensorChunk[] = chunkRows(shape, dtype, maxBinding(device, maxBytes)).map(({ rowStart, rows }, i) => {
    const size = Math.max(4, Math.ceil((rows * rowBytes) / 4) * 4);
    const buffer = device.createBuffer({
      size,
      usage: STORAGE(),
      mappedAtCreation: !!bytes,
      label: label ? `${label}[${i}]` : undefined,
    });
    if (bytes) {
      new Uint8Array(buffer.getMappedRange()).set(bytes.subarray(rowStart * rowBytes, (rowStart + rows) * rowBytes));
      buffer.unmap();
    }
    return { buffer, rowStart, rows };
  });
  return { shape, dtype, chunks };
}

/** The single buffer of an unsplit tensor (activations are never split). */
export function buf(t: Tensor): GPUBuffer {
  if (t.chunks.length !== 1) throw new Error(`tensor [${t.shape}] is split in ${t.chunks.length} buffers`);
  return t.chunks[0].buffer;
}

export function destroyTensor(t: Tensor): void {
  for (const c of t.chunks) c.buffer.destroy();
}

// bf16 / f16 ⇄ f32 bit conversions, rounding to nearest even as PyTorch's `.to()` does, and
// decoding a tensor's little-endian bytes to float32 (for tests, references and the CPU side).
import type { SafetensorsDtype } from './dtypes.ts';
import { SafetensorsError } from './header.ts';

// The scalar conversions are the engine's (one implementation, tested there).
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from '../../engine/tensor/dtype.ts';
export { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits };

/** Copy into a fresh, aligned buffer (tensor bytes may sit at any offset of a read chunk). */
function aligned(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer as ArrayBuffer;
}

/** Decode F32/F16/BF16 little-endian bytes to float32 values. */
export function toFloat32(dtype: SafetensorsDtype, bytes: Uint8Array): Float32Array {
  if (dtype === 'F32') {
    if (bytes.length % 4)
      throw new SafetensorsError(`F32 data of ${bytes.length} bytes is not a whole number of values`);
    return new Float32Array(aligned(bytes));
  }
  if (dtype === 'BF16' || dtype === 'F16') {
    if (bytes.length % 2)
      throw new SafetensorsError(`${dtype} data of ${bytes.length} bytes is not a whole number of values`);
    const h = new Uint16Array(aligned(bytes));
    const out = new Float32Array(h.length);
    if (dtype === 'BF16') {
      const o = new Uint32Array(out.buffer);
      for (let i = 0; i < h.length; i++) o[i] = h[i] << 16;
    } else {
      for (let i = 0; i < h.length; i++) out[i] = f16BitsToF32(h[i]);
    }
    return out;
  }
  throw new SafetensorsError(`cannot decode ${dtype} as floats (Prism reads F32, F16 and BF16)`);
}

/** Encode float32 values as F32/F16/BF16 little-endian bytes. */
export function fromFloat32(dtype: SafetensorsDtype, values: Float32Array | readonly number[]): Uint8Array {
  const n = values.length;
  if (dtype === 'F32') return new Uint8Array(Float32Array.from(values).buffer);
  if (dtype === 'BF16' || dtype === 'F16') {
    const out = new Uint16Array(n);
    const conv = dtype === 'BF16' ? f32ToBf16Bits : f32ToF16Bits;
    for (let i = 0; i < n; i++) out[i] = conv(values[i]);
    return new Uint8Array(out.buffer);
  }
  throw new SafetensorsError(`cannot encode floats as ${dtype} (Prism writes F32, F16 and BF16)`);
}

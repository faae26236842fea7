// bf16 / f16 ⇄ f32 bit conversions, rounding to nearest even as PyTorch's `.to()` does, and
// decoding a tensor's little-endian bytes to float32 (for tests, references and the CPU side).
import type { SafetensorsDtype } from './dtypes.ts';
import { SafetensorsError } from './header.ts';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** One float32 → bfloat16 bits, round to nearest even; NaN stays a (quiet) NaN. */
export function f32ToBf16Bits(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  if ((bits & 0x7fffffff) > 0x7f800000) return ((bits >>> 16) | 0x0040) & 0xffff;
  const rounded = bits + 0x7fff + ((bits >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}

export function bf16BitsToF32(h: number): number {
  u32[0] = (h & 0xffff) << 16;
  return f32[0];
}

/** One float32 → IEEE half bits, round to nearest even, with subnormals, ±inf and NaN. */
export function f32ToF16Bits(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    // Subnormal half: shift the full significand (with its hidden bit) into place.
    const m = mant | 0x800000;
    const shift = 14 - e;
    let half = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1))) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1))) half++;
  return sign | half;
}

export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Copy into a fresh, aligned buffer (tensor bytes may sit at any offset of a read chunk). */
function aligned(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer as ArrayBuffer;
}

/** Decode F32/F16/BF16 little-endian bytes to float32 values. */
export function toFloat32(dtype: SafetensorsDtype, bytes: Uint8Array): Float32Array {
  if (dtype === 'F32') {
    if (bytes.length % 4) throw new SafetensorsError(`F32 data of ${bytes.length} bytes is not a whole number of values`);
    return new Float32Array(aligned(bytes));
  }
  if (dtype === 'BF16' || dtype === 'F16') {
    if (bytes.length % 2) throw new SafetensorsError(`${dtype} data of ${bytes.length} bytes is not a whole number of values`);
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

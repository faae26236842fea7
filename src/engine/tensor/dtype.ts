// CPU conversions between f32 and the 16-bit float formats weights arrive in. The GPU keeps
// 16-bit weights packed two per u32 (element 2i in the low half) and widens them exactly.

export type DType = 'f32' | 'bf16' | 'f16';

export const BYTES: Record<DType, number> = { f32: 4, bf16: 2, f16: 2 };

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** f32 → bf16 bits, round to nearest even (as torch's `.to(torch.bfloat16)`); NaN stays NaN. */
export function f32ToBf16Bits(x: number): number {
  f32[0] = x;
  const u = u32[0];
  if ((u & 0x7fffffff) > 0x7f800000) return ((u >>> 16) | 0x40) & 0xffff;
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

export function bf16BitsToF32(h: number): number {
  u32[0] = (h & 0xffff) << 16;
  return f32[0];
}

/** f32 → IEEE half bits, round to nearest even, with subnormals and overflow to ±inf. */
export function f32ToF16Bits(x: number): number {
  f32[0] = x;
  const u = u32[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  let mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let r = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && r & 1)) r++;
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && r & 1)) r++;
  return sign | r;
}

export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Rounds every value to the given dtype and back (what the GPU will see). */
export function roundTo(dtype: DType, x: Float32Array): Float32Array {
  if (dtype === 'f32') return Float32Array.from(x);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    out[i] = dtype === 'bf16' ? bf16BitsToF32(f32ToBf16Bits(x[i])) : f16BitsToF32(f32ToF16Bits(x[i]));
  }
  return out;
}

/** 16-bit bit patterns of `x` in the given dtype. */
export function toHalfBits(dtype: 'bf16' | 'f16', x: Float32Array): Uint16Array {
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = dtype === 'bf16' ? f32ToBf16Bits(x[i]) : f32ToF16Bits(x[i]);
  return out;
}

/** Widens 16-bit bit patterns to f32. */
export function halfBitsToF32(dtype: 'bf16' | 'f16', bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = dtype === 'bf16' ? bf16BitsToF32(bits[i]) : f16BitsToF32(bits[i]);
  return out;
}

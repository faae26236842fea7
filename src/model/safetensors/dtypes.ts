// safetensors dtype names and element sizes, as the reference implementation
// (huggingface/safetensors, `Dtype`) lists them. The order is the reference's enum order, which
// is increasing alignment: its writer sorts tensors by this order, descending.

/** Every dtype name a valid header may use, with its size in bits. */
export const DTYPE_BITS = {
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
} as const;

export type SafetensorsDtype = keyof typeof DTYPE_BITS;

/** The dtypes whose values Prism decodes (others are validated and passed through as bytes). */
export type FloatDtype = 'F32' | 'F16' | 'BF16';

const ORDER = Object.keys(DTYPE_BITS) as SafetensorsDtype[];

export function isDtype(name: unknown): name is SafetensorsDtype {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(DTYPE_BITS, name);
}

/** Rank in the reference enum: larger means larger alignment. */
export function dtypeRank(d: SafetensorsDtype): number {
  return ORDER.indexOf(d);
}

/** Bytes taken by `count` elements, or null when they do not fill whole bytes (F4/F6). */
export function byteLength(d: SafetensorsDtype, count: number): number | null {
  const bits = DTYPE_BITS[d] * count;
  return bits % 8 === 0 ? bits / 8 : null;
}

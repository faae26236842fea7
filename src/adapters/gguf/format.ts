// GGUF v3, as llama.cpp defines it (gguf-py/gguf/constants.py and gguf_writer.py, ggml/src/gguf.cpp):
//   "GGUF" magic (u32 0x46554747), version u32 = 3, tensor count u64, KV count u64;
//   KVs: key (gguf string: u64 byte length + UTF-8), value type u32, value (arrays: element type
//   u32, count u64, elements); tensor infos: name, n_dims u32, dims u64 each (ggml order: the
//   fastest-varying first, i.e. torch's shape reversed), ggml type u32, data offset u64 (relative
//   to the data section, each a multiple of the alignment); zero padding to general.alignment
//   (default 32); then the tensor data, each tensor padded to the alignment. Little-endian.

export const GGUF_MAGIC = 0x46554747;
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;
/** GGML_QNT_VERSION (ggml.h), written as general.quantization_version. */
export const GGML_QUANT_VERSION = 2;

/** GGUFValueType. */
export const GGUFValueType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;

/** GGMLQuantizationType, the tensor types Prism writes. */
export const GGMLType = { F32: 0, F16: 1, Q8_0: 8 } as const;
export type GgmlTypeName = keyof typeof GGMLType;

/** Elements per block and bytes per block (ggml's type traits: QK8_0 = 32, block_q8_0 = f16 d + 32 int8). */
export const GGML_BLOCK: Record<GgmlTypeName, { elements: number; bytes: number }> = {
  F32: { elements: 1, bytes: 4 },
  F16: { elements: 1, bytes: 2 },
  Q8_0: { elements: 32, bytes: 34 },
};

/** LlamaFileType (general.file_type). */
export const LlamaFileType = { ALL_F32: 0, MOSTLY_F16: 1, MOSTLY_Q8_0: 7 } as const;

/** TokenType (tokenizer.ggml.token_type). */
export const TokenType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

export type GgufValue =
  | { type: 'u32'; value: number }
  | { type: 'i32'; value: number }
  | { type: 'f32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'str'; value: string }
  | { type: 'u32[]'; value: readonly number[] }
  | { type: 'i32[]'; value: readonly number[] }
  | { type: 'f32[]'; value: readonly number[] }
  | { type: 'str[]'; value: readonly string[] };

export interface GgufTensorInfo {
  name: string;
  /** torch order (rows first), as in safetensors; written reversed. */
  shape: number[];
  type: GgmlTypeName;
}

export class GgufError extends Error {
  override name = 'GgufError';
}

/** Bytes of a tensor of this shape and type (rows must fill whole blocks). */
export function tensorBytes(t: GgufTensorInfo): number {
  const { elements, bytes } = GGML_BLOCK[t.type];
  const row = t.shape.length ? t.shape[t.shape.length - 1] : 1;
  if (row % elements)
    throw new GgufError(`${t.name}: rows of ${row} values do not fill whole ${t.type} blocks of ${elements}`);
  return (t.shape.reduce((a, b) => a * b, 1) / elements) * bytes;
}

export const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

const UTF8 = new TextEncoder();

/** A growable little-endian byte buffer. */
class Writer {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  at = 0;
  private need(n: number) {
    if (this.at + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.at + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.at));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number) {
    this.need(1);
    this.view.setUint8(this.at, v);
    this.at += 1;
  }
  u32(v: number) {
    this.need(4);
    this.view.setUint32(this.at, v >>> 0, true);
    this.at += 4;
  }
  i32(v: number) {
    this.need(4);
    this.view.setInt32(this.at, v, true);
    this.at += 4;
  }
  f32(v: number) {
    this.need(4);
    this.view.setFloat32(this.at, v, true);
    this.at += 4;
  }
  u64(v: number) {
    if (!Number.isSafeInteger(v) || v < 0) throw new GgufError(`${v} is not a valid u64 here`);
    this.u32(v % 2 ** 32);
    this.u32(Math.floor(v / 2 ** 32));
  }
  str(s: string) {
    const b = UTF8.encode(s);
    this.u64(b.length);
    this.need(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }
  zeros(n: number) {
    this.need(n);
    this.buf.fill(0, this.at, this.at + n);
    this.at += n;
  }
  bytes(): Uint8Array {
    return this.buf.slice(0, this.at);
  }
}

const ELEM: Record<string, number> = {
  'u32[]': GGUFValueType.UINT32,
  'i32[]': GGUFValueType.INT32,
  'f32[]': GGUFValueType.FLOAT32,
  'str[]': GGUFValueType.STRING,
};

function writeValue(w: Writer, key: string, v: GgufValue): void {
  switch (v.type) {
    case 'u32':
      w.u32(GGUFValueType.UINT32);
      w.u32(v.value);
      return;
    case 'i32':
      w.u32(GGUFValueType.INT32);
      w.i32(v.value);
      return;
    case 'f32':
      w.u32(GGUFValueType.FLOAT32);
      w.f32(v.value);
      return;
    case 'bool':
      w.u32(GGUFValueType.BOOL);
      w.u8(v.value ? 1 : 0);
      return;
    case 'str':
      w.u32(GGUFValueType.STRING);
      w.str(v.value);
      return;
    default: {
      // gguf_writer refuses empty arrays ("Invalid GGUF metadata array. Empty array").
      if (v.value.length === 0) throw new GgufError(`${key}: an empty array cannot be written`);
      w.u32(GGUFValueType.ARRAY);
      w.u32(ELEM[v.type]);
      w.u64(v.value.length);
      for (const x of v.value) {
        if (v.type === 'str[]') w.str(x as string);
        else if (v.type === 'u32[]') w.u32(x as number);
        else if (v.type === 'i32[]') w.i32(x as number);
        else w.f32(x as number);
      }
    }
  }
}

export interface GgufLayout {
  /** Everything before the tensor data, padded to the alignment. */
  header: Uint8Array;
  /** Offset of each tensor in the data section, and its byte size. */
  tensors: { info: GgufTensorInfo; offset: number; bytes: number }[];
  /** Total file size. */
  size: number;
  alignment: number;
}

/** The header of a GGUF file holding these KVs and tensors (in this order). */
export function ggufLayout(
  kv: ReadonlyMap<string, GgufValue>,
  tensors: readonly GgufTensorInfo[],
  alignment = GGUF_DEFAULT_ALIGNMENT,
): GgufLayout {
  const w = new Writer();
  w.u32(GGUF_MAGIC);
  w.u32(GGUF_VERSION);
  w.u64(tensors.length);
  w.u64(kv.size);
  for (const [key, v] of kv) {
    w.str(key);
    writeValue(w, key, v);
  }
  const placed: GgufLayout['tensors'] = [];
  const names = new Set<string>();
  let offset = 0;
  for (const t of tensors) {
    if (names.has(t.name)) throw new GgufError(`tensor ${t.name} listed twice`);
    names.add(t.name);
    if (t.shape.length < 1 || t.shape.length > 4)
      throw new GgufError(`${t.name}: ${t.shape.length} dimensions (GGML_MAX_DIMS is 4)`);
    w.str(t.name);
    w.u32(t.shape.length);
    for (let j = t.shape.length - 1; j >= 0; j--) w.u64(t.shape[j]);
    w.u32(GGMLType[t.type]);
    w.u64(offset);
    const bytes = tensorBytes(t);
    placed.push({ info: t, offset, bytes });
    offset += alignUp(bytes, alignment);
  }
  w.zeros(alignUp(w.at, alignment) - w.at);
  const header = w.bytes();
  const last = placed.at(-1);
  return {
    header,
    tensors: placed,
    size: header.length + (last ? last.offset + alignUp(last.bytes, alignment) : 0),
    alignment,
  };
}

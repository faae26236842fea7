// Parse and check a safetensors header. A file is an 8-byte little-endian header length N,
// N bytes of UTF-8 JSON (tensor name → {dtype, shape, data_offsets}, plus an optional
// `__metadata__` string map), then the data section; offsets are relative to its start.
// Everything is checked before any tensor byte is read, so a corrupt or truncated download
// fails here with a message naming the tensor, never later as garbage on the GPU.
import { byteLength, isDtype, type SafetensorsDtype } from './dtypes.ts';

/** The reference implementation's limit on the header length. */
export const MAX_HEADER_BYTES = 100_000_000;

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

export interface TensorEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte range in the data section: [begin, end). */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** N, the JSON length (including any padding). */
  headerLength: number;
  /** Absolute file offset of the data section: 8 + N. */
  dataStart: number;
  /** Data section length: file size − 8 − N. */
  dataLength: number;
  metadata: Record<string, string> | null;
  /** In data-offset order. */
  tensors: TensorEntry[];
  /** Byte ranges of the data section no tensor covers (the reference writer leaves none). */
  gaps: { begin: number; end: number }[];
}

/** Read N from the first 8 bytes and check it against the limit and the file size. */
export function headerLength(first8: Uint8Array, fileSize: number, label = 'safetensors file'): number {
  if (fileSize < 8 || first8.length < 8) {
    throw new SafetensorsError(
      `${label}: ${fileSize} bytes is too short for a safetensors file (needs an 8-byte header length)`,
    );
  }
  const view = new DataView(first8.buffer, first8.byteOffset, 8);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const n = hi * 2 ** 32 + lo;
  if (hi >= 2 ** 21 || n > MAX_HEADER_BYTES) {
    throw new SafetensorsError(
      `${label}: header length ${hi >= 2 ** 21 ? `≥ 2^53` : n} exceeds the ${MAX_HEADER_BYTES}-byte limit (not a ` +
        `safetensors file, or corrupt)`,
    );
  }
  if (n > fileSize - 8) {
    throw new SafetensorsError(
      `${label}: header length ${n} runs past the end of the ${fileSize}-byte file (truncated?)`,
    );
  }
  if (n < 2) throw new SafetensorsError(`${label}: header length ${n} is too short for a JSON object`);
  return n;
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function checkEntry(name: string, raw: unknown, dataLength: number, label: string): TensorEntry {
  const where = `${label}: tensor "${name}"`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new SafetensorsError(`${where}: entry must be an object`);
  const e = raw as Record<string, unknown>;
  if (!isDtype(e.dtype)) throw new SafetensorsError(`${where}: unknown dtype ${JSON.stringify(e.dtype)}`);
  const shape = e.shape;
  if (!Array.isArray(shape) || !shape.every(isIndex)) {
    throw new SafetensorsError(`${where}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  const offs = e.data_offsets;
  if (!Array.isArray(offs) || offs.length !== 2 || !isIndex(offs[0]) || !isIndex(offs[1])) {
    throw new SafetensorsError(`${where}: data_offsets must be [begin, end] byte offsets, got ${JSON.stringify(offs)}`);
  }
  const [begin, end] = offs as [number, number];
  if (end < begin) throw new SafetensorsError(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
  let count = 1;
  for (const d of shape as number[]) {
    count *= d;
    if (!Number.isSafeInteger(count)) throw new SafetensorsError(`${where}: shape ${JSON.stringify(shape)} overflows`);
  }
  const bytes = byteLength(e.dtype, count);
  if (bytes === null) throw new SafetensorsError(`${where}: ${count} ${e.dtype} elements do not fill whole bytes`);
  if (end - begin !== bytes) {
    throw new SafetensorsError(
      `${where}: shape ${JSON.stringify(shape)} × ${e.dtype} is ${bytes} bytes but data_offsets ` +
        `[${begin}, ${end}] hold ${end - begin}`,
    );
  }
  if (end > dataLength) {
    throw new SafetensorsError(
      `${where}: data_offsets [${begin}, ${end}] run past the end of the data section ` +
        `(${dataLength} bytes): file truncated?`,
    );
  }
  return { name, dtype: e.dtype, shape: shape as number[], begin, end };
}

/**
 * Parse the N header bytes of a file of `fileSize` bytes. Throws SafetensorsError on anything
 * the format forbids: bad UTF-8 or JSON, a non-string metadata value, an unknown dtype, a
 * shape that disagrees with its byte range, a range outside the data, overlapping ranges.
 */
export function parseHeader(bytes: Uint8Array, fileSize: number, label = 'safetensors file'): SafetensorsHeader {
  const n = bytes.length;
  const dataStart = 8 + n;
  const dataLength = fileSize - dataStart;
  if (dataLength < 0) throw new SafetensorsError(`${label}: header runs past the end of the file`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new SafetensorsError(`${label}: header is not valid UTF-8`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SafetensorsError(`${label}: header is not valid JSON (${(err as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SafetensorsError(`${label}: header must be a JSON object`);
  }
  let metadata: Record<string, string> | null = null;
  const tensors: TensorEntry[] = [];
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    if (key === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new SafetensorsError(`${label}: __metadata__ must be an object of strings`);
      }
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'string')
          throw new SafetensorsError(`${label}: __metadata__ value "${k}" must be a string, got ${JSON.stringify(v)}`);
      }
      metadata = value as Record<string, string>;
      continue;
    }
    tensors.push(checkEntry(key, value, dataLength, label));
  }
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  const gaps: { begin: number; end: number }[] = [];
  let cursor = 0;
  let prev: TensorEntry | null = null;
  for (const t of tensors) {
    if (t.begin < cursor) {
      throw new SafetensorsError(
        `${label}: tensor "${t.name}" [${t.begin}, ${t.end}] overlaps tensor "${prev!.name}" ` +
          `[${prev!.begin}, ${prev!.end}]`,
      );
    }
    if (t.begin > cursor) gaps.push({ begin: cursor, end: t.begin });
    cursor = t.end;
    prev = t;
  }
  if (cursor < dataLength) gaps.push({ begin: cursor, end: dataLength });
  return { headerLength: n, dataStart, dataLength, metadata, tensors, gaps };
}

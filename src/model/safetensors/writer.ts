// Write a safetensors file the way the reference implementation does: tensors sorted by dtype
// alignment (largest first) then by name, laid out back to back in that order, the compact
// JSON header padded with spaces to a multiple of 8 bytes so every tensor starts aligned.
import { byteLength, dtypeRank, isDtype, type SafetensorsDtype } from './dtypes.ts';
import { SafetensorsError } from './header.ts';

export interface TensorToWrite {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  data: Uint8Array;
}

/** Compare by Unicode code point, which is the byte order of UTF-8 (Rust's `String` order). */
function codePointCompare(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done ? (y.done ? 0 : -1) : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d) return d;
  }
}

/** The reference writer's tensor order. */
export function referenceOrder<T extends { name: string; dtype: SafetensorsDtype }>(tensors: readonly T[]): T[] {
  return [...tensors].sort((a, b) => dtypeRank(b.dtype) - dtypeRank(a.dtype) || codePointCompare(a.name, b.name));
}

/** The padded header bytes for tensors of these dtypes/shapes (no data needed). */
export function buildHeader(
  tensors: readonly { name: string; dtype: SafetensorsDtype; shape: readonly number[] }[],
  metadata?: Record<string, string> | null,
): { header: Uint8Array; order: number[]; dataLength: number } {
  const indexed = tensors.map((t, i) => ({ ...t, i }));
  const ordered = referenceOrder(indexed);
  // Built by hand: a JS object would move integer-like names ("0") to the front.
  const entries: string[] = [];
  if (metadata) entries.push(`"__metadata__":${JSON.stringify(metadata)}`);
  let offset = 0;
  const seen = new Set<string>();
  for (const t of ordered) {
    if (t.name === '__metadata__') throw new SafetensorsError('a tensor cannot be named __metadata__');
    if (seen.has(t.name)) throw new SafetensorsError(`tensor "${t.name}" is listed twice`);
    seen.add(t.name);
    if (!isDtype(t.dtype)) throw new SafetensorsError(`tensor "${t.name}": unknown dtype ${String(t.dtype)}`);
    const count = t.shape.reduce((a, b) => a * b, 1);
    const bytes = byteLength(t.dtype, count);
    if (bytes === null)
      throw new SafetensorsError(`tensor "${t.name}": ${count} ${t.dtype} elements do not fill whole bytes`);
    const entry = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    entries.push(`${JSON.stringify(t.name)}:${JSON.stringify(entry)}`);
    offset += bytes;
  }
  const text = new TextEncoder().encode(`{${entries.join(',')}}`);
  const padded = new Uint8Array(Math.ceil(text.length / 8) * 8).fill(0x20);
  padded.set(text);
  return { header: padded, order: ordered.map((t) => t.i), dataLength: offset };
}

/** Serialize tensors (and optional `__metadata__`) to the bytes of one .safetensors file. */
export function writeSafetensors(
  tensors: readonly TensorToWrite[],
  metadata?: Record<string, string> | null,
): Uint8Array {
  const { header, order, dataLength } = buildHeader(tensors, metadata);
  const out = new Uint8Array(8 + header.length + dataLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, header.length, true);
  view.setUint32(4, 0, true);
  out.set(header, 8);
  let at = 8 + header.length;
  for (const i of order) {
    const t = tensors[i];
    const want = byteLength(
      t.dtype,
      t.shape.reduce((a, b) => a * b, 1),
    )!;
    if (t.data.length !== want) {
      throw new SafetensorsError(
        `tensor "${t.name}": shape ${JSON.stringify(t.shape)} × ${t.dtype} needs ${want} ` +
          `bytes, data has ${t.data.length}`,
      );
    }
    out.set(t.data, at);
    at += t.data.length;
  }
  return out;
}

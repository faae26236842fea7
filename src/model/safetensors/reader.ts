// Read a safetensors file from any ByteSource: the header first (checked in full), then
// tensors one at a time, so a loader can upload each to a GPU buffer and drop it without ever
// holding the whole file. Adjacent small tensors are fetched in one read to keep HTTP request
// counts down.
import type { ByteSource } from '../types.ts';
import type { SafetensorsDtype } from './dtypes.ts';
import { headerLength, parseHeader, SafetensorsError, type SafetensorsHeader, type TensorEntry } from './header.ts';

export interface TensorData {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** The tensor's raw little-endian bytes in storage dtype (a view; copy to keep past the next read). */
  data: Uint8Array;
}

export interface StreamOptions {
  /** Only these tensors (default: all). */
  filter?: (entry: TensorEntry) => boolean;
  /** Merge neighbouring tensors into reads of up to this many bytes (default 8 MiB). */
  chunkBytes?: number;
}

export interface SafetensorsFile {
  label: string;
  header: SafetensorsHeader;
  /** Tensors in file order. */
  tensors: TensorEntry[];
  get(name: string): TensorEntry | undefined;
  read(name: string): Promise<Uint8Array>;
  /** `length` bytes of one tensor's data from byte `offset` within it (to stream a large tensor in parts). */
  readPart(name: string, offset: number, length: number): Promise<Uint8Array>;
  stream(options?: StreamOptions): AsyncGenerator<TensorData>;
}

/** Read and check the header of a safetensors file. */
export async function openSafetensors(source: ByteSource, label = 'safetensors file'): Promise<SafetensorsFile> {
  const first = source.size >= 8 ? await source.read(0, 8) : new Uint8Array(0);
  const n = headerLength(first, source.size, label);
  const headerBytes = await source.read(8, n);
  if (headerBytes.length !== n) throw new SafetensorsError(`${label}: read ${headerBytes.length} of ${n} header bytes`);
  const header = parseHeader(headerBytes, source.size, label);
  const byName = new Map(header.tensors.map((t) => [t.name, t]));

  async function readRange(begin: number, end: number): Promise<Uint8Array> {
    const bytes = await source.read(header.dataStart + begin, end - begin);
    if (bytes.length !== end - begin) {
      throw new SafetensorsError(
        `${label}: read ${bytes.length} of ${end - begin} bytes at ${header.dataStart + begin} ` +
          `(file truncated or changed?)`,
      );
    }
    return bytes;
  }

  return {
    label,
    header,
    tensors: header.tensors,
    get: (name) => byName.get(name),
    async read(name) {
      const t = byName.get(name);
      if (!t) throw new SafetensorsError(`${label}: no tensor "${name}"`);
      return readRange(t.begin, t.end);
    },
    async readPart(name, offset, length) {
      const t = byName.get(name);
      if (!t) throw new SafetensorsError(`${label}: no tensor "${name}"`);
      if (
        !Number.isSafeInteger(offset) ||
        !Number.isSafeInteger(length) ||
        offset < 0 ||
        length < 0 ||
        offset + length > t.end - t.begin
      ) {
        throw new SafetensorsError(
          `${label}: bytes [${offset}, ${offset + length}) are outside tensor "${name}" (${t.end - t.begin} bytes)`,
        );
      }
      return readRange(t.begin + offset, t.begin + offset + length);
    },
    async *stream(options = {}) {
      const chunk = options.chunkBytes ?? 8 << 20;
      const wanted = header.tensors.filter(options.filter ?? (() => true));
      let i = 0;
      while (i < wanted.length) {
        // One read spans tensors wanted[i..j) while they stay within `chunk` bytes.
        let j = i + 1;
        while (j < wanted.length && wanted[j].end - wanted[i].begin <= chunk) j++;
        const begin = wanted[i].begin;
        const bytes = await readRange(begin, wanted[j - 1].end);
        for (let k = i; k < j; k++) {
          const t = wanted[k];
          yield { name: t.name, dtype: t.dtype, shape: t.shape, data: bytes.subarray(t.begin - begin, t.end - begin) };
        }
        i = j;
      }
    },
  };
}

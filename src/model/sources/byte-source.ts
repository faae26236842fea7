// ByteSources over memory and over a Blob/File (the browser's folder pick). Reads are checked:
// a short read means the file changed or was cut, and says so.
import type { ByteSource } from '../types.ts';

export function checkRange(size: number, offset: number, length: number, label: string): void {
  if (
    !Number.isSafeInteger(offset) ||
    !Number.isSafeInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > size
  ) {
    throw new RangeError(`${label}: read of ${length} bytes at ${offset} is outside the ${size}-byte file`);
  }
}

/** A ByteSource over bytes already in memory. */
export function bytesSource(bytes: Uint8Array, label = 'buffer'): ByteSource {
  return {
    size: bytes.length,
    async read(offset, length) {
      checkRange(bytes.length, offset, length, label);
      return bytes.subarray(offset, offset + length);
    },
  };
}

/** A ByteSource over a Blob or File: each read slices only the bytes it needs. */
export function blobSource(blob: Blob, label = (blob as File).name ?? 'blob'): ByteSource {
  return {
    size: blob.size,
    async read(offset, length) {
      checkRange(blob.size, offset, length, label);
      const buf = new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
      if (buf.length !== length)
        throw new Error(`${label}: read ${buf.length} of ${length} bytes at ${offset} (file changed?)`);
      return buf;
    },
  };
}

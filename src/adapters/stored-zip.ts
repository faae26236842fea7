// A zip written as a stream, entries stored (not deflated: safetensors and GGUF weights barely
// compress, and storing keeps a multi-gigabyte export at disk speed). Each file's size is known
// before its bytes (FileSink), its CRC-32 only after, so every entry carries a data descriptor
// (APPNOTE.TXT 4.3.9, general purpose bit 3) after its data; sizes are also in the local header.
// ZIP64 (APPNOTE 4.5.3, 4.3.14–4.3.16) is used where a size or offset passes 0xFFFFFFFF, so
// exports larger than 4 GB open in Python's zipfile, Info-ZIP, 7-Zip and the OS archivers.
// Names are UTF-8 (bit 11). DOM-free: bytes go to a `write` callback the caller drains.
import { counted, type FileSink } from './sink.ts';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO-HDLC, as zip uses) continued from `crc` over `bytes`. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const MAX32 = 0xffffffff;

interface Entry {
  name: Uint8Array;
  size: number;
  crc: number;
  offset: number;
  zip64: boolean;
}

export interface StoredZipOptions {
  /** Timestamp of every entry (default: now). */
  date?: Date;
  /** Use ZIP64 fields for every entry (tests of the ZIP64 path on small files). */
  forceZip64?: boolean;
}

function dosTime(d: Date): { time: number; date: number } {
  const year = Math.max(1980, d.getFullYear());
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

class Bytes {
  private readonly buf: Uint8Array;
  private readonly view: DataView;
  at = 0;
  constructor(n: number) {
    this.buf = new Uint8Array(n);
    this.view = new DataView(this.buf.buffer);
  }
  u16(v: number) {
    this.view.setUint16(this.at, v, true);
    this.at += 2;
    return this;
  }
  u32(v: number) {
    this.view.setUint32(this.at, v >>> 0, true);
    this.at += 4;
    return this;
  }
  u64(v: number) {
    this.u32(v % 2 ** 32);
    return this.u32(Math.floor(v / 2 ** 32));
  }
  raw(b: Uint8Array) {
    this.buf.set(b, this.at);
    this.at += b.length;
    return this;
  }
  done(): Uint8Array {
    return this.buf.subarray(0, this.at);
  }
}

/** A FileSink that writes a stored zip; call `finish()` once after the last file. */
export function storedZipSink(
  write: (chunk: Uint8Array) => Promise<void> | void,
  options: StoredZipOptions = {},
): FileSink & { finish(): Promise<number> } {
  const entries: Entry[] = [];
  const names = new Set<string>();
  const { time, date } = dosTime(options.date ?? new Date());
  let offset = 0;
  let finished = false;
  const emit = async (b: Uint8Array) => {
    await write(b);
    offset += b.length;
  };
  return {
    async writeFile(path, size, chunks) {
      if (finished) throw new Error('the zip is already finished');
      if (names.has(path)) throw new Error(`${path} is already in the zip`);
      names.add(path);
      const name = new TextEncoder().encode(path);
      const zip64 = options.forceZip64 === true || size >= MAX32;
      const entry: Entry = { name, size, crc: 0, offset, zip64 };
      // Local file header (4.3.7).
      const h = new Bytes(30 + name.length + (zip64 ? 20 : 0))
        .u32(0x04034b50)
        .u16(zip64 ? 45 : 20)
        .u16(0x0808)
        .u16(0)
        .u16(time)
        .u16(date)
        .u32(0)
        .u32(zip64 ? MAX32 : size)
        .u32(zip64 ? MAX32 : size)
        .u16(name.length)
        .u16(zip64 ? 20 : 0)
        .raw(name);
      if (zip64) h.u16(0x0001).u16(16).u64(size).u64(size);
      await emit(h.done());
      let crc = 0;
      for await (const c of counted(path, size, chunks)) {
        crc = crc32(c, crc);
        await emit(c);
      }
      entry.crc = crc;
      // Data descriptor (4.3.9), with 8-byte sizes in ZIP64 entries.
      const d = new Bytes(24).u32(0x08074b50).u32(crc);
      if (zip64) d.u64(size).u64(size);
      else d.u32(size).u32(size);
      await emit(d.done());
      entries.push(entry);
    },
    async finish() {
      if (finished) throw new Error('the zip is already finished');
      finished = true;
      const cdStart = offset;
      for (const e of entries) {
        const bigOffset = options.forceZip64 === true || e.offset >= MAX32;
        const extra: number[] = [];
        if (e.zip64) extra.push(e.size, e.size);
        if (bigOffset) extra.push(e.offset);
        const extraLen = extra.length ? 4 + 8 * extra.length : 0;
        const c = new Bytes(46 + e.name.length + extraLen)
          .u32(0x02014b50)
          .u16((3 << 8) | 45)
          .u16(e.zip64 || bigOffset ? 45 : 20)
          .u16(0x0808)
          .u16(0)
          .u16(time)
          .u16(date)
          .u32(e.crc)
          .u32(e.zip64 ? MAX32 : e.size)
          .u32(e.zip64 ? MAX32 : e.size)
          .u16(e.name.length)
          .u16(extraLen)
          .u16(0)
          .u16(0)
          .u16(0)
          // External attributes: a regular file, rw-r--r-- (Unix mode in the high 16 bits).
          .u32((0o100644 << 16) >>> 0)
          .u32(bigOffset ? MAX32 : e.offset)
          .raw(e.name);
        if (extra.length) {
          c.u16(0x0001).u16(8 * extra.length);
          for (const v of extra) c.u64(v);
        }
        await emit(c.done());
      }
      const cdSize = offset - cdStart;
      const needs64 = options.forceZip64 === true || entries.length >= 0xffff || cdStart >= MAX32 || cdSize >= MAX32;
      if (needs64) {
        const eocd64At = offset;
        await emit(
          new Bytes(56)
            .u32(0x06064b50)
            .u64(44)
            .u16((3 << 8) | 45)
            .u16(45)
            .u32(0)
            .u32(0)
            .u64(entries.length)
            .u64(entries.length)
            .u64(cdSize)
            .u64(cdStart)
            .done(),
        );
        await emit(new Bytes(20).u32(0x07064b50).u32(0).u64(eocd64At).u32(1).done());
      }
      await emit(
        new Bytes(22)
          .u32(0x06054b50)
          .u16(0)
          .u16(0)
          .u16(needs64 ? 0xffff : entries.length)
          .u16(needs64 ? 0xffff : entries.length)
          .u32(needs64 ? MAX32 : cdSize)
          .u32(needs64 ? MAX32 : cdStart)
          .u16(0)
          .done(),
      );
      return offset;
    },
  };
}

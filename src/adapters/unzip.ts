// A zip reader that cannot be bombed: it reads the central directory first, checks every name and
// declared size against the caller's caps before inflating a byte, then inflates one entry at a
// time in small chunks (fflate's streaming Inflate), stopping as soon as the output passes the
// declared size. Memory is the caps, never what the archive claims or what its data inflates to.
// Format: PKWARE APPNOTE.TXT 6.3.10 (local header 4.3.7, central directory 4.3.12, end of central
// directory 4.3.16, zip64 4.3.14/4.3.15/4.5.3). Checked against Python's zipfile in unzip.test.ts.
import { Inflate } from 'fflate';
import type { ByteSource } from '../model/types.ts';
import { formatBytes } from '../model/sources/blob-cache.ts';
import { AdapterFormatError } from './peft.ts';

/** Over this many entries an archive is refused before its directory is read (an adapter has ~5). */
export const MAX_ZIP_ENTRIES = 1000;
/** DEFLATE's densest expansion: one compressed byte yields at most ~1032 bytes (258 per 2 bits). */
export const DEFLATE_MAX_RATIO = 1032;
/** Compressed bytes fed to the inflater per step, at most... */
const MAX_CHUNK = 64 * 1024;
/** ...and at least: so inflation overshoots the declared size by at most ~1 MiB before it stops. */
const MIN_CHUNK = 1024;
/** The most an entry can inflate past its declared size before reading stops. */
export const MAX_OVERSHOOT = MIN_CHUNK * DEFLATE_MAX_RATIO;
/** Give the event loop a turn after this many output bytes (the browser's UI stays responsive). */
const YIELD_EVERY = 4 * 1024 * 1024;

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;

/** An archive over a cap: `entry` is the path ('' for the whole archive), `inflated` what was inflated of it. */
export class ZipLimitError extends AdapterFormatError {
  override name = 'ZipLimitError';
  constructor(
    message: string,
    readonly entry: string,
    readonly cap: number,
    readonly inflated = 0,
  ) {
    super(message);
  }
}

export interface ZipEntry {
  /** The path as stored, `\` turned into `/` and a leading `./` dropped; checked safe. */
  path: string;
  isDirectory: boolean;
  /** 0 stored, 8 deflated (the only two accepted). */
  method: number;
  compressedSize: number;
  /** Inflated size as the central directory declares it. */
  size: number;
  crc32: number;
  /** Offset of the local file header. */
  localOffset: number;
  /** Offset of the entry's data (after the local header); set by openZip. */
  dataOffset: number;
}

let crcTable: Uint32Array | null = null;

/** CRC-32 (ISO-HDLC, the zip one), continued from `crc`. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  const t = crcTable;
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const damaged = (why: string) => new AdapterFormatError(`the zip file is damaged or incomplete: ${why}`);

/** A safe relative path, or an error naming the entry. */
export function checkEntryPath(raw: string): string {
  const path = raw.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  const unsafe =
    path.startsWith('/') ||
    /^[A-Za-z]:/.test(path) ||
    path.includes('\0') ||
    path.split('/').includes('..') ||
    path === '';
  if (unsafe)
    throw new AdapterFormatError(`unsafe path in the archive: ${JSON.stringify(raw)} (absolute, empty or with "..")`);
  return path;
}

function u16(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}
function u32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}
function u64(b: Uint8Array, o: number): number {
  const v = u32(b, o) + u32(b, o + 4) * 2 ** 32;
  if (!Number.isSafeInteger(v)) throw damaged('a zip64 size or offset is beyond 2^53');
  return v;
}

const utf8 = new TextDecoder('utf-8');

/** Where the central directory is and how many entries it holds. */
async function readEnd(src: ByteSource): Promise<{ count: number; cdOffset: number; cdSize: number }> {
  if (src.size < EOCD_SIZE) throw damaged('too short for a zip');
  const tailLen = Math.min(src.size, EOCD_SIZE + MAX_COMMENT);
  const tailStart = src.size - tailLen;
  const tail = await src.read(tailStart, tailLen);
  let at = -1;
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (u32(tail, i) === SIG_EOCD && i + EOCD_SIZE + u16(tail, i + 20) <= tail.length) {
      at = i;
      break;
    }
  }
  if (at < 0) throw damaged('no end-of-central-directory record (cut short?)');
  const eocdPos = tailStart + at;
  let disk = u16(tail, at + 4);
  let cdDisk = u16(tail, at + 6);
  let onDisk = u16(tail, at + 8);
  let count = u16(tail, at + 10);
  let cdSize = u32(tail, at + 12);
  let cdOffset = u32(tail, at + 16);
  let cdEnd = eocdPos;
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    // zip64: a locator right before the record points at the zip64 end of central directory.
    if (eocdPos < 20) throw damaged('zip64 locator missing');
    const loc = await src.read(eocdPos - 20, 20);
    if (u32(loc, 0) !== SIG_EOCD64_LOCATOR) throw damaged('zip64 locator missing');
    const e64Pos = u64(loc, 8);
    if (e64Pos + 56 > eocdPos - 20) throw damaged('zip64 end of central directory out of range');
    const e = await src.read(e64Pos, 56);
    if (u32(e, 0) !== SIG_EOCD64) throw damaged('zip64 end of central directory missing');
    disk = u32(e, 16);
    cdDisk = u32(e, 20);
    onDisk = u64(e, 24);
    count = u64(e, 32);
    cdSize = u64(e, 40);
    cdOffset = u64(e, 48);
    cdEnd = e64Pos;
  }
  if (disk !== 0 || cdDisk !== 0 || onDisk !== count)
    throw new AdapterFormatError('multi-part (spanned) zips are not supported: join the parts into one zip');
  if (count > MAX_ZIP_ENTRIES) {
    throw new ZipLimitError(
      `the zip has ${count} entries, over the ${MAX_ZIP_ENTRIES} an adapter zip may hold`,
      '',
      MAX_ZIP_ENTRIES,
    );
  }
  if (cdOffset + cdSize > cdEnd)
    throw damaged('the central directory runs past its end record (data prepended or cut?)');
  return { count, cdOffset, cdSize };
}

/**
 * The entries of a zip, from its central directory, every check done before any data is read:
 * entry count, safe and unique paths, supported method, no encryption, entries that neither
 * overlap each other nor the directory (overlapping entries are how the densest bombs work).
 */
export async function openZip(src: ByteSource): Promise<ZipEntry[]> {
  const { count, cdOffset, cdSize } = await readEnd(src);
  // 46 fixed bytes + up to 3 × 64 KiB of name, extra and comment per entry: bounded by the count cap.
  const cd = await src.read(cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  const seen = new Map<string, string>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || u32(cd, p) !== SIG_CENTRAL)
      throw damaged(`central directory entry ${i + 1} of ${count} is missing`);
    const flags = u16(cd, p + 8);
    const method = u16(cd, p + 10);
    const crc = u32(cd, p + 16);
    let compressedSize = u32(cd, p + 20);
    let size = u32(cd, p + 24);
    const nameLen = u16(cd, p + 28);
    const extraLen = u16(cd, p + 30);
    const commentLen = u16(cd, p + 32);
    let localOffset = u32(cd, p + 42);
    if (p + 46 + nameLen + extraLen + commentLen > cd.length)
      throw damaged(`central directory entry ${i + 1} runs past the directory`);
    const raw = utf8.decode(cd.subarray(p + 46, p + 46 + nameLen));
    // zip64 extended information: the fields that overflowed 32 bits, in this order (4.5.3).
    if (size === 0xffffffff || compressedSize === 0xffffffff || localOffset === 0xffffffff) {
      let e = p + 46 + nameLen;
      const eEnd = e + extraLen;
      let found = false;
      while (e + 4 <= eEnd) {
        const id = u16(cd, e);
        const len = u16(cd, e + 2);
        if (id === 0x0001) {
          let q = e + 4;
          const take = () => {
            if (q + 8 > e + 4 + len) throw damaged(`zip64 field of "${raw}" is short`);
            const v = u64(cd, q);
            q += 8;
            return v;
          };
          if (size === 0xffffffff) size = take();
          if (compressedSize === 0xffffffff) compressedSize = take();
          if (localOffset === 0xffffffff) localOffset = take();
          found = true;
          break;
        }
        e += 4 + len;
      }
      if (!found) throw damaged(`"${raw}" has 32-bit overflow markers but no zip64 field`);
    }
    p += 46 + nameLen + extraLen + commentLen;

    const path = checkEntryPath(raw);
    const prev = seen.get(path);
    if (prev !== undefined) {
      throw new AdapterFormatError(
        `the zip holds "${path}" twice (${JSON.stringify(prev)} and ${JSON.stringify(raw)}): ` +
          `which one is meant is ambiguous`,
      );
    }
    seen.set(path, raw);
    const isDirectory = path.endsWith('/');
    if (flags & 0x1) throw new AdapterFormatError(`"${path}" is encrypted: import an unencrypted zip`);
    if (!isDirectory && method !== 0 && method !== 8) {
      throw new AdapterFormatError(
        `"${path}" uses compression method ${method}; only stored (0) and deflated (8) are supported: re-zip it`,
      );
    }
    if (method === 0 && compressedSize !== size)
      throw damaged(`"${path}" is stored but its sizes differ (${compressedSize} vs ${size})`);
    entries.push({ path, isDirectory, method, compressedSize, size, crc32: crc, localOffset, dataOffset: -1 });
  }

  // Local headers: where each entry's data starts, and that the entries tile the file without overlap.
  const byOffset = [...entries].sort((a, b) => a.localOffset - b.localOffset);
  for (const [k, e] of byOffset.entries()) {
    if (e.localOffset + 30 > cdOffset) throw damaged(`"${e.path}" starts inside or after the central directory`);
    const h = await src.read(e.localOffset, 30);
    if (u32(h, 0) !== SIG_LOCAL) throw damaged(`"${e.path}" has no local header where the directory says`);
    e.dataOffset = e.localOffset + 30 + u16(h, 26) + u16(h, 28);
    const end = e.dataOffset + e.compressedSize;
    const next = k + 1 < byOffset.length ? byOffset[k + 1].localOffset : cdOffset;
    if (end > next) {
      const what = k + 1 < byOffset.length ? `overlaps "${byOffset[k + 1].path}"` : 'runs into the central directory';
      throw new AdapterFormatError(
        `"${e.path}" ${what}: overlapping entries are refused (a zip bomb technique, or a damaged zip)`,
      );
    }
  }
  return entries;
}

export interface InflateOptions {
  /** Refuse the entry when it declares or inflates to more than this many bytes. */
  cap: number;
  /** What the cap is, for the message: e.g. "the cap for an adapter of Qwen/Qwen3-0.6B". */
  capReason: string;
  /** Called with the bytes inflated so far. */
  onProgress?: (done: number) => void;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * One entry's bytes. The output buffer is the declared size (already ≤ cap); inflation stops at
 * the first chunk past it, so a directory that lies about sizes costs at most one chunk more.
 */
export async function readEntry(src: ByteSource, entry: ZipEntry, opts: InflateOptions): Promise<Uint8Array> {
  const { path } = entry;
  if (entry.size > opts.cap) {
    throw new ZipLimitError(
      `"${path}" would inflate to ${formatBytes(entry.size)}, over ${opts.capReason} (${formatBytes(opts.cap)})`,
      path,
      opts.cap,
    );
  }
  if (entry.dataOffset < 0) throw new Error(`readEntry: "${path}" was not opened with openZip`);
  const out = new Uint8Array(entry.size);
  let done = 0;
  let crc = 0;
  let sinceYield = 0;
  let failure: Error | null = null;
  const take = (chunk: Uint8Array) => {
    if (failure) return;
    if (done + chunk.length > entry.size) {
      const cap = Math.min(opts.cap, entry.size);
      failure = new ZipLimitError(
        `"${path}" inflates past the ${formatBytes(entry.size)} its zip directory declares (stopped ` +
          `at ${formatBytes(done + chunk.length)}; ` +
          `the cap is ${formatBytes(cap)}): the zip lies about its sizes or is damaged`,
        path,
        cap,
        done + chunk.length,
      );
      return;
    }
    out.set(chunk, done);
    crc = crc32(chunk, crc);
    done += chunk.length;
    sinceYield += chunk.length;
  };
  let ended = false;
  const inflater =
    entry.method === 8
      ? new Inflate((chunk, final) => {
          take(chunk);
          ended ||= final;
        })
      : null;
  for (let off = 0; off < entry.compressedSize && !failure;) {
    // Near the declared end, feed only what could legitimately fill it, so a lie costs ≤ MAX_OVERSHOOT.
    const need = Math.ceil((entry.size - done) / DEFLATE_MAX_RATIO);
    const n = Math.min(MAX_CHUNK, entry.compressedSize - off, inflater ? Math.max(MIN_CHUNK, need) : MAX_CHUNK);
    const data = await src.read(entry.dataOffset + off, n);
    off += n;
    if (inflater) {
      try {
        inflater.push(data, off === entry.compressedSize);
      } catch (err) {
        if (failure) break;
        throw damaged(`"${path}" does not inflate (${(err as Error).message})`);
      }
    } else {
      take(data);
    }
    if (sinceYield >= YIELD_EVERY) {
      sinceYield = 0;
      opts.onProgress?.(done);
      await yieldToEventLoop();
    }
  }
  if (failure) throw failure;
  if (inflater && entry.compressedSize === 0) throw damaged(`"${path}" has no deflate data`);
  if (inflater && !ended && entry.compressedSize > 0) throw damaged(`"${path}" ends before its deflate stream does`);
  if (done !== entry.size)
    throw damaged(`"${path}" inflates to ${done} bytes, but its directory declares ${entry.size}`);
  if (crc !== entry.crc32) throw damaged(`"${path}" fails its CRC-32 check`);
  opts.onProgress?.(done);
  return out;
}

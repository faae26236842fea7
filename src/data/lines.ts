// Splits a byte stream into lines without ever decoding the whole file: lines are cut on the
// LF byte (0x0A), which never occurs inside a multi-byte UTF-8 sequence, so a character split
// across chunks is simply reassembled with its line before decoding. A line longer than the
// per-line limit is counted but not kept: its bytes are dropped as they stream past, so memory
// stays at one line of at most the limit whatever the file.

/**
 * The longest line read as a record: 16 MiB, about 4M tokens, past any model's context. Longer
 * lines are reported (`line_too_long`) with their length and skipped without being buffered.
 */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface ReadOptions {
  signal?: AbortSignal;
  /** Called after each chunk with the total number of bytes read so far. */
  onProgress?: (bytesRead: number) => void;
  /** Per-line limit in bytes (default MAX_LINE_BYTES). */
  maxLineBytes?: number;
}

export interface RawLine {
  /** 1-based line number. */
  line: number;
  /**
   * The line's bytes without its LF, its trailing CR (CRLF files) or, on line 1, a UTF-8 BOM.
   * May view the chunk it came from: use it before asking for the next line.
   */
  bytes: Uint8Array;
  /** Set when the line was over the limit: its length in bytes (LF excluded); `bytes` is then empty. */
  tooLong?: number;
}

const LF = 0x0a;
const CR = 0x0d;

function toStream(source: Blob | ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  // Duck-typed: a stream from another realm (Node's stream/web, a worker) fails instanceof.
  return typeof (source as Blob).stream === 'function'
    ? (source as Blob).stream()
    : (source as ReadableStream<Uint8Array>);
}

function concat(parts: Uint8Array[], last: Uint8Array): Uint8Array {
  let size = last.byteLength;
  for (const p of parts) size += p.byteLength;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  out.set(last, at);
  return out;
}

function finish(bytes: Uint8Array, line: number): RawLine {
  let start = 0;
  let end = bytes.byteLength;
  if (line === 1 && end >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  if (end > start && bytes[end - 1] === CR) end -= 1;
  return { line, bytes: start === 0 && end === bytes.byteLength ? bytes : bytes.subarray(start, end) };
}

function tooLong(length: number, line: number): RawLine {
  return { line, bytes: new Uint8Array(0), tooLong: length };
}

/**
 * Every line of the stream, blank ones included, numbered from 1. A last line without a final
 * newline is still a line; a final newline does not start an empty extra line.
 */
export async function* readLines(
  source: Blob | ReadableStream<Uint8Array>,
  opts: ReadOptions = {},
): AsyncGenerator<RawLine> {
  const { signal, onProgress } = opts;
  const limit = opts.maxLineBytes ?? MAX_LINE_BYTES;
  signal?.throwIfAborted();
  const reader = toStream(source).getReader();
  // The bytes of the current, unfinished line: only ever one line's worth (≤ limit) is held.
  let parts: Uint8Array[] = [];
  let held = 0;
  // Length of the current line once it passed the limit (its bytes are being dropped), else -1.
  let skipping = -1;
  let line = 0;
  let bytesRead = 0;
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      signal?.throwIfAborted();
      const chunk = next.value;
      bytesRead += chunk.byteLength;
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(LF, start);
        if (nl === -1) break;
        const piece = chunk.subarray(start, nl);
        start = nl + 1;
        if (skipping >= 0 || held + piece.byteLength > limit) {
          yield tooLong(skipping >= 0 ? skipping + piece.byteLength : held + piece.byteLength, ++line);
        } else {
          yield finish(parts.length > 0 ? concat(parts, piece) : piece, ++line);
        }
        parts = [];
        held = 0;
        skipping = -1;
        signal?.throwIfAborted();
      }
      const rest = chunk.byteLength - start;
      if (rest > 0) {
        if (skipping >= 0) skipping += rest;
        else if (held + rest > limit) {
          skipping = held + rest;
          parts = [];
          held = 0;
        } else {
          // Copied (not `slice`, which on a Node Buffer is a view): a stream may reuse the
          // chunk's buffer once we ask for the next one.
          parts.push(new Uint8Array(chunk.subarray(start)));
          held += rest;
        }
      }
      onProgress?.(bytesRead);
    }
    if (skipping >= 0) yield tooLong(skipping, ++line);
    else if (parts.length > 0) yield finish(concat(parts, new Uint8Array(0)), ++line);
    done = true;
  } finally {
    // Stopped early (break, abort, error): let the source close its file.
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/** A line with nothing but JSON whitespace is not a record. */
export function isBlank(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.byteLength; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x09 && b !== CR) return false;
  }
  return true;
}

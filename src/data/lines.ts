// Splits a byte stream into lines without ever decoding the whole file: lines are cut on the
// LF byte (0x0A), which never occurs inside a multi-byte UTF-8 sequence, so a character split
// across chunks is simply reassembled with its line before decoding.

export interface ReadOptions {
  signal?: AbortSignal;
  /** Called after each chunk with the total number of bytes read so far. */
  onProgress?: (bytesRead: number) => void;
}

export interface RawLine {
  /** 1-based line number. */
  line: number;
  /**
   * The line's bytes without its LF, its trailing CR (CRLF files) or, on line 1, a UTF-8 BOM.
   * May view the chunk it came from: use it before asking for the next line.
   */
  bytes: Uint8Array;
}

const LF = 0x0a;
const CR = 0x0d;

function toStream(source: Blob | ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  // Duck-typed: a stream from another realm (Node's stream/web, a worker) fails instanceof.
  return typeof (source as Blob).stream === 'function' ? (source as Blob).stream() : (source as ReadableStream<Uint8Array>);
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

/**
 * Every line of the stream, blank ones included, numbered from 1. A last line without a final
 * newline is still a line; a final newline does not start an empty extra line.
 */
export async function* readLines(
  source: Blob | ReadableStream<Uint8Array>,
  opts: ReadOptions = {},
): AsyncGenerator<RawLine> {
  const { signal, onProgress } = opts;
  signal?.throwIfAborted();
  const reader = toStream(source).getReader();
  // The bytes of the current, unfinished line: only ever one line's worth is held.
  let parts: Uint8Array[] = [];
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
        const bytes = parts.length > 0 ? concat(parts, piece) : piece;
        parts = [];
        start = nl + 1;
        yield finish(bytes, ++line);
        signal?.throwIfAborted();
      }
      // Copied (not `slice`, which on a Node Buffer is a view): a stream may reuse the chunk's
      // buffer once we ask for the next one.
      if (start < chunk.byteLength) parts.push(new Uint8Array(chunk.subarray(start)));
      onProgress?.(bytesRead);
    }
    if (parts.length > 0) yield finish(concat(parts, new Uint8Array(0)), ++line);
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

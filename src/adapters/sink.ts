// Where an export writes its files, one at a time, each as a stream of chunks of a size known up
// front (so a zip or a progress bar can be planned before a byte is read). Implementations: the
// Node file system (src/cli/fs-sink.ts), a folder the user picked in the browser (File System
// Access API), and a stored zip streamed to a download (stored-zip.ts). Exports never hold a
// whole model in memory: each chunk is produced, handed to the sink and dropped.

export interface FileSink {
  /** Write one file (path relative to the export's root, '/'-separated) from these chunks, `size` bytes in all. */
  writeFile(path: string, size: number, chunks: AsyncIterable<Uint8Array>): Promise<void>;
}

/** Progress over a whole export: bytes written so far and in all, and the file being written. */
export interface ExportProgress {
  file: string;
  written: number;
  total: number;
}

export class ExportError extends Error {
  override name = 'ExportError';
}

/** One chunk as an async iterable (small files: config.json, tokenizer files). */
export async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** Check a producer's chunks against the size it announced, counting progress as they pass. */
export async function* counted(
  path: string,
  size: number,
  chunks: AsyncIterable<Uint8Array>,
  onBytes: (n: number) => void = () => {},
): AsyncGenerator<Uint8Array> {
  let n = 0;
  for await (const c of chunks) {
    n += c.length;
    if (n > size) throw new ExportError(`${path}: wrote more than the ${size} bytes planned (internal error)`);
    yield c;
    onBytes(c.length);
  }
  if (n !== size) throw new ExportError(`${path}: wrote ${n} of the ${size} bytes planned (internal error)`);
}

/** A sink that keeps every file in memory (tests, small exports). */
export function memorySink(): FileSink & { files: Map<string, Uint8Array> } {
  const files = new Map<string, Uint8Array>();
  return {
    files,
    async writeFile(path, size, chunks) {
      const out = new Uint8Array(size);
      let at = 0;
      for await (const c of counted(path, size, chunks)) {
        out.set(c, at);
        at += c.length;
      }
      files.set(path, out);
    },
  };
}

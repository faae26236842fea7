// ByteSource and ModelSource over the local file system (Node only), for the CLI and tests.
import { open, readFile, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { checkRange } from '../model/sources/byte-source.ts';
import type { ByteSource, ModelSource } from '../model/types.ts';

/** A file as a ByteSource: positioned reads through one FileHandle (closed with `close`). */
export async function fileSource(path: string): Promise<ByteSource & { close(): Promise<void> }> {
  const fh = await open(path, 'r');
  const { size } = await fh.stat();
  return {
    size,
    async read(offset, length) {
      checkRange(size, offset, length, path);
      const buf = new Uint8Array(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
        if (bytesRead === 0)
          throw new Error(`${path}: file ended after ${offset + got} of ${size} bytes (changed while reading?)`);
        got += bytesRead;
      }
      return buf;
    },
    close: () => fh.close(),
  };
}

/** A model folder on disk. Paths may not climb out of it. */
export function fsModelSource(dir: string): ModelSource & { close(): Promise<void> } {
  const root = resolve(dir);
  const opened: { close(): Promise<void> }[] = [];
  const full = (path: string) => {
    const p = resolve(join(root, path));
    if (p !== root && !p.startsWith(root + sep)) throw new Error(`${path}: outside the model folder ${root}`);
    return p;
  };
  return {
    label: root,
    async exists(path) {
      try {
        return (await stat(full(path))).isFile();
      } catch {
        return false;
      }
    },
    readText: (path) => readFile(full(path), 'utf8'),
    async open(path) {
      const s = await fileSource(full(path));
      opened.push(s);
      return s;
    },
    async close() {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    },
  };
}

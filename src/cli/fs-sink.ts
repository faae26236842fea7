// FileSink over a folder on disk (Node only). Each file is written as NAME.partial and renamed
// when complete, so an interrupted export never leaves a file that looks finished.
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { once as onceEvent } from 'node:events';
import { counted, type FileSink } from '../adapters/sink.ts';

export function folderSink(dir: string): FileSink {
  const root = resolve(dir);
  return {
    async writeFile(path, size, chunks) {
      const full = resolve(join(root, path));
      if (!full.startsWith(root + sep)) throw new Error(`${path}: outside the output folder ${root}`);
      await mkdir(dirname(full), { recursive: true });
      await writeStreamed(full, size, chunks, path);
    },
  };
}

/** Write chunks to `file` (via file.partial), checking the size. */
export async function writeStreamed(
  file: string,
  size: number,
  chunks: AsyncIterable<Uint8Array>,
  label = file,
): Promise<void> {
  const tmp = `${file}.partial`;
  const out = createWriteStream(tmp);
  try {
    for await (const c of counted(label, size, chunks)) {
      if (!out.write(c)) await onceEvent(out, 'drain');
    }
    out.end();
    await onceEvent(out, 'finish');
    await rename(tmp, file);
  } catch (err) {
    out.destroy();
    await rm(tmp, { force: true });
    throw err;
  }
}

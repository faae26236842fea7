// The tokenize pool over Node's worker_threads, and reading a tokenizer folder.
import { access, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { readTokenizerFiles } from '../tokenize/files.ts';
import { TokenizerError, type TokenizerFiles } from '../tokenize/load.ts';
import { fsModelSource } from './fs-source.ts';
import { defaultPoolSize, type PortLike, type Spawn } from '../tokenize/pool.ts';
import type { FromWorker, ToWorker } from '../tokenize/protocol.ts';

const ENTRY = new URL('./tokenize-worker.mjs', import.meta.url);

/** A worker_threads Worker as the pool's port. */
export const spawnNodeWorker: Spawn = () => {
  const worker = new Worker(ENTRY, { execArgv: [] });
  const port: PortLike = {
    onmessage: null,
    onerror: null,
    postMessage(msg: ToWorker, transfer?: Transferable[]) {
      worker.postMessage(msg, transfer as ArrayBuffer[] | undefined);
    },
    terminate() {
      void worker.terminate();
    },
  };
  worker.on('message', (data: FromWorker) => port.onmessage?.({ data }));
  worker.on('error', (err) => port.onerror?.(err));
  worker.on('exit', (code) => {
    if (code !== 0 && code !== 1) port.onerror?.(new Error(`worker exited with code ${code}`));
  });
  return port;
};

export function nodePoolSize(): number {
  return defaultPoolSize(availableParallelism());
}

/**
 * tokenizer.json and tokenizer_config.json from a Hugging Face model or tokenizer folder; a folder
 * with only a SentencePiece tokenizer.model (InternLM2) gets its tokenizer.json built from it.
 */
export async function readTokenizerFolder(dir: string): Promise<TokenizerFiles> {
  const has = (name: string) =>
    access(join(dir, name)).then(
      () => true,
      () => false,
    );
  if (!(await has('tokenizer.json')) && (await has('tokenizer.model'))) {
    const source = fsModelSource(dir);
    try {
      return await readTokenizerFiles(source);
    } finally {
      await source.close();
    }
  }
  const read = async (name: string, required: boolean) => {
    try {
      return JSON.parse(await readFile(join(dir, name), 'utf8')) as Record<string, unknown>;
    } catch (err) {
      if (!required && (err as { code?: string }).code === 'ENOENT') return {};
      const why = (err as { code?: string }).code === 'ENOENT' ? 'no such file' : (err as Error).message;
      throw new TokenizerError(`${join(dir, name)}: ${why}`);
    }
  };
  const [tokenizerJSON, tokenizerConfig] = await Promise.all([
    read('tokenizer.json', true),
    read('tokenizer_config.json', false),
  ]);
  return { tokenizerJSON, tokenizerConfig };
}

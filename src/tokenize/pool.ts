// A pool of dedicated tokenize workers. The same code drives browser Workers and Node
// worker_threads: it only needs a `spawn()` that returns something port-like.
//
// Memory stays bounded on any file size: records are pulled from the input only while fewer than
// `size × inFlightPerWorker` batches are out, and results are yielded (in input order) as soon as
// the oldest batch is back. Result arrays come back as transferables, never copied.
import type { TokenizerFiles } from './load.ts';
import type { PipelineConfig, PipelineItem, PipelineResult } from './pipeline.ts';
import type { FromWorker, ToWorker } from './protocol.ts';

/** What the pool needs of a worker: a browser `Worker` is one as is; Node's is adapted. */
export interface PortLike {
  postMessage(msg: ToWorker, transfer?: Transferable[]): void;
  onmessage: ((ev: { data: FromWorker }) => void) | null;
  onerror: ((err: unknown) => void) | null;
  terminate(): void;
}

export type Spawn = () => PortLike;

export interface Progress {
  records: number;
  failed: number;
  tokens: number;
}

export interface PoolOptions {
  spawn: Spawn;
  files: TokenizerFiles;
  config: PipelineConfig;
  /** Number of workers; default hardwareConcurrency − 1, at least 1. */
  size?: number;
  /** Records per message (default 64): amortizes messaging, small enough to keep workers even. */
  batchSize?: number;
  /** Batches queued per worker (default 2), so a worker never waits for the next one. */
  inFlightPerWorker?: number;
  signal?: AbortSignal;
  /** Called after each batch comes back. */
  onProgress?: (p: Progress) => void;
}

export function defaultPoolSize(hardwareConcurrency?: number): number {
  const hc = hardwareConcurrency ?? (typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : undefined) ?? 2;
  return Math.max(1, hc - 1);
}

export class AbortError extends Error {
  override name = 'AbortError';
}

interface Slot {
  port: PortLike;
  pending: number;
}

/** Tokenize `items` on a worker pool; yields one result per item, in input order. */
export async function* tokenizeWithPool(
  items: AsyncIterable<PipelineItem> | Iterable<PipelineItem>,
  opts: PoolOptions,
): AsyncGenerator<PipelineResult> {
  const size = Math.max(1, opts.size ?? defaultPoolSize());
  const batchSize = Math.max(1, opts.batchSize ?? 64);
  const limit = size * Math.max(1, opts.inFlightPerWorker ?? 2);
  const waiting = new Map<number, { resolve: (r: PipelineResult[]) => void; reject: (e: Error) => void; slot: Slot }>();
  const slots: Slot[] = [];
  let failure: ((e: Error) => void) | null = null;
  const failed = new Promise<never>((_, reject) => (failure = reject));
  failed.catch(() => {});
  const fail = (e: Error) => {
    failure?.(e);
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
  };
  const onAbort = () => fail(new AbortError('tokenization cancelled'));
  if (opts.signal?.aborted) throw new AbortError('tokenization cancelled');
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  const readies: Promise<void>[] = [];
  const filesText = JSON.stringify(opts.files);
  try {
    for (let i = 0; i < size; i++) {
      const slot: Slot = { port: opts.spawn(), pending: 0 };
      slots.push(slot);
      readies.push(
        new Promise<void>((resolve, reject) => {
          slot.port.onmessage = ({ data }) => {
            if (data.type === 'ready') resolve();
            else if (data.type === 'result') {
              const w = waiting.get(data.id);
              waiting.delete(data.id);
              slot.pending--;
              w?.resolve(data.results);
            } else {
              const e = new Error(`tokenize worker: ${data.message}`);
              if (data.id === undefined) reject(e);
              fail(e);
            }
          };
          slot.port.onerror = (err) => {
            const e = new Error(`tokenize worker crashed: ${(err as { message?: string })?.message ?? String(err)}`);
            reject(e);
            fail(e);
          };
        }),
      );
      slot.port.postMessage({ type: 'init', files: filesText, config: opts.config });
    }
    await Promise.race([Promise.all(readies), failed]);

    let nextId = 0;
    const dispatch = (batch: PipelineItem[]): Promise<PipelineResult[]> => {
      const slot = slots.reduce((a, b) => (b.pending < a.pending ? b : a));
      const id = nextId++;
      slot.pending++;
      const p = new Promise<PipelineResult[]>((resolve, reject) => waiting.set(id, { resolve, reject, slot }));
      p.catch(() => {});
      slot.port.postMessage({ type: 'batch', id, items: batch });
      return p;
    };

    const it =
      Symbol.asyncIterator in items
        ? (items as AsyncIterable<PipelineItem>)[Symbol.asyncIterator]()
        : (items as Iterable<PipelineItem>)[Symbol.iterator]();
    const queue: Promise<PipelineResult[]>[] = [];
    const progress: Progress = { records: 0, failed: 0, tokens: 0 };
    let exhausted = false;
    for (;;) {
      while (!exhausted && queue.length < limit) {
        const batch: PipelineItem[] = [];
        while (batch.length < batchSize) {
          const n = await it.next();
          if (n.done) {
            exhausted = true;
            break;
          }
          batch.push(n.value);
        }
        if (batch.length) queue.push(dispatch(batch));
      }
      if (queue.length === 0) break;
      const results = await Promise.race([queue.shift()!, failed]);
      for (const r of results) {
        progress.records++;
        if (r.ok) progress.tokens += r.tokens;
        else progress.failed++;
      }
      opts.onProgress?.({ ...progress });
      for (const r of results) yield r;
      if (opts.signal?.aborted) throw new AbortError('tokenization cancelled');
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    for (const s of slots) s.port.terminate();
  }
}

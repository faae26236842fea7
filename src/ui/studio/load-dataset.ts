// Loading a file into the studio: the reader runs in a worker and reports into the store. The
// file is kept in IndexedDB by its SHA-256 (src/data/file-store.ts) and named in localStorage as
// the current dataset, so a reload reads it back (restoreDataset) instead of losing it.
import type { DatasetRef } from '../../data/dataset-ref.ts';
import type { DatasetFromWorker, DatasetToWorker, StudioRecord } from '../../workers/dataset-protocol.ts';
import { useStudio } from './store.ts';

const CURRENT = 'prism.dataset';
const FLUSH_MS = 250;

let current: Worker | null = null;
/** The file as loaded in this tab (a restored one is read back from storage instead). */
let heldFile: Blob | null = null;

interface Current {
  sha256: string;
  name: string;
  size: number;
}

function savedCurrent(): Current | null {
  try {
    const v = JSON.parse(globalThis.localStorage?.getItem(CURRENT) ?? 'null') as Current | null;
    return v && typeof v.sha256 === 'string' && typeof v.name === 'string' ? v : null;
  } catch {
    return null;
  }
}

function run(msg: DatasetToWorker, name: string, total: number): Promise<void> {
  current?.terminate();
  useStudio.getState().startLoading(name, total);
  const worker = new Worker(new URL('../../workers/dataset.worker.ts', import.meta.url), {
    type: 'module',
    name: 'dataset',
  });
  current = worker;
  return new Promise((resolve) => {
    let finished = false;
    // Batches reach the store (and re-render the page) at most every FLUSH_MS: a big file's
    // many batches then cost a few renders a second, not one each.
    let pending: StudioRecord[][] = [];
    let bytesRead = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      if (current !== worker && !finished) return;
      const s = useStudio.getState();
      const batch = pending.length === 1 ? pending[0]! : pending.flat();
      pending = [];
      if (batch.length) s.addResults(batch);
      s.progress(bytesRead);
    };
    const end = () => {
      worker.terminate();
      if (current === worker) current = null;
    };
    const finish = (error?: string) => {
      flush();
      if (!finished) useStudio.getState().finishLoading(error);
      finished = true;
      resolve();
    };
    worker.onmessage = (ev: MessageEvent<DatasetFromWorker>) => {
      if (current !== worker) return;
      const m = ev.data;
      const s = useStudio.getState();
      if (m.type === 'batch') {
        pending.push(m.results);
        bytesRead = m.bytesRead;
        timer ??= setTimeout(flush, FLUSH_MS);
      } else if (m.type === 'done') {
        finish();
      } else if (m.type === 'stored') {
        s.setStored({ sha256: m.sha256, kept: m.kept, keepError: m.keepError ?? null });
        if (m.kept)
          localStorage.setItem(
            CURRENT,
            JSON.stringify({ sha256: m.sha256, name: m.name, size: m.size } satisfies Current),
          );
        else localStorage.removeItem(CURRENT);
        end();
      } else {
        if (msg.type === 'restore') localStorage.removeItem(CURRENT);
        finish(m.message);
        end();
      }
    };
    worker.onerror = (e) => {
      finish(`the reader crashed: ${e.message}`);
      end();
    };
    worker.postMessage(msg);
  });
}

/** How a worker job names the current dataset: by hash, with the file itself when it is not kept. */
export function currentDatasetRef(): DatasetRef | null {
  const { stored, fileName } = useStudio.getState();
  if (!stored || !fileName) return null;
  if (!stored.kept && !heldFile) return null;
  return { sha256: stored.sha256, name: fileName, ...(stored.kept ? {} : { file: heldFile! }) };
}

export function loadDataset(file: Blob, name: string): Promise<void> {
  heldFile = file;
  return run({ type: 'read', file, name, keep: true }, name, file.size);
}

/** Reads the dataset that was open before the reload back from IndexedDB (a no-op when none). */
export function restoreDataset(): Promise<void> {
  const c = savedCurrent();
  if (!c || useStudio.getState().fileName) return Promise.resolve();
  heldFile = null;
  return run({ type: 'restore', sha256: c.sha256 }, c.name, c.size);
}

export function cancelLoading(): void {
  if (!current) return;
  current.terminate();
  current = null;
  useStudio.getState().finishLoading('cancelled');
}

export interface Sample {
  file: string;
  title: string;
  description: string;
  format?: string;
  records?: number;
}

export async function fetchSamples(): Promise<Sample[]> {
  const res = await fetch('/samples/index.json');
  if (!res.ok) throw new Error(`samples index: HTTP ${res.status}`);
  return ((await res.json()) as { samples: Sample[] }).samples;
}

export async function loadSample(file: string): Promise<void> {
  const res = await fetch(`/samples/${encodeURIComponent(file)}`);
  if (!res.ok) throw new Error(`sample ${file}: HTTP ${res.status}`);
  await loadDataset(await res.blob(), file);
}

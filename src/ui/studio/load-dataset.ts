// Loading a file into the studio: the reader runs in a worker and reports into the store.
import type { DatasetFromWorker, DatasetToWorker } from './dataset-protocol.ts';
import { useStudio } from './store.ts';

let current: Worker | null = null;

export function loadDataset(file: Blob, name: string): Promise<void> {
  current?.terminate();
  const store = useStudio.getState();
  store.startLoading(name, file.size);
  const worker = new Worker(new URL('../../workers/dataset.worker.ts', import.meta.url), { type: 'module', name: 'dataset' });
  current = worker;
  return new Promise((resolve) => {
    const finish = (error?: string) => {
      worker.terminate();
      if (current === worker) current = null;
      useStudio.getState().finishLoading(error);
      resolve();
    };
    worker.onmessage = (ev: MessageEvent<DatasetFromWorker>) => {
      if (current !== worker) return;
      const m = ev.data;
      if (m.type === 'batch') {
        const s = useStudio.getState();
        if (m.results.length) s.addResults(m.results);
        s.progress(m.bytesRead);
      } else if (m.type === 'done') finish();
      else finish(m.message);
    };
    worker.onerror = (e) => finish(`the reader crashed: ${e.message}`);
    worker.postMessage({ type: 'read', file } satisfies DatasetToWorker);
  });
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

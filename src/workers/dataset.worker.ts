// Reads a dataset file off the main thread: the page stays responsive on a large file. Results
// go back in batches (one message per record would flood the main thread), with bytes read.
// Records follow readDataset exactly (blank lines skipped, `empty_file` on line 0); a rejected
// record also carries its raw text, so the page can show what is wrong with it.
import { parseLine, readDataset } from '../data/index.ts';
import { isBlank, readLines } from '../data/lines.ts';
import type { DatasetFromWorker, DatasetToWorker, StudioRecord } from '../ui/studio/dataset-protocol.ts';

const RAW_LIMIT = 4000;
const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: DatasetFromWorker) => scope.postMessage(m);
const lenient = new TextDecoder('utf-8', { fatal: false });

scope.onmessage = async (ev: MessageEvent<DatasetToWorker>) => {
  const { file } = ev.data;
  let batch: StudioRecord[] = [];
  let bytesRead = 0;
  let records = 0;
  let last = performance.now();
  try {
    for await (const { line, bytes } of readLines(file, { onProgress: (b) => (bytesRead = b) })) {
      if (isBlank(bytes)) continue;
      records++;
      const r: StudioRecord = parseLine(bytes, line);
      if (!r.conversation) r.raw = lenient.decode(bytes.subarray(0, RAW_LIMIT)) + (bytes.length > RAW_LIMIT ? '…' : '');
      batch.push(r);
      const now = performance.now();
      if (batch.length >= 2000 || now - last > 100) {
        post({ type: 'batch', results: batch, bytesRead });
        batch = [];
        last = now;
      }
    }
    // The file-level result (line 0, `empty_file`) exactly as readDataset gives it.
    if (records === 0) for await (const r of readDataset(new Blob([]))) batch.push(r);
    post({ type: 'batch', results: batch, bytesRead: file.size });
    post({ type: 'done' });
  } catch (err) {
    if (batch.length) post({ type: 'batch', results: batch, bytesRead });
    post({ type: 'error', message: (err as Error).message ?? String(err) });
  }
};


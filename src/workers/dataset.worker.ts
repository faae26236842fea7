// Reads a dataset file off the main thread: the page stays responsive on a large file. Results
// go back in batches (one message per record would flood the main thread), with bytes read; the
// page puts them into its store a few times a second.
// Records follow readDataset exactly (blank lines skipped, `empty_file` on line 0); a rejected
// record also carries its raw text, so the page can show what is wrong with it. Then the file is
// hashed and kept in the dataset file store (by SHA-256), so a reloaded tab reads it again from
// there ('restore') and a training run can be pointed at it by hash.
import { parseLine, readDataset } from '../data/index.ts';
import { isBlank, readLines } from '../data/lines.ts';
import { blobSha256, openFileStore, DEFAULT_KEEP_FILES } from '../data/file-store.ts';
import type { DatasetFromWorker, DatasetToWorker, StudioRecord } from './dataset-protocol.ts';

const RAW_LIMIT = 4000;
const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: DatasetFromWorker) => scope.postMessage(m);
const lenient = new TextDecoder('utf-8', { fatal: false });
// Small messages: the page decodes each one in a task of its own, so a few hundred records (a few
// hundred KB) keep every main-thread task short on a 50 MB file (e2e/long-file.e2e.ts).
const BATCH_RECORDS = 256;

async function parse(file: Blob): Promise<boolean> {
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
      if (batch.length >= BATCH_RECORDS || now - last > 100) {
        post({ type: 'batch', results: batch, bytesRead });
        batch = [];
        last = now;
      }
    }
    // The file-level result (line 0, `empty_file`) exactly as readDataset gives it.
    if (records === 0) for await (const r of readDataset(new Blob([]))) batch.push(r);
    post({ type: 'batch', results: batch, bytesRead: file.size });
    post({ type: 'done' });
    return true;
  } catch (err) {
    if (batch.length) post({ type: 'batch', results: batch, bytesRead });
    post({ type: 'error', message: (err as Error).message ?? String(err) });
    return false;
  }
}

async function keep(file: Blob, name: string, dbName?: string): Promise<void> {
  const sha256 = await blobSha256(file);
  try {
    const store = await openFileStore(dbName ? { name: dbName } : {});
    try {
      await store.put(name, file, sha256);
      await store.prune(DEFAULT_KEEP_FILES, [sha256]);
    } finally {
      store.close();
    }
    post({ type: 'stored', sha256, name, size: file.size, kept: true });
  } catch (err) {
    const e = err as Error;
    const why = e.name === 'QuotaExceededError' ? 'browser storage is full' : e.message || String(err);
    post({ type: 'stored', sha256, name, size: file.size, kept: false, keepError: why });
  }
}

scope.onmessage = async (ev: MessageEvent<DatasetToWorker>) => {
  const m = ev.data;
  if (m.type === 'read') {
    if (await parse(m.file)) {
      if (m.keep) await keep(m.file, m.name, m.dbName);
      else post({ type: 'stored', sha256: await blobSha256(m.file), name: m.name, size: m.file.size, kept: false });
    }
    return;
  }
  let found: Awaited<ReturnType<Awaited<ReturnType<typeof openFileStore>>['get']>>;
  try {
    const store = await openFileStore(m.dbName ? { name: m.dbName } : {});
    try {
      found = await store.get(m.sha256);
    } finally {
      store.close();
    }
  } catch (err) {
    post({ type: 'error', message: `the stored copy could not be read: ${(err as Error).message}` });
    return;
  }
  if (!found) {
    post({ type: 'error', message: 'the stored copy is gone from this browser’s storage: load the file again' });
    return;
  }
  if (await parse(found.blob)) {
    post({ type: 'stored', sha256: m.sha256, name: found.file.name, size: found.file.size, kept: true });
  }
};

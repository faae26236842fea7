// Messages between the Dataset page and its reader worker (src/workers/dataset.worker.ts).
import type { RecordResult } from '../data/index.ts';

/** A record as the page keeps it: a rejected record also has its raw line (cut at 4000 chars). */
export interface StudioRecord extends RecordResult {
  raw?: string;
}

export type DatasetToWorker =
  /** Read a file; with `keep`, also store it (src/data/file-store.ts) so a reload gets it back. */
  | { type: 'read'; file: Blob; name: string; keep: boolean; dbName?: string }
  /** Read the stored file with this SHA-256 again (after a reload). */
  | { type: 'restore'; sha256: string; dbName?: string };

export type DatasetFromWorker =
  | { type: 'batch'; results: StudioRecord[]; bytesRead: number }
  /** Every record is read; `stored` follows once the file is hashed (and kept). */
  | { type: 'done' }
  | { type: 'error'; message: string }
  /** `sha256` of the file's bytes; `keepError` when it could not be kept (storage full, no IndexedDB). */
  | { type: 'stored'; sha256: string; name: string; size: number; kept: boolean; keepError?: string };

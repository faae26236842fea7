// Messages between the Dataset page and its reader worker (src/workers/dataset.worker.ts).
import type { RecordResult } from '../../data/index.ts';

/** A record as the page keeps it: a rejected record also has its raw line (cut at 4000 chars). */
export interface StudioRecord extends RecordResult {
  raw?: string;
}

export type DatasetToWorker = { type: 'read'; file: Blob };

export type DatasetFromWorker =
  | { type: 'batch'; results: StudioRecord[]; bytesRead: number }
  | { type: 'done' }
  | { type: 'error'; message: string };

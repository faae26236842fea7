// Messages between the page and the training worker (src/workers/train.worker.ts). Plain data:
// records' typed arrays and model Blobs cross by structured clone.
import type { HubOptions } from '../model/sources/model-source.ts';
import type { TrainConfig } from './config.ts';
import type { TrainRecord } from './data.ts';
import type { TrainEvent, TrainStatus } from './trainer.ts';

export interface StartTraining {
  type: 'start';
  /** The run's id in the adapter store (created by the page). */
  runId: string;
  config: TrainConfig;
  /** A Hub repo, or a folder the user picked (relative path → file). */
  model: { hub: HubOptions } | { files: Record<string, Blob> };
  /** Tokenized records (the tokenize workers' output). */
  records: TrainRecord[];
  evalRecords?: TrainRecord[];
  padId: number;
  /** Continue from the run's newest checkpoint (after a reload or a lost device). */
  resume: boolean;
  recompute?: boolean;
  memoryBudgetBytes?: number;
  /** IndexedDB name of the adapter store (tests use their own). */
  dbName?: string;
}

export type ToTrainWorker = StartTraining | { type: 'pause' } | { type: 'resume' } | { type: 'cancel' };

export type FromTrainWorker =
  | { type: 'event'; event: TrainEvent }
  /** The finished adapter, also saved in the store under runId. */
  | { type: 'adapter'; runId: string; status: TrainStatus; files: Record<string, Uint8Array> }
  /** `refused`: the run does not fit or its settings are invalid (message says what to change). */
  | { type: 'error'; message: string; refused: boolean; deviceLost: boolean };

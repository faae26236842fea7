// Messages between the page and the training worker (src/workers/train.worker.ts). The worker
// owns a whole run: told which dataset (by SHA-256), which model and which settings, it opens
// the model once, reads and tokenizes the records, writes the run's record, trains, checkpoints
// and saves the adapter in the adapter store; the page only sends commands and renders events.
import type { DatasetInfo } from '../adapters/types.ts';
import type { DatasetRef } from '../data/dataset-ref.ts';
import type { ModelRequest } from '../model/sources/request.ts';
import type { TrainConfig } from './config.ts';
import type { TrainEvent, TrainStatus } from './trainer.ts';

/** A record a run leaves out, and why: no record is dropped without being named. */
export interface SkippedRecord {
  line: number;
  why: string;
}

export interface StartTraining {
  type: 'start';
  /**
   * A new run, under this name (its record is created once its records are tokenized), or the
   * id of a stored run to continue from its newest checkpoint: its own settings and dataset copy.
   */
  run: { name: string } | { resume: string };
  /** The model; for a resumed run, the one it trained (checked against its fingerprint). */
  model: ModelRequest;
  /** A new run's dataset and settings (a resumed run uses its stored ones). */
  dataset?: DatasetRef;
  config?: TrainConfig;
  recompute?: boolean;
  memoryBudgetBytes?: number;
  /** IndexedDB name of the adapter store (tests use their own). */
  dbName?: string;
}

export type ToTrainWorker = StartTraining | { type: 'pause' } | { type: 'resume' } | { type: 'cancel' };

export type FromTrainWorker =
  /** Before the first step: opening the model (download), reading and tokenizing the data. */
  | { type: 'progress'; phase: string; loaded: number; total: number }
  /** The run's record exists: its id, name, settings and data (records used and left out). */
  | {
      type: 'run';
      runId: string;
      name: string;
      config: TrainConfig;
      dataset: DatasetInfo;
      resumed: boolean;
      records: number;
      skipped: SkippedRecord[];
    }
  | { type: 'event'; event: TrainEvent }
  /** The finished adapter is saved in the store under runId. */
  | { type: 'adapter'; runId: string; status: TrainStatus }
  /** `refused`: the run does not fit or its settings are invalid (message says what to change). */
  | { type: 'error'; message: string; refused: boolean; deviceLost: boolean };

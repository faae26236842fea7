// Plain, serializable records shared by the adapter store, the zip export and the UI.
import type { LossPolicy } from '../templates/types.ts';
import type { TrainConfig } from '../train/config.ts';

export interface LossPoint {
  step: number;
  loss: number;
  eval_loss?: number;
  learning_rate?: number;
  grad_norm?: number;
}

export interface DatasetInfo {
  /** File name as the user gave it, e.g. "support.jsonl". */
  name: string;
  /** Lowercase hex SHA-256 of the file's bytes (sha256Hex). */
  sha256: string;
  records?: number;
  /**
   * The user's own file, byte for byte (name and SHA-256 in the store's datasets), when it was kept;
   * `name`/`sha256` above are Prism's normalized JSON Lines the run was tokenized from.
   */
  original?: { name: string; sha256: string };
}

export type RunStatus = 'running' | 'paused' | 'completed' | 'failed' | 'cancelled' | 'imported';

/** One training run and the adapter it produced (or an imported adapter). */
export interface RunRecord {
  id: string;
  name: string;
  base_model: string;
  template: string;
  loss_policy: LossPolicy;
  dataset: DatasetInfo | null;
  /** The full TrainConfig; for imported adapters, what adapter_config.json tells (r, alpha, ...). */
  hyperparameters: TrainConfig | Record<string, unknown>;
  loss_curve: LossPoint[];
  /** ms since the epoch. */
  created: number;
  updated: number;
  step: number;
  total_steps: number | null;
  status: RunStatus;
  final_loss: number | null;
  /** Lines of the dataset held out for eval (split_dataset_ratio), as the trainer split them. */
  eval_lines?: number[];
  /** Set while the run sits in the undo window after delete(). */
  deleted_at?: number;
}

/** What the README and the zip say about a finished run. */
export interface TrainingSummary {
  name: string;
  /** Set when the summary is of a checkpoint, not the run's final adapter. */
  checkpoint_step?: number;
  config: TrainConfig;
  dataset: DatasetInfo;
  steps: number;
  final_loss: number | null;
  loss_curve: LossPoint[];
  created: number;
}

// Messages between the Evaluate page and the evaluation worker (src/workers/eval.worker.ts). The
// worker owns the job: told which run (its adapter, template and eval split come from the adapter
// store) or which file, and which model, it reads the records, loads the model once, generates and
// scores; the page renders its rows as they come and may cancel.
import type { DatasetRef } from '../../data/dataset-ref.ts';
import type { ModelRequest } from '../../model/sources/request.ts';
import type { EvalRow, EvalSummary } from './evaluate.ts';

export interface StartEval {
  type: 'start';
  /** The base model (for a run: the one it trained). */
  model: ModelRequest;
  /** The adapter's run in the adapter store; null evaluates the base model alone. */
  runId: string | null;
  /** The records: the run's held-out eval split, all its training data (seen in training), or a file. */
  data: { kind: 'eval-split' } | { kind: 'train' } | { kind: 'file'; dataset: DatasetRef };
  /** The template; default: the run's. */
  template?: string;
  /** The agent template; default: the run's (or the family's own). */
  agent_template?: string;
  max_new_tokens: number;
  /** At most this many records (the first ones, in file order). */
  limit?: number;
  /** IndexedDB name of the adapter store (tests use their own). */
  dbName?: string;
}

export type ToEvalWorker = StartEval | { type: 'cancel' };

export type FromEvalWorker =
  | { type: 'progress'; phase: string; loaded: number; total: number }
  /**
   * The records read: how many are evaluated, how many more there are past the limit, and each one
   * that cannot be evaluated with why.
   */
  | {
      type: 'items';
      source: string;
      total: number;
      beyond: number;
      skipped: { line: number; why: string }[];
      template: string;
      parser: string | null;
    }
  | { type: 'row'; row: EvalRow; done: number; total: number }
  | { type: 'done'; summary: EvalSummary; cancelled: boolean }
  | { type: 'error'; message: string };

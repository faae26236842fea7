// Messages between the Train page and the length worker (lengths.worker.ts): measure every
// record of a dataset with a model's tokenizer and a template, once; the page then applies any
// max_length to the facts (src/tokenize/length-report.ts) without asking again.
import type { ModelRequest } from '../model/sources/request.ts';
import type { RenderOptions } from '../templates/render.ts';
import type { LengthFacts } from '../tokenize/length-report.ts';
import type { DatasetRef } from '../data/dataset-ref.ts';

export interface MeasureLengths {
  type: 'measure';
  dataset: DatasetRef;
  model: ModelRequest;
  template: string;
  /** ms-swift's loss scale (effectiveLossScale of the run's config). */
  loss_scale: string;
  render: RenderOptions;
}

export type FromLengthsWorker =
  | { type: 'progress'; phase: string; done: number; total: number }
  | { type: 'done'; facts: LengthFacts }
  | { type: 'error'; message: string };

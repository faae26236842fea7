// Messages between the pool and a tokenize worker (browser Worker or Node worker_threads).
import type { PipelineConfig, PipelineItem, PipelineResult } from './pipeline.ts';

export type ToWorker =
  /**
   * `files` as JSON text: cloning the parsed tokenizer object costs the sender ~0.5 s per worker
   * (Qwen's 11 MB tokenizer.json; 1.3 s for Gemma's); a string clones in ~30 ms and each worker
   * parses it in parallel.
   */
  { type: 'init'; files: string; config: PipelineConfig } | { type: 'batch'; id: number; items: PipelineItem[] };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'result'; id: number; results: PipelineResult[] }
  | { type: 'error'; id?: number; message: string };

/** The typed arrays of a batch's results, moved (not copied) to the receiver. */
export function transferables(results: PipelineResult[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const r of results) {
    if (!r.ok || !r.record) continue;
    out.push(r.record.input_ids.buffer as ArrayBuffer, r.record.labels.buffer as ArrayBuffer);
    if (r.record.offsets) out.push(r.record.offsets.buffer as ArrayBuffer);
    if (r.record.loss_scale) out.push(r.record.loss_scale.buffer as ArrayBuffer);
  }
  return out;
}

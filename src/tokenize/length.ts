// max_length handling for one encoded record, and padding of unpacked rows.
import { IGNORE_INDEX, type EncodedRecord, type LengthOptions, type LengthStatus } from './types.ts';

export interface LengthResult {
  /** null when the record was dropped. */
  record: EncodedRecord | null;
  status: LengthStatus;
  /** Token count before truncation. */
  tokens: number;
}

/**
 * `delete` drops a record longer than max_length (the default: a conversation cut anywhere loses
 * either its context or its answer). `right` keeps the first max_length tokens, `left` the last
 * (the final answer survives; the start of the context goes).
 */
export function applyLength(rec: EncodedRecord, opts: LengthOptions): LengthResult {
  const n = rec.input_ids.length;
  const max = opts.max_length;
  if (max === undefined || n <= max) return { record: rec, status: 'ok', tokens: n };
  if (!(max > 0)) throw new Error(`max_length must be positive, got ${max}`);
  const truncation = opts.truncation ?? 'delete';
  if (truncation === 'delete') return { record: null, status: 'dropped', tokens: n };
  const [from, to] = truncation === 'left' ? [n - max, n] : [0, max];
  const out: EncodedRecord = {
    line: rec.line,
    input_ids: rec.input_ids.slice(from, to),
    labels: rec.labels.slice(from, to),
    straddles: rec.straddles,
  };
  if (rec.loss_scale) out.loss_scale = rec.loss_scale.slice(from, to);
  if (rec.offsets) out.offsets = rec.offsets.slice(2 * from, 2 * to);
  return { record: out, status: truncation === 'left' ? 'truncated_left' : 'truncated_right', tokens: n };
}

export interface PaddedRow {
  input_ids: Int32Array;
  labels: Int32Array;
  attention_mask: Int32Array;
}

/** One record right-padded to `length`: pad id, label -100, attention 0. */
export function padRecord(rec: EncodedRecord, length: number, padId: number): PaddedRow {
  const n = rec.input_ids.length;
  if (n > length) throw new Error(`record of line ${rec.line} has ${n} tokens, more than the row length ${length}`);
  const input_ids = new Int32Array(length).fill(padId);
  const labels = new Int32Array(length).fill(IGNORE_INDEX);
  const attention_mask = new Int32Array(length);
  input_ids.set(rec.input_ids);
  labels.set(rec.labels);
  attention_mask.fill(1, 0, n);
  return { input_ids, labels, attention_mask };
}

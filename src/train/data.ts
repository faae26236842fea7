// Training rows and the order they are visited in. Records (already tokenized: input_ids and
// unshifted labels) are split into train/eval, optionally packed into rows of max_length, and
// visited epoch by epoch in a seeded shuffled order, per_device_train_batch_size rows per
// micro-batch, each micro-batch padded to its longest row. The position in that stream is one
// integer (micro-batches consumed), so a checkpoint can resume it exactly.
import type { DecoderBatch } from '../engine/decoder/batch.ts';
import { packRecords } from '../tokenize/pack.ts';
import { IGNORE_INDEX, type EncodedRecord } from '../tokenize/types.ts';
import { mix32, permutation } from './rng.ts';

export interface TrainRecord {
  input_ids: ArrayLike<number>;
  labels: ArrayLike<number>;
  /** ms-swift's loss_scale (per token, unshifted like labels); absent = 1 for every trained token. */
  loss_scale?: ArrayLike<number>;
  /** Line in the dataset file (for messages). */
  line?: number;
}

export interface TrainRow {
  input_ids: Int32Array;
  labels: Int32Array;
  loss_scale?: Float64Array;
  /** Present for packed rows: positions restart and sequence ids change per record. */
  position_ids?: Int32Array;
  seq_ids?: Int32Array;
}

/**
 * Hold out ceil(ratio·n) records for eval (as datasets' train_test_split), chosen by data_seed;
 * at least one record stays for training.
 */
export function splitRecords<T>(records: readonly T[], ratio: number, dataSeed: number): { train: T[]; eval: T[] } {
  if (ratio <= 0 || records.length < 2) return { train: [...records], eval: [] };
  const nEval = Math.min(records.length - 1, Math.max(1, Math.ceil(ratio * records.length)));
  const order = permutation(records.length, mix32(dataSeed, 0x6576616c));
  const evalSet = new Set(order.slice(0, nEval));
  return { train: records.filter((_, i) => !evalSet.has(i)), eval: records.filter((_, i) => evalSet.has(i)) };
}

/** One row per record, or records packed into rows of at most maxLength (best-fit decreasing). */
export function buildTrainRows(
  records: readonly TrainRecord[],
  opts: { packing: boolean; maxLength: number | null; padId: number },
): TrainRow[] {
  const enc = records.map((r, i) => {
    const e: EncodedRecord = {
      line: r.line ?? i + 1,
      input_ids: Int32Array.from(r.input_ids),
      labels: Int32Array.from(r.labels),
      straddles: 0,
    };
    if (r.loss_scale) e.loss_scale = Float64Array.from(r.loss_scale);
    return e;
  });
  const withScale = <T extends TrainRow>(row: T, scale: Float64Array | undefined): T =>
    scale ? { ...row, loss_scale: scale } : row;
  if (!opts.packing) return enc.map((r) => withScale({ input_ids: r.input_ids, labels: r.labels }, r.loss_scale));
  if (opts.maxLength === null) throw new Error('packing needs max_length');
  const { rows } = packRecords(enc, { max_length: opts.maxLength, padId: opts.padId, pad: false });
  return rows.map((r) =>
    withScale(
      { input_ids: r.input_ids, labels: r.labels, position_ids: r.position_ids, seq_ids: r.sequence_ids },
      r.loss_scale,
    ),
  );
}

/**
 * Rows padded to the longest into one decoder batch; padding is its own sequence, never trained.
 * loss_scale is filled in (1 where trained) for rows without one when any row of the batch has it.
 */
export function collate(rows: readonly TrainRow[], padId: number): DecoderBatch {
  const T = Math.max(...rows.map((r) => r.input_ids.length));
  const batch = {
    input_ids: [] as Int32Array[],
    labels: [] as Int32Array[],
    position_ids: [] as Int32Array[],
    seq_ids: [] as Int32Array[],
  };
  const weighted = rows.some((r) => r.loss_scale);
  const scales: Float64Array[] = [];
  for (const r of rows) {
    const n = r.input_ids.length;
    const ids = new Int32Array(T).fill(padId);
    const labels = new Int32Array(T).fill(IGNORE_INDEX);
    const pos = new Int32Array(T);
    const seq = new Int32Array(T);
    ids.set(r.input_ids);
    labels.set(r.labels);
    for (let t = 0; t < T; t++) {
      pos[t] = t < n ? (r.position_ids ? r.position_ids[t] : t) : t - n;
      seq[t] = t < n ? (r.seq_ids ? r.seq_ids[t] : 0) : 1 << 30;
    }
    batch.input_ids.push(ids);
    batch.labels.push(labels);
    batch.position_ids.push(pos);
    batch.seq_ids.push(seq);
    if (weighted) {
      const w = new Float64Array(T);
      if (r.loss_scale) w.set(r.loss_scale);
      else for (let t = 0; t < n; t++) w[t] = r.labels[t] === IGNORE_INDEX ? 0 : 1;
      scales.push(w);
    }
  }
  return weighted ? { ...batch, loss_scale: scales } : batch;
}

/** Tokens a row contributes to the loss: label[t] ≠ -100 where token t−1 is in the same sequence. */
export function trainedTokens(row: TrainRow): number {
  let n = 0;
  for (let t = 1; t < row.labels.length; t++) {
    if (row.labels[t] === IGNORE_INDEX) continue;
    if (row.seq_ids && row.seq_ids[t] !== row.seq_ids[t - 1]) continue;
    n++;
  }
  return n;
}

/** The shuffled stream of micro-batches over the training rows, epoch after epoch. */
export class MicroBatchStream {
  readonly perEpoch: number;
  private cache: { epoch: number; order: number[] } | null = null;

  constructor(
    readonly rows: readonly TrainRow[],
    readonly batchSize: number,
    readonly dataSeed: number,
  ) {
    if (rows.length === 0) throw new Error('no training rows');
    this.perEpoch = Math.ceil(rows.length / batchSize);
  }

  private order(epoch: number): number[] {
    if (this.cache?.epoch !== epoch)
      this.cache = { epoch, order: permutation(this.rows.length, mix32(this.dataSeed, epoch)) };
    return this.cache.order;
  }

  /** The micro-batch at position `index` of the stream (0-based, across epochs). */
  at(index: number): { epoch: number; rows: TrainRow[] } {
    const epoch = Math.floor(index / this.perEpoch);
    const k = index % this.perEpoch;
    const order = this.order(epoch);
    return { epoch, rows: order.slice(k * this.batchSize, (k + 1) * this.batchSize).map((i) => this.rows[i]) };
  }
}

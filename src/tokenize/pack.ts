// Packing: several records in one row of max_length, best-fit-decreasing. Each token carries its
// position inside its own sequence (restarting at 0) and the index of its sequence, so attention
// can be masked block-diagonally and RoPE sees the same positions as an unpacked row: packing must
// change neither what a token attends to nor where it thinks it is.
import { IGNORE_INDEX, type EncodedRecord, type PackedRow } from './types.ts';

/**
 * Bins of record indices: records sorted by length, longest first, each put in the open bin with
 * the least room that still fits it (a new bin when none does). A segment tree over "room left"
 * finds that bin in O(log max_length).
 */
export function planPacking(lengths: ArrayLike<number>, maxLength: number): number[][] {
  const order = Array.from({ length: lengths.length }, (_, i) => i);
  for (const i of order) {
    if (lengths[i] > maxLength)
      throw new Error(`sequence ${i} has ${lengths[i]} tokens, more than max_length ${maxLength}`);
  }
  order.sort((a, b) => lengths[b] - lengths[a] || a - b);
  const bins: number[][] = [];
  const room: number[] = [];
  // byRoom[r]: bins with exactly r tokens of room; tree marks which r are non-empty.
  const byRoom: number[][] = Array.from({ length: maxLength + 1 }, () => []);
  let size = 1;
  while (size < maxLength + 1) size <<= 1;
  const tree = new Int32Array(2 * size);
  const setCount = (r: number, c: number) => {
    let k = r + size;
    tree[k] = c;
    for (k >>= 1; k >= 1; k >>= 1) tree[k] = tree[2 * k] + tree[2 * k + 1];
  };
  /** Smallest r >= need with a bin, or -1. */
  const findAtLeast = (need: number): number => {
    const go = (node: number, lo: number, hi: number): number => {
      if (hi < need || tree[node] === 0) return -1;
      if (lo === hi) return lo;
      const mid = (lo + hi) >> 1;
      const left = go(2 * node, lo, mid);
      return left >= 0 ? left : go(2 * node + 1, mid + 1, hi);
    };
    return go(1, 0, size - 1);
  };
  for (const i of order) {
    const len = lengths[i];
    const r = findAtLeast(len);
    let b: number;
    if (r < 0) {
      b = bins.length;
      bins.push([]);
      room.push(maxLength);
    } else {
      b = byRoom[r].pop()!;
      setCount(r, byRoom[r].length);
    }
    bins[b].push(i);
    room[b] -= len;
    byRoom[room[b]].push(b);
    setCount(room[b], byRoom[room[b]].length);
  }
  return bins;
}

export interface PackOptions {
  max_length: number;
  padId: number;
  /** Pad every row to max_length (default true). */
  pad?: boolean;
}

/** Rows from a plan. Records inside a row keep the plan's order. */
export function buildRows(records: EncodedRecord[], bins: number[][], opts: PackOptions): PackedRow[] {
  return bins.map((bin) => {
    const used = bin.reduce((s, i) => s + records[i].input_ids.length, 0);
    const width = opts.pad === false ? used : opts.max_length;
    const input_ids = new Int32Array(width).fill(opts.padId);
    const labels = new Int32Array(width).fill(IGNORE_INDEX);
    const position_ids = new Int32Array(width);
    const sequence_ids = new Int32Array(width).fill(-1);
    const weighted = bin.some((i) => records[i].loss_scale);
    const loss_scale = weighted ? new Float64Array(width) : undefined;
    let at = 0;
    bin.forEach((idx, seq) => {
      const r = records[idx];
      const n = r.input_ids.length;
      input_ids.set(r.input_ids, at);
      labels.set(r.labels, at);
      // With labels shifted by one inside the model, the label at a sequence's first token is what
      // the previous sequence's last token would be trained to predict: never train across.
      // Unpacked, that label is never used (the shift drops it), so this changes nothing else.
      labels[at] = IGNORE_INDEX;
      if (loss_scale) {
        if (r.loss_scale) loss_scale.set(r.loss_scale, at);
        else for (let k = 0; k < n; k++) loss_scale[at + k] = r.labels[k] === IGNORE_INDEX ? 0 : 1;
        loss_scale[at] = 0;
      }
      sequence_ids.fill(seq, at, at + n);
      for (let k = 0; k < n; k++) position_ids[at + k] = k;
      at += n;
    });
    const row: PackedRow = {
      input_ids,
      labels,
      position_ids,
      sequence_ids,
      lines: bin.map((i) => records[i].line),
      length: used,
    };
    if (loss_scale) row.loss_scale = loss_scale;
    return row;
  });
}

/** Pack records (each at most max_length tokens). `fill` is real tokens / row capacity. */
export function packRecords(records: EncodedRecord[], opts: PackOptions): { rows: PackedRow[]; fill: number } {
  const bins = planPacking(
    records.map((r) => r.input_ids.length),
    opts.max_length,
  );
  const rows = buildRows(records, bins, opts);
  const real = rows.reduce((s, r) => s + r.length, 0);
  return { rows, fill: rows.length ? real / (rows.length * opts.max_length) : 0 };
}

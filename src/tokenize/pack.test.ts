import { describe, expect, it } from 'vitest';
import { buildRows, packRecords, planPacking } from './pack.ts';
import { IGNORE_INDEX, type EncodedRecord } from './types.ts';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Records with distinct, non-zero ids and labels trained on a random suffix. */
function records(n: number, max: number, seed: number): EncodedRecord[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, k) => {
    const len = 1 + Math.floor(r() * max);
    const input_ids = Int32Array.from({ length: len }, () => 1 + Math.floor(r() * 50000));
    const cut = Math.floor(r() * len);
    const labels = Int32Array.from(input_ids, (id, i) => (i >= cut ? id : IGNORE_INDEX));
    return { line: k + 1, input_ids, labels, straddles: 0 };
  });
}

/** Textbook best-fit-decreasing, O(n · bins), written independently of pack.ts. */
function naiveBFD(lengths: number[], cap: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b] - lengths[a] || a - b);
  const bins: { items: number[]; room: number }[] = [];
  for (const i of order) {
    let best = -1;
    for (let b = 0; b < bins.length; b++) {
      if (bins[b].room >= lengths[i] && (best < 0 || bins[b].room < bins[best].room)) best = b;
    }
    if (best < 0) {
      bins.push({ items: [], room: cap });
      best = bins.length - 1;
    }
    bins[best].items.push(i);
    bins[best].room -= lengths[i];
  }
  return bins.map((b) => b.items);
}

describe('planPacking', () => {
  it('is best-fit-decreasing: same bins as the textbook algorithm, each within capacity', () => {
    for (const [n, max, cap, seed] of [
      [300, 200, 256, 1],
      [1000, 900, 1024, 2],
      [50, 64, 64, 3],
    ]) {
      const lengths = records(n, max, seed).map((r) => r.input_ids.length);
      const bins = planPacking(lengths, cap);
      // Which of several bins with equal room gets an item is a tie-break; the multiset of rooms
      // evolves the same whatever the tie-break, so compare the bins' fills.
      const shape = (bs: number[][]) => bs.map((b) => b.reduce((s, i) => s + lengths[i], 0)).sort((x, y) => x - y);
      expect(shape(bins)).toEqual(shape(naiveBFD(lengths, cap)));
      expect(bins.length).toBe(naiveBFD(lengths, cap).length);
      expect(bins.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
      for (const b of bins) expect(b.reduce((s, i) => s + lengths[i], 0)).toBeLessThanOrEqual(cap);
    }
  });

  it('refuses a sequence longer than max_length', () => {
    expect(() => planPacking([10, 300], 256)).toThrow(/max_length/);
  });
});

describe('packed rows do not leak across sequences', () => {
  const recs = records(400, 300, 7);
  const maxLength = 512;
  const padId = 151643;
  const { rows, fill } = packRecords(recs, { max_length: maxLength, padId });

  it('reports the fill ratio of the emitted rows', () => {
    const real = recs.reduce((s, r) => s + r.input_ids.length, 0);
    expect(fill).toBeCloseTo(real / (rows.length * maxLength), 12);
    expect(fill).toBeGreaterThan(0.9); // BFD on uniform lengths packs tightly
    expect(rows.flatMap((r) => r.lines).sort((a, b) => a - b)).toEqual(recs.map((r) => r.line));
  });

  it('gives every token the attention context and position it has unpacked, and no cross-sequence label', () => {
    const byLine = new Map(recs.map((r) => [r.line, r]));
    for (const row of rows) {
      expect(row.input_ids.length).toBe(maxLength);
      for (let i = 0; i < maxLength; i++) {
        const seq = row.sequence_ids[i];
        if (seq < 0) {
          // Padding: pad id, no label, after every real token.
          expect(i).toBeGreaterThanOrEqual(row.length);
          expect(row.input_ids[i]).toBe(padId);
          expect(row.labels[i]).toBe(IGNORE_INDEX);
          continue;
        }
        const rec = byLine.get(row.lines[seq])!;
        const pos = row.position_ids[i];
        // The block-diagonal causal mask built from sequence_ids lets token i see exactly the
        // tokens j <= i of its own sequence: they must be the record's own prefix, in order.
        const visible: number[] = [];
        for (let j = 0; j <= i; j++) if (row.sequence_ids[j] === seq) visible.push(row.input_ids[j]);
        expect(visible).toEqual(Array.from(rec.input_ids.subarray(0, pos + 1)));
        // Labels as unpacked, except the sequence's first (never used unpacked: the shift drops it).
        expect(row.labels[i]).toBe(pos === 0 ? IGNORE_INDEX : rec.labels[pos]);
      }
      // The token before each sequence start (another sequence's last) is never trained to
      // predict it: with the model's shift, labels[start] pairs with logits[start - 1].
      for (let i = 1; i < row.length; i++) {
        if (row.sequence_ids[i] !== row.sequence_ids[i - 1]) expect(row.labels[i]).toBe(IGNORE_INDEX);
      }
    }
    // Spot check: not everything is masked (the test could not fail otherwise).
    expect(rows.some((r) => r.labels.some((l) => l !== IGNORE_INDEX))).toBe(true);
  });

  it('leaves rows unpadded on request', () => {
    const rows2 = buildRows(
      recs,
      planPacking(
        recs.map((r) => r.input_ids.length),
        maxLength,
      ),
      { max_length: maxLength, padId, pad: false },
    );
    for (const r of rows2) {
      expect(r.input_ids.length).toBe(r.length);
      expect(r.sequence_ids.every((s) => s >= 0)).toBe(true);
    }
  });
});

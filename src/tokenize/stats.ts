// Per-model dataset statistics, accumulated record by record so a 100k-record file never has to
// be held in memory. Token counts are the full encoding, before any truncation.
import type { PipelineResult } from './pipeline.ts';
import type { DatasetStats, LengthStatus } from './types.ts';

/** Powers-of-two bin edges from 0: 0, 64, 128, 256, … up to past `maxEdge`. */
export function defaultEdges(maxEdge = 32768): number[] {
  const edges = [0];
  for (let e = 64; e <= maxEdge; e *= 2) edges.push(e);
  return edges;
}

export class StatsAccumulator {
  private s: DatasetStats;

  constructor(edges: number[] = defaultEdges()) {
    this.s = {
      records: 0,
      failed: 0,
      totalTokens: 0,
      trainedTokens: 0,
      trainedShare: 0,
      minTokens: 0,
      maxTokens: 0,
      meanTokens: 0,
      overMaxLength: 0,
      dropped: 0,
      truncated: 0,
      noTrainedTokens: 0,
      straddles: 0,
      histogram: { edges: edges.slice(), counts: new Array(edges.length).fill(0) },
    };
  }

  /**
   * One encoded record: `tokens`/`trained` before truncation, `trainedKept` after it (0 flags a
   * record that will not teach anything).
   */
  add(r: { tokens: number; trained: number; trainedKept: number; status: LengthStatus; straddles: number }): void {
    const s = this.s;
    s.minTokens = s.records === 0 ? r.tokens : Math.min(s.minTokens, r.tokens);
    s.maxTokens = Math.max(s.maxTokens, r.tokens);
    s.records++;
    s.totalTokens += r.tokens;
    s.trainedTokens += r.trained;
    s.straddles += r.straddles;
    if (r.status !== 'ok') s.overMaxLength++;
    if (r.status === 'dropped') s.dropped++;
    else if (r.status !== 'ok') s.truncated++;
    if (r.status !== 'dropped' && r.trainedKept === 0) s.noTrainedTokens++;
    const { edges, counts } = s.histogram;
    let b = edges.length - 1;
    while (b > 0 && r.tokens < edges[b]) b--;
    counts[b]++;
  }

  addFailure(): void {
    this.s.failed++;
  }

  result(): DatasetStats {
    const s = this.s;
    return {
      ...s,
      histogram: { edges: s.histogram.edges.slice(), counts: s.histogram.counts.slice() },
      trainedShare: s.totalTokens ? s.trainedTokens / s.totalTokens : 0,
      meanTokens: s.records ? s.totalTokens / s.records : 0,
    };
  }
}

export function countTrained(labels: Int32Array): number {
  let k = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] !== -100) k++;
  return k;
}

/** Add one pipeline result (the pool's output) to the statistics. */
export function addResult(acc: StatsAccumulator, r: PipelineResult): void {
  if (!r.ok) acc.addFailure();
  else acc.add(r);
}

// The per-model dataset summary the UI shows side by side: one pool run per (tokenizer, template),
// keeping only the statistics, never the rows.
import type { PipelineItem } from './pipeline.ts';
import { tokenizeWithPool, type PoolOptions } from './pool.ts';
import { addResult, StatsAccumulator } from './stats.ts';
import type { DatasetStats } from './types.ts';

export async function datasetStats(
  items: AsyncIterable<PipelineItem> | Iterable<PipelineItem>,
  opts: PoolOptions & { edges?: number[] },
): Promise<DatasetStats> {
  const acc = new StatsAccumulator(opts.edges);
  for await (const r of tokenizeWithPool(items, opts)) addResult(acc, r);
  return acc.result();
}

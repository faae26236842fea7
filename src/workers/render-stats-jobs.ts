// The two render-stats jobs as plain functions (the worker entry only routes messages to them), so
// they run, and are tested, outside a worker too.
import {
  addOwnRecord,
  addRecord,
  emptyRenderStats,
  type BuiltinStatsJob,
  type OwnStatsJob,
  type RenderStats,
} from '../templates/compare/render-stats.ts';
import type { DatasetStats } from '../tokenize/types.ts';

export type OnProgress = (done: number) => void;
const PROGRESS_MS = 200;

function throttled(onProgress: OnProgress): (done: number) => void {
  let last = performance.now();
  return (done) => {
    if (performance.now() - last > PROGRESS_MS) {
      onProgress(done);
      last = performance.now();
    }
  };
}

export function builtinStats(
  { templates, options, conversations }: BuiltinStatsJob,
  onProgress: OnProgress = () => {},
): Record<string, RenderStats> {
  const stats: Record<string, RenderStats> = {};
  for (const id of templates) stats[id] = emptyRenderStats();
  const progress = throttled(onProgress);
  for (const [i, conv] of conversations.entries()) {
    for (const id of templates) addRecord(stats[id]!, id, conv, options);
    progress(i + 1);
  }
  return stats;
}

export async function ownStats(
  { source, choices, conversations, lines, tokenizer }: OwnStatsJob,
  onProgress: OnProgress = () => {},
): Promise<{ stats: RenderStats; tokens?: DatasetStats }> {
  const stats = emptyRenderStats();
  // transformers.js only when this column has a tokenizer: the text numbers must not wait for it.
  let tok:
    | {
        pipeline: import('../tokenize/pipeline.ts').TokenizePipeline;
        acc: import('../tokenize/stats.ts').StatsAccumulator;
      }
    | undefined;
  if (tokenizer) {
    const [{ tokenizerFromFiles }, { TokenizePipeline }, { StatsAccumulator }] = await Promise.all([
      import('../tokenize/load.ts'),
      import('../tokenize/pipeline.ts'),
      import('../tokenize/stats.ts'),
    ]);
    tok = {
      pipeline: new TokenizePipeline(tokenizerFromFiles(tokenizer.files), { length: tokenizer.length }),
      acc: new StatsAccumulator(),
    };
  }
  const progress = throttled(onProgress);
  for (const [i, conv] of conversations.entries()) {
    const r = addOwnRecord(stats, source, conv, choices);
    if (tok) {
      // As the pool path counts them: a refused record is a failure, not a record of 0 tokens.
      if (!r.ok) tok.acc.addFailure();
      else {
        const res = tok.pipeline.process({ line: lines[i] ?? i + 1, rendered: r.rendered });
        if (res.ok) tok.acc.add(res);
        else tok.acc.addFailure();
      }
    }
    progress(i + 1);
  }
  return { stats, tokens: tok?.acc.result() };
}

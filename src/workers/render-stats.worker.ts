// Renders every record with the compared templates off the main thread (render-stats-jobs.ts): one
// job per worker, the built-in templates together or one model's own template (Jinja, rendered once
// per prefix: the slow one gets a worker of its own). The page terminates a worker whose job went
// stale, which is the cancellation.
import type { RenderStatsFromWorker, RenderStatsToWorker } from '../templates/compare/render-stats.ts';
import { builtinStats, ownStats } from './render-stats-jobs.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: RenderStatsFromWorker) => scope.postMessage(m);
const progress = (done: number) => post({ type: 'progress', done });

scope.onmessage = async (ev: MessageEvent<RenderStatsToWorker>) => {
  try {
    if (ev.data.kind === 'own') {
      const { stats, tokens } = await ownStats(ev.data, progress);
      post({ type: 'done', stats: { own: stats }, tokens });
    } else post({ type: 'done', stats: builtinStats(ev.data, progress) });
  } catch (e) {
    post({ type: 'error', message: (e as Error).message ?? String(e) });
  }
};

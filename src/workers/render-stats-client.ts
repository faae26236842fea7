// Starts one render-stats job in a worker of its own; the returned function cancels it (the
// worker is terminated mid-record, so a stale job never keeps a core busy).
import type { RenderStatsFromWorker, RenderStatsToWorker } from '../templates/compare/render-stats.ts';

export interface RenderStatsHandlers {
  progress(done: number): void;
  done(m: Extract<RenderStatsFromWorker, { type: 'done' }>): void;
  error(message: string): void;
}

export function runRenderStats(job: RenderStatsToWorker, on: RenderStatsHandlers): () => void {
  // `new Worker(new URL(…), {type: 'module'})` literally: how Vite finds and bundles the entry.
  const worker = new Worker(new URL('./render-stats.worker.ts', import.meta.url), {
    type: 'module',
    name: `render-stats-${job.kind}`,
  });
  let over = false;
  const finish = () => {
    over = true;
    worker.terminate();
  };
  worker.onmessage = (ev: MessageEvent<RenderStatsFromWorker>) => {
    if (over) return;
    const m = ev.data;
    if (m.type === 'progress') on.progress(m.done);
    else {
      finish();
      if (m.type === 'done') on.done(m);
      else on.error(m.message);
    }
  };
  worker.onerror = (e) => {
    if (over) return;
    finish();
    on.error(e.message || 'the render-stats worker failed to start');
  };
  worker.postMessage(job);
  return finish;
}

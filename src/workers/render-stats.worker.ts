// Renders every record with every compared template off the main thread (see render-stats.ts).
import { addRecord, emptyRenderStats, type RenderStats, type RenderStatsFromWorker, type RenderStatsToWorker } from '../ui/studio/render-stats.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: RenderStatsFromWorker) => scope.postMessage(m);

scope.onmessage = (ev: MessageEvent<RenderStatsToWorker>) => {
  const { templates, options, conversations } = ev.data;
  try {
    const stats: Record<string, RenderStats> = {};
    for (const id of templates) stats[id] = emptyRenderStats();
    let last = performance.now();
    for (const [i, conv] of conversations.entries()) {
      for (const id of templates) addRecord(stats[id], id, conv, options);
      if (performance.now() - last > 200) {
        post({ type: 'progress', done: i + 1 });
        last = performance.now();
      }
    }
    post({ type: 'done', stats });
  } catch (e) {
    post({ type: 'error', message: (e as Error).message ?? String(e) });
  }
};

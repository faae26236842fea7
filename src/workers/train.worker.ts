// Browser entry of the training worker (a dedicated module Worker):
//   new Worker(new URL('./workers/train.worker.ts', import.meta.url), { type: 'module' })
// Send a StartTraining message, then pause/resume/cancel; receive events, the adapter, errors
// (see src/train/protocol.ts). The work itself is src/train/worker-core.ts.
import { openAdapterStore } from '../adapters/store.ts';
import type { ToTrainWorker } from '../train/protocol.ts';
import { createTrainWorkerHandler } from '../train/worker-core.ts';
import { idbTunerStore } from '../engine/kernels/tuner-idb.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const handle = createTrainWorkerHandler({
  gpu: navigator.gpu,
  openStore: (name) => openAdapterStore(name ? { name } : {}),
  post: (msg, transfer) => scope.postMessage(msg, transfer ?? []),
  tunerStore: () => idbTunerStore(),
});
scope.onmessage = (ev: MessageEvent<ToTrainWorker>) => {
  void handle(ev.data);
};

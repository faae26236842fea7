// Browser entry of the evaluation worker (a dedicated module Worker, eval-client.ts spawns it):
// send a StartEval, then maybe a cancel; receive progress, rows and the summary (see
// src/infer/eval/protocol.ts). The work itself is src/infer/eval/job.ts.
import { openAdapterStore } from '../adapters/store.ts';
import { createEvalWorkerHandler } from '../infer/eval/job.ts';
import { idbTunerStore } from '../engine/kernels/tuner-idb.ts';
import type { ToEvalWorker } from '../infer/eval/protocol.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const handle = createEvalWorkerHandler({
  gpu: navigator.gpu,
  openStore: (name) => openAdapterStore(name ? { name } : {}),
  post: (msg) => scope.postMessage(msg),
  tunerStore: () => idbTunerStore(),
});
scope.onmessage = (ev: MessageEvent<ToEvalWorker>) => {
  void handle(ev.data);
};

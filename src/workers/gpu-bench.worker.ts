// Browser entry of the "Benchmark this GPU" worker (gpu-bench-client.ts spawns it): send a
// StartBench, then maybe a cancel; receive the adapter, each result and the end (src/bench/
// protocol.ts). The work itself is src/bench/job.ts; the tuner's picks live in IndexedDB.
import { createBenchHandler } from '../bench/job.ts';
import type { ToBenchWorker } from '../bench/protocol.ts';
import { idbTunerStore } from '../engine/kernels/tuner-idb.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const handle = createBenchHandler({
  gpu: navigator.gpu,
  tunerStore: (name) => idbTunerStore(name),
  post: (msg) => scope.postMessage(msg),
});
scope.onmessage = (ev: MessageEvent<ToBenchWorker>) => {
  void handle(ev.data);
};

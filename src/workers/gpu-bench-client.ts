// The Benchmark-this-GPU page's side of its worker (gpu-bench.worker.ts, protocol
// src/bench/protocol.ts): one worker per run, so its device and buffers go with it.
import type { FromBenchWorker, ToBenchWorker } from '../bench/protocol.ts';

export interface BenchClient {
  post(msg: ToBenchWorker): void;
  terminate(): void;
}

export function spawnBenchWorker(onMessage: (m: FromBenchWorker) => void): BenchClient {
  // This exact `new Worker(new URL(…))` form is what Vite bundles as a worker entry.
  const worker = new Worker(new URL('./gpu-bench.worker.ts', import.meta.url), { type: 'module', name: 'gpu-bench' });
  worker.onmessage = (e: MessageEvent<FromBenchWorker>) => onMessage(e.data);
  worker.onerror = (e) => onMessage({ type: 'error', message: e.message || 'the benchmark worker crashed' });
  return {
    post: (msg) => worker.postMessage(msg),
    terminate: () => worker.terminate(),
  };
}

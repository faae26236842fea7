// The page's side of the training worker (train.worker.ts, protocol src/train/protocol.ts):
// spawn it, post the start message and pause/resume/cancel, and hand its messages back.
import type { FromTrainWorker, ToTrainWorker } from '../train/protocol.ts';

export interface TrainClient {
  post(msg: ToTrainWorker): void;
  terminate(): void;
}

export function spawnTrainWorker(onMessage: (m: FromTrainWorker) => void): TrainClient {
  // This exact `new Worker(new URL(…))` form is what Vite bundles as a worker entry.
  const worker = new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module', name: 'train' });
  worker.onmessage = (e: MessageEvent<FromTrainWorker>) => onMessage(e.data);
  worker.onerror = (e) =>
    onMessage({
      type: 'error',
      message: e.message || 'the training worker crashed',
      refused: false,
      deviceLost: false,
    });
  return {
    post: (msg) => worker.postMessage(msg),
    terminate: () => worker.terminate(),
  };
}

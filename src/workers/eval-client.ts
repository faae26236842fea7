// The Evaluate page's side of the evaluation worker (eval.worker.ts, protocol
// src/infer/eval/protocol.ts): one worker per evaluation, so the model it loads is freed with it.
import type { FromEvalWorker, ToEvalWorker } from '../infer/eval/protocol.ts';

export interface EvalClient {
  post(msg: ToEvalWorker): void;
  terminate(): void;
}

export function spawnEvalWorker(onMessage: (m: FromEvalWorker) => void): EvalClient {
  // This exact `new Worker(new URL(…))` form is what Vite bundles as a worker entry.
  const worker = new Worker(new URL('./eval.worker.ts', import.meta.url), { type: 'module', name: 'evaluate' });
  worker.onmessage = (e: MessageEvent<FromEvalWorker>) => onMessage(e.data);
  worker.onerror = (e) => onMessage({ type: 'error', message: e.message || 'the evaluation worker crashed' });
  return {
    post: (msg) => worker.postMessage(msg),
    terminate: () => worker.terminate(),
  };
}

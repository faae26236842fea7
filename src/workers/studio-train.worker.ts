// Worker entry for the studio's training run (studio-train.ts): the page stays responsive
// while the GPU trains. One run per worker; the page spawns a new worker for each run.
import { StudioTrainRun } from './studio-train.ts';
import type { TrainRequest, TrainWorkerMessage } from './train-client.ts';

const scope = self as unknown as { postMessage(m: TrainWorkerMessage): void; onmessage: ((e: MessageEvent<TrainRequest>) => void) | null };
const run = new StudioTrainRun((m) => scope.postMessage(m));

scope.onmessage = (e) => {
  const msg = e.data;
  if (msg.type === 'start') void run.run(msg);
  else if (msg.type === 'pause') run.pause();
  else if (msg.type === 'resume') run.resume();
  else if (msg.type === 'cancel') run.cancel();
};

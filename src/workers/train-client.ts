// The page's side of the training worker. The worker (train.worker.ts) runs the trainer off the
// main thread so the page stays responsive; this file only spawns it and speaks the protocol.
//
// Protocol (page → worker): TrainRequest messages below. (worker → page): TrainWorkerMessage:
// either a trainer TrainEvent as is (src/train/trainer.ts), or one of the wrappers here.
// The worker is studio-train.worker.ts (running studio-train.ts), loaded through
// import.meta.glob so the studio still builds without it.
import type { TrainEvent } from '../train/trainer.ts';
import type { TrainConfig } from '../train/config.ts';
import type { Conversation } from '../data/types.ts';
import type { LossPoint } from '../adapters/types.ts';

export type ModelRequest =
  | { kind: 'tiny' }
  | { kind: 'hub'; repo: string; token?: string }
  | { kind: 'local'; files: File[] };

export type TrainRequest =
  | {
      type: 'start';
      /** The run's id in the adapter store (the worker creates the record, saves checkpoints and the adapter there). */
      runId: string;
      name: string;
      model: ModelRequest;
      config: TrainConfig;
      dataset: { name: string; conversations: Conversation[] };
      /** Continue from the run's latest checkpoint in the store. */
      resume: boolean;
    }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'cancel' };

export type TrainWorkerMessage =
  | TrainEvent
  | { type: 'event'; event: TrainEvent }
  /** Model download / tokenization before the first step. */
  | { type: 'progress'; phase: string; loaded: number; total: number }
  /** The loss curve so far (sent after 'start', so a resumed run shows its earlier steps). */
  | { type: 'curve'; points: LossPoint[] }
  /** The adapter was written to the store. */
  | { type: 'saved'; runId: string }
  | { type: 'error'; message: string };

const found = import.meta.glob('./studio-train.worker.ts', { query: '?worker', import: 'default' }) as Record<string, () => Promise<new () => Worker>>;

/** Whether the build has a training worker. */
export function trainWorkerAvailable(): boolean {
  return Object.keys(found).length > 0;
}

export interface TrainClient {
  post(msg: TrainRequest): void;
  terminate(): void;
}

/** What the page receives: trainer events and the wrappers, unwrapped. */
export type TrainPageMessage = TrainEvent | Exclude<TrainWorkerMessage, TrainEvent | { type: 'event' }>;

export async function spawnTrainWorker(onMessage: (m: TrainPageMessage) => void): Promise<TrainClient> {
  const load = Object.values(found)[0];
  if (!load) throw new Error('This build has no training worker (src/workers/studio-train.worker.ts).');
  const Ctor = await load();
  const worker = new Ctor();
  worker.onmessage = (e: MessageEvent<TrainWorkerMessage>) => {
    const m = e.data;
    onMessage(m.type === 'event' ? m.event : m);
  };
  worker.onerror = (e) => onMessage({ type: 'error', message: e.message || 'the training worker crashed' });
  return {
    post: (msg) => worker.postMessage(msg),
    terminate: () => worker.terminate(),
  };
}

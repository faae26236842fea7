// What the training worker does, without the worker globals (so it can be driven in tests and
// in Node): acquire the GPU, load the model, run the Trainer with checkpoints in the adapter
// store, forward every event, obey pause/resume/cancel, and save the finished adapter.
import { acquireDevice } from '../engine/device.ts';
import { uploadWeights } from '../engine/decoder/weights.ts';
import { openModel } from '../model/open.ts';
import { hubSourceWithCache } from '../model/sources/cached-source.ts';
import { blobModelSource } from '../model/sources/model-source.ts';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE } from '../adapters/peft.ts';
import type { AdapterStore } from '../adapters/store.ts';
import { storeCheckpoints, type CheckpointStorage, type TrainCheckpoint } from './checkpoint.ts';
import type { FromTrainWorker, StartTraining, ToTrainWorker } from './protocol.ts';
import { Trainer, TrainRefusal } from './trainer.ts';

export interface TrainWorkerDeps {
  gpu: GPU;
  openStore(dbName?: string): Promise<AdapterStore>;
  post(msg: FromTrainWorker, transfer?: Transferable[]): void;
}

export function createTrainWorkerHandler(deps: TrainWorkerDeps): (msg: ToTrainWorker) => Promise<void> {
  let trainer: Trainer | null = null;
  let running = false;
  return async (msg) => {
    if (msg.type === 'pause') return trainer?.pause();
    if (msg.type === 'resume') return trainer?.resume();
    if (msg.type === 'cancel') return trainer?.cancel();
    if (running) {
      deps.post({ type: 'error', message: 'a run is already in progress in this worker', refused: true, deviceLost: false });
      return;
    }
    running = true;
    try {
      await start(msg);
    } finally {
      running = false;
    }
  };

  async function start(msg: StartTraining) {
    let lost: string | null = null;
    let store: AdapterStore | null = null;
    try {
      const { device } = await acquireDevice(deps.gpu, { onLost: (info) => { lost = info.message || info.reason; trainer?.cancel(); } });
      const { spec, weights } = await loadWeights(device, msg.model);
      store = await deps.openStore(msg.dbName);
      const s = store;
      trainer = new Trainer({
        device, spec, weights, config: msg.config, records: msg.records, evalRecords: msg.evalRecords, padId: msg.padId,
        storage: withProgress(storeCheckpoints(s, msg.runId), (cp) => s.updateRun(msg.runId, {
          step: cp.step, loss_curve: cp.trainer_state.loss_curve,
        })), resume: msg.resume, recompute: msg.recompute, memoryBudgetBytes: msg.memoryBudgetBytes,
        onEvent: (event) => deps.post({ type: 'event', event }),
      });
      await s.updateRun(msg.runId, { status: 'running', total_steps: trainer.totalSteps });
      const result = await trainer.run();
      if (lost) throw new Error(`the GPU device was lost (${lost}); reload to resume from the last checkpoint`);
      const loss_curve = result.state.loss_curve;
      const final_loss = loss_curve.length ? loss_curve[loss_curve.length - 1].loss : null;
      const patch = { status: result.status, step: result.step, loss_curve, final_loss } as const;
      if (result.status === 'cancelled') {
        // Keep the exact state so the run can be resumed later.
        await s.saveCheckpoint({ runId: msg.runId, ...(await trainer.checkpoint()) });
        await s.updateRun(msg.runId, { ...patch, status: 'paused' });
      } else if (result.status === 'completed') {
        const files = await trainer.adapterFiles();
        await s.saveAdapter(msg.runId, {
          safetensors: files.get(ADAPTER_WEIGHTS_FILE)!, config: new TextDecoder().decode(files.get(ADAPTER_CONFIG_FILE)!),
        }, patch);
        deps.post({ type: 'adapter', runId: msg.runId, status: result.status, files: Object.fromEntries(files) });
      } else {
        await s.updateRun(msg.runId, patch);
        deps.post({ type: 'error', message: result.message ?? 'training failed', refused: false, deviceLost: false });
      }
    } catch (err) {
      deps.post({ type: 'error', message: (err as Error).message, refused: err instanceof TrainRefusal, deviceLost: lost !== null });
      if (store) await store.updateRun(msg.runId, { status: lost ? 'paused' : 'failed' }).catch(() => undefined);
    } finally {
      trainer?.destroy();
      trainer = null;
      store?.close();
    }
  }
}

async function loadWeights(device: GPUDevice, model: StartTraining['model']) {
  const { source, close } = 'hub' in model ? await hubSourceWithCache(model.hub) : { source: blobModelSource(model.files), close: () => {} };
  try {
    const { spec, checkpoint } = await openModel(source);
    return { spec, weights: await uploadWeights(device, checkpoint.stream()) };
  } finally {
    close();
  }
}

/** Also records the run's progress (step, loss curve) in the store at each checkpoint, so a reloaded page shows it. */
function withProgress(storage: CheckpointStorage, after: (cp: TrainCheckpoint) => Promise<unknown>): CheckpointStorage {
  return {
    latest: () => storage.latest(),
    async save(cp) {
      await storage.save(cp);
      await after(cp);
    },
  };
}

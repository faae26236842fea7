// What the training worker does, without the worker globals (so it can be driven in tests and
// in Node): acquire the GPU, load the model, run the Trainer with checkpoints in the adapter
// store, forward every event, obey pause/resume/cancel, and save the finished adapter.
import { acquireDevice } from '../engine/device.ts';
import { uploadWeights } from '../engine/decoder/weights.ts';
import { decoderTensorNames, openModel } from '../model/open.ts';
import { hubSourceWithCache } from '../model/sources/cached-source.ts';
import { blobModelSource } from '../model/sources/model-source.ts';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE } from '../adapters/peft.ts';
import type { AdapterStore } from '../adapters/store.ts';
import { storeCheckpoints } from './checkpoint.ts';
import type { FromTrainWorker, StartTraining, ToTrainWorker } from './protocol.ts';
import { ResumeRefusal, Trainer, TrainRefusal } from './trainer.ts';
import { ModelFingerprint } from './fingerprint.ts';

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
    let finished = false;
    let signalLost!: () => void;
    // Resolves when the device is lost. Every GPU await below is raced against it: after a
    // loss a readback may reject (Dawn: AbortError) or, in some browsers, never settle.
    const lostSignal = new Promise<void>((r) => (signalLost = r));
    const guard = <T>(p: Promise<T>): Promise<T> => Promise.race([p, lostSignal.then((): never => { throw new DeviceLostError(); })]);
    let device: GPUDevice | null = null;
    let store: AdapterStore | null = null;
    let lastCheckpoint: number | null = null;
    try {
      ({ device } = await acquireDevice(deps.gpu, {
        onLost: (info) => {
          // Our own destroy() once the run is over is not a loss.
          if (finished) return;
          lost = info.message || info.reason;
          trainer?.cancel();
          signalLost();
        },
      }));
      const { spec, weights, model } = await guard(loadWeights(device, msg.model));
      store = await deps.openStore(msg.dbName);
      const s = store;
      const checkpoints = storeCheckpoints(s, msg.runId);
      trainer = new Trainer({
        device, spec, weights, config: msg.config, records: msg.records, evalRecords: msg.evalRecords, padId: msg.padId,
        storage: {
          latest: () => checkpoints.latest(),
          async save(cp) {
            // LoRA weights read after a loss are not trustworthy: keep the previous checkpoint.
            if (lost) throw new DeviceLostError();
            await checkpoints.save(cp);
            lastCheckpoint = cp.step;
            // The run's progress in the store too, so a reloaded page shows it.
            await s.updateRun(msg.runId, { step: cp.step, loss_curve: cp.trainer_state.loss_curve });
          },
        },
        resume: msg.resume, recompute: msg.recompute, memoryBudgetBytes: msg.memoryBudgetBytes, identity: { model },
        onEvent: (event) => {
          // A run that outlives its device (cancelled by the loss) must not look finished.
          if (lost) return;
          if (event.type === 'start') lastCheckpoint = event.resumed_from;
          deps.post({ type: 'event', event });
        },
      });
      await s.updateRun(msg.runId, { status: 'running', total_steps: trainer.totalSteps });
      const result = await guard(trainer.run());
      if (lost) throw new DeviceLostError();
      const loss_curve = result.state.loss_curve;
      const final_loss = loss_curve.length ? loss_curve[loss_curve.length - 1].loss : null;
      const patch = { status: result.status, step: result.step, loss_curve, final_loss } as const;
      if (result.status === 'cancelled') {
        // Keep the exact state so the run can be resumed later.
        await s.saveCheckpoint({ runId: msg.runId, ...(await guard(trainer.checkpoint())) });
        await s.updateRun(msg.runId, { ...patch, status: 'paused' });
      } else if (result.status === 'completed') {
        const files = await guard(trainer.adapterFiles());
        await s.saveAdapter(msg.runId, {
          safetensors: files.get(ADAPTER_WEIGHTS_FILE)!, config: new TextDecoder().decode(files.get(ADAPTER_CONFIG_FILE)!),
        }, patch);
        deps.post({ type: 'adapter', runId: msg.runId, status: result.status, files: Object.fromEntries(files) });
      } else {
        await s.updateRun(msg.runId, patch);
        deps.post({ type: 'error', message: result.message ?? 'training failed', refused: false, deviceLost: false });
      }
    } catch (err) {
      if (!lost && device && !(err instanceof TrainRefusal)) {
        // A readback can fail a moment before device.lost settles: let the queue drain (a
        // lost device's does at once) and see whether the loss arrived meanwhile.
        await Promise.race([lostSignal, device.queue.onSubmittedWorkDone().catch(() => undefined)]);
      }
      if (lost) {
        const where = lastCheckpoint !== null
          ? `Resume continues from step ${lastCheckpoint}, the last checkpoint.`
          : 'No checkpoint was saved yet: Resume starts the run again from step 0.';
        deps.post({ type: 'error', message: `The GPU was lost (${lost}). ${where}`, refused: false, deviceLost: true });
      } else if (err instanceof ResumeRefusal) {
        const fix = err.unverified
          ? 'Its checkpoint was saved by an older version of Prism and cannot be checked: start a new run.'
          : 'Pick the same model (and keep its dataset and settings) to resume it, or start a new run.';
        deps.post({ type: 'error', message: `This run cannot be resumed: ${err.message}. ${fix}`, refused: true, deviceLost: false });
      } else {
        deps.post({ type: 'error', message: (err as Error).message, refused: err instanceof TrainRefusal, deviceLost: false });
      }
      // A refused resume leaves the run as it was (paused, its checkpoint kept) for a later try with the right model.
      const status = lost || err instanceof ResumeRefusal ? 'paused' : 'failed';
      if (store) await store.updateRun(msg.runId, { status }).catch(() => undefined);
    } finally {
      finished = true;
      trainer?.destroy();
      trainer = null;
      store?.close();
      // Frees the GPU memory now rather than when the worker ends (Node runs many starts).
      device?.destroy();
    }
  }
}

/** The device went away while the run needed it (the message the page sees is built in start()). */
class DeviceLostError extends Error {
  override name = 'DeviceLostError';
  constructor() {
    super('the GPU device was lost');
  }
}

async function loadWeights(device: GPUDevice, model: StartTraining['model']) {
  const { source, close } = 'hub' in model ? await hubSourceWithCache(model.hub) : { source: blobModelSource(model.files), close: () => {} };
  try {
    const { spec, checkpoint } = await openModel(source);
    const print = new ModelFingerprint(spec);
    const weights = await uploadWeights(device, print.tee(checkpoint.stream()), undefined, decoderTensorNames(spec));
    return { spec, weights, model: print.hex() };
  } finally {
    close();
  }
}

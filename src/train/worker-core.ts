// What the training worker does, without the worker globals (so it can be driven in tests and
// in Node). It owns a whole run: acquire the GPU; open the model once (tokenizer and weights from
// the same source); read the dataset named by its SHA-256 and tokenize it with the template,
// naming every record it leaves out; create the run's record (or take a stored run's own settings
// and dataset copy to resume it); run the Trainer with checkpoints in the adapter store; forward
// every event; obey pause/resume/cancel; save the finished adapter. The page never writes the run.
import { acquireDevice } from '../engine/device.ts';
import { uploadWeights } from '../engine/decoder/weights.ts';
import { decoderTensorNames, openModel } from '../model/open.ts';
import { modelIdOf, openModelRequest, readTokenizerFiles } from '../model/sources/request.ts';
import { conversationsJsonl, datasetBlob, readConversations, type DatasetRef } from '../data/dataset-ref.ts';
import { tokenizerFromFiles } from '../tokenize/load.ts';
import { TokenizePipeline } from '../tokenize/pipeline.ts';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE } from '../adapters/peft.ts';
import type { AdapterStore } from '../adapters/store.ts';
import type { DatasetInfo } from '../adapters/types.ts';
import type { Conversation } from '../data/types.ts';
import { storeCheckpoints } from './checkpoint.ts';
import { effectiveLossScale, lossPolicyOf, validateTrainConfig, type TrainConfig } from './config.ts';
import { splitRecords, type TrainRecord } from './data.ts';
import type { FromTrainWorker, SkippedRecord, StartTraining, ToTrainWorker } from './protocol.ts';
import { ResumeRefusal, Trainer, TrainRefusal } from './trainer.ts';
import { ModelFingerprint } from './fingerprint.ts';
import { autotune, modelGemmShapes, weightDtype } from '../engine/kernels/autotune.ts';
import type { TunerStore } from '../engine/kernels/tuner.ts';

export interface TrainWorkerDeps {
  gpu: GPU;
  openStore(dbName?: string): Promise<AdapterStore>;
  post(msg: FromTrainWorker, transfer?: Transferable[]): void;
  /** Where the gemm autotuner keeps its choices (IndexedDB in the browser); in memory when absent. */
  tunerStore?: () => TunerStore;
}

export function createTrainWorkerHandler(deps: TrainWorkerDeps): (msg: ToTrainWorker) => Promise<void> {
  let trainer: Trainer | null = null;
  let cancelled = false;
  let running = false;
  return async (msg) => {
    if (msg.type === 'pause') return trainer?.pause();
    if (msg.type === 'resume') return trainer?.resume();
    if (msg.type === 'cancel') {
      // A cancel before the first step (while the model loads) ends the start there.
      cancelled = true;
      return trainer?.cancel();
    }
    if (running) {
      deps.post({
        type: 'error',
        message: 'a run is already in progress in this worker',
        refused: true,
        deviceLost: false,
      });
      return;
    }
    running = true;
    cancelled = false;
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
    const guard = <T>(p: Promise<T>): Promise<T> =>
      Promise.race([
        p,
        lostSignal.then((): never => {
          throw new DeviceLostError();
        }),
      ]);
    const progress = (phase: string, loaded = 0, total = 0) => deps.post({ type: 'progress', phase, loaded, total });
    let device: GPUDevice | null = null;
    let store: AdapterStore | null = null;
    let runId: string | null = null;
    let lastCheckpoint: number | null = null;
    let closeSource = () => {};
    try {
      store = await deps.openStore(msg.dbName);
      const s = store;
      const plan = await planRun(s, msg);

      progress('opening the model');
      let lastTick = 0;
      const opened = await openModelRequest(msg.model, (e) => {
        const now = Date.now();
        if (e.loaded < e.total && now - lastTick < 100) return;
        lastTick = now;
        progress(`downloading ${e.path}`, e.loaded, e.total);
      });
      closeSource = opened.close;
      const { spec, checkpoint } = await openModel(opened.source);
      const tokenizerFiles = await readTokenizerFiles(opened.source);

      progress('reading the dataset');
      const { items, invalid } = await readConversations(plan.dataset);
      const config = plan.config;
      // As `prism train`: no max_length means the model's own maximum.
      const maxLength = config.max_length ?? spec.max_position_embeddings;
      const pipeline = new TokenizePipeline(tokenizerFromFiles(tokenizerFiles), {
        template: config.template,
        loss_scale: effectiveLossScale(config),
        render: config.agent_template ? { agentTemplate: config.agent_template } : {},
        length: { max_length: maxLength, truncation: config.truncation_strategy },
      });
      const records: TrainRecord[] = [];
      const skipped: SkippedRecord[] = invalid.map((r) => ({ line: r.line, why: `invalid record: ${r.why}` }));
      let tick = Date.now();
      for (const [i, item] of items.entries()) {
        const r = pipeline.process(item);
        if (!r.ok) skipped.push({ line: r.line, why: `the template refused it: ${r.error}` });
        else if (!r.record)
          skipped.push({
            line: r.line,
            why: `${r.tokens} tokens, over max_length ${maxLength} (truncation_strategy delete)`,
          });
        else {
          const { input_ids, labels, loss_scale } = r.record;
          records.push(
            loss_scale ? { line: r.line, input_ids, labels, loss_scale } : { line: r.line, input_ids, labels },
          );
        }
        if (Date.now() - tick > 200) {
          progress('tokenizing', i + 1, items.length);
          tick = Date.now();
        }
      }
      skipped.sort((a, b) => a.line - b.line);
      if (!records.length) {
        throw new TrainRefusal(
          `none of the ${items.length + invalid.length} records can be trained with ` +
            `template ${config.template} and max_length ` +
            `${maxLength}: ${skipped
              .slice(0, 3)
              .map((k) => `line ${k.line}: ${k.why}`)
              .join('; ')}${skipped.length > 3 ? '; …' : ''}`,
        );
      }
      if (cancelled) {
        deps.post({
          type: 'event',
          event: {
            type: 'done',
            status: 'cancelled',
            step: 0,
            message: 'Cancelled before the first step: no run was recorded.',
          },
        });
        return;
      }

      runId = await plan.record(
        records,
        items.map((i) => i.conversation),
      );
      deps.post({
        type: 'run',
        runId,
        name: plan.name,
        config,
        dataset: plan.datasetInfo(records.length),
        resumed: plan.resume,
        records: records.length,
        skipped,
      });

      ({ device } = await acquireDevice(deps.gpu, {
        onLost: (info) => {
          // Our own destroy() once the run is over is not a loss.
          if (finished) return;
          lost = info.message || info.reason;
          trainer?.cancel();
          signalLost();
        },
      }));
      // The matmul kernels for this model's shapes on this GPU (skipped on CPU adapters), before
      // any work is recorded; classes measured by an earlier run are not measured again.
      progress('tuning the matmul kernels for this GPU');
      const rowTokens = config.packing ? maxLength : records.reduce((m, r) => Math.max(m, r.input_ids.length), 0);
      const shapes = modelGemmShapes(spec, {
        tokens: [config.per_device_train_batch_size * rowTokens],
        dtype: weightDtype(spec.torch_dtype),
        training: true,
        loraRank: config.lora.r,
      });
      await guard(autotune(device, shapes, 'auto', deps.tunerStore));
      progress('uploading the weights');
      const print = new ModelFingerprint(spec);
      const weights = await guard(
        uploadWeights(device, print.tee(checkpoint.stream()), undefined, decoderTensorNames(spec)),
      );
      closeSource();
      const padId = pipeline.encoder.padId;
      const id = runId;
      const checkpoints = storeCheckpoints(s, id);
      trainer = new Trainer({
        device,
        spec,
        weights,
        config,
        records,
        padId,
        storage: {
          latest: () => checkpoints.latest(),
          async save(cp) {
            // LoRA weights read after a loss are not trustworthy: keep the previous checkpoint.
            if (lost) throw new DeviceLostError();
            await checkpoints.save(cp);
            lastCheckpoint = cp.step;
            // The run's progress in the store too, so a reloaded page shows it.
            await s.updateRun(id, { step: cp.step, loss_curve: cp.trainer_state.loss_curve });
          },
        },
        resume: plan.resume,
        recompute: msg.recompute,
        memoryBudgetBytes: msg.memoryBudgetBytes,
        identity: { model: print.hex() },
        onEvent: (event) => {
          // A run that outlives its device (cancelled by the loss) must not look finished.
          if (lost) return;
          if (event.type === 'start') lastCheckpoint = event.resumed_from;
          deps.post({ type: 'event', event });
        },
      });
      if (cancelled) trainer.cancel();
      await s.updateRun(id, { status: 'running', total_steps: trainer.totalSteps });
      const result = await guard(trainer.run());
      if (lost) throw new DeviceLostError();
      const loss_curve = result.state.loss_curve;
      const final_loss = loss_curve.length ? loss_curve[loss_curve.length - 1].loss : null;
      const patch = { status: result.status, step: result.step, loss_curve, final_loss } as const;
      if (result.status === 'cancelled') {
        // Keep the exact state so the run can be resumed later.
        await s.saveCheckpoint({ runId: id, ...(await guard(trainer.checkpoint())) });
        await s.updateRun(id, { ...patch, status: 'paused' });
      } else if (result.status === 'completed') {
        const files = await guard(trainer.adapterFiles());
        await s.saveAdapter(
          id,
          {
            safetensors: files.get(ADAPTER_WEIGHTS_FILE)!,
            config: new TextDecoder().decode(files.get(ADAPTER_CONFIG_FILE)!),
          },
          patch,
        );
        deps.post({ type: 'adapter', runId: id, status: result.status });
      } else {
        await s.updateRun(id, patch);
        deps.post({ type: 'error', message: result.message ?? 'training failed', refused: false, deviceLost: false });
      }
    } catch (err) {
      if (!lost && device && !(err instanceof TrainRefusal)) {
        // A readback can fail a moment before device.lost settles: let the queue drain (a
        // lost device's does at once) and see whether the loss arrived meanwhile.
        await Promise.race([lostSignal, device.queue.onSubmittedWorkDone().catch(() => undefined)]);
      }
      if (lost) {
        const where =
          lastCheckpoint !== null
            ? `Resume continues from step ${lastCheckpoint}, the last checkpoint.`
            : 'No checkpoint was saved yet: Resume starts the run again from step 0.';
        deps.post({ type: 'error', message: `The GPU was lost (${lost}). ${where}`, refused: false, deviceLost: true });
      } else if (err instanceof ResumeRefusal) {
        const fix = err.unverified
          ? 'Its checkpoint was saved by an older version of Prism and cannot be checked: start a new run.'
          : 'Pick the same model (and keep its dataset and settings) to resume it, or start a new run.';
        deps.post({
          type: 'error',
          message: `This run cannot be resumed: ${err.message}. ${fix}`,
          refused: true,
          deviceLost: false,
        });
      } else {
        deps.post({
          type: 'error',
          message: (err as Error).message,
          refused: err instanceof TrainRefusal,
          deviceLost: false,
        });
      }
      // A refused resume leaves the run as it was (paused, its checkpoint kept) for a later try with the right model.
      const status =
        lost || err instanceof ResumeRefusal || (runId && 'resume' in msg.run && err instanceof TrainRefusal)
          ? 'paused'
          : 'failed';
      if (store && runId) await store.updateRun(runId, { status }).catch(() => undefined);
    } finally {
      finished = true;
      closeSource();
      trainer?.destroy();
      trainer = null;
      store?.close();
      // Frees the GPU memory now rather than when the worker ends (Node runs many starts).
      device?.destroy();
    }
  }
}

interface RunPlan {
  name: string;
  config: TrainConfig;
  dataset: DatasetRef;
  resume: boolean;
  datasetInfo(records: number): DatasetInfo;
  /** The run's id: a new run's record is created here (with copies of its dataset for the zip). */
  record(records: readonly TrainRecord[], conversations: readonly Conversation[]): Promise<string>;
}

/** What a start message asks for: a new run from its dataset and settings, or a stored run's own. */
async function planRun(store: AdapterStore, msg: StartTraining): Promise<RunPlan> {
  if ('resume' in msg.run) {
    const id = msg.run.resume;
    const rec = await store.get(id);
    if (!rec) throw new TrainRefusal('that run is gone from this browser’s storage');
    if (!rec.dataset) throw new TrainRefusal(`run ${rec.name} has no dataset recorded, so it cannot be resumed`);
    const info = rec.dataset;
    // The user's own file when it was kept (its lines are the ones the run names), else Prism's normalized copy.
    const keptAs = info.original ?? info;
    const copy =
      (await store.getDataset(keptAs.sha256)) ?? (keptAs !== info ? await store.getDataset(info.sha256) : undefined);
    return {
      name: rec.name,
      config: rec.hyperparameters as TrainConfig,
      // Else the dataset file store (by the same SHA-256).
      dataset: {
        sha256: keptAs.sha256,
        name: keptAs.name,
        ...(copy ? { file: new Blob([copy.bytes as Uint8Array<ArrayBuffer>]) } : {}),
      },
      resume: true,
      datasetInfo: () => info,
      record: async () => id,
    };
  }
  const { config, dataset } = msg;
  if (!config || !dataset) throw new TrainRefusal('a new run needs its dataset and settings');
  const issues = validateTrainConfig(config);
  if (issues.length)
    throw new TrainRefusal(`invalid settings: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
  const name = msg.run.name;
  const base = modelIdOf(msg.model);
  return {
    name,
    config,
    dataset,
    resume: false,
    datasetInfo: (records) => ({ name: dataset.name, sha256: dataset.sha256, records }),
    async record(records, conversations) {
      // The eval split exactly as the Trainer makes it, by line, for the Evaluate page.
      const evalLines = splitRecords(records, config.split_dataset_ratio, config.data_seed).eval.map((r) => r.line!);
      // Kept with the run for its zip and a resume: Prism's normalized copy (what was tokenized) and
      // the file's own bytes, unchanged (same SHA-256 as the dataset file store's).
      const info: DatasetInfo = await store.saveDataset(dataset.name, conversationsJsonl(conversations));
      const bytes = new Uint8Array(await (await datasetBlob(dataset)).arrayBuffer());
      const original = await store.saveDataset(dataset.name, bytes);
      if (dataset.sha256 && original.sha256 !== dataset.sha256)
        throw new TrainRefusal(`the dataset ${dataset.name} changed since it was loaded: load it again`);
      info.original = { name: original.name, sha256: original.sha256 };
      const rec = await store.createRun({
        name,
        base_model: base,
        template: config.template,
        loss_policy: lossPolicyOf(config),
        dataset: { ...info, records: conversations.length },
        hyperparameters: config,
        loss_curve: [],
        eval_lines: evalLines,
        step: 0,
        total_steps: config.max_steps > 0 ? config.max_steps : null,
        status: 'running',
        final_loss: null,
      });
      return rec.id;
    },
  };
}

/** The device went away while the run needed it (the message the page sees is built in start()). */
class DeviceLostError extends Error {
  override name = 'DeviceLostError';
  constructor() {
    super('the GPU device was lost');
  }
}

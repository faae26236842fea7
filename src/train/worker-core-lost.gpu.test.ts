// A lost GPU device in the middle of a run, driven as the page drives the training worker:
// the worker reports the loss (deviceLost, a message that says resume continues from the
// last checkpoint), the run stays 'paused' in the store with its checkpoint, and a second
// start with resume on a fresh device ends with the adapter of an uninterrupted run, bit for
// bit. Dawn's device.destroy() is the loss: it resolves device.lost (reason 'destroyed') and
// fails the readbacks in flight, as a driver reset does.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { nodeGPU } from '../cli/node-gpu.ts';
import { openAdapterStore } from '../adapters/store.ts';
import { makeTinyModel } from '../model/tiny.ts';
import { defaultTrainConfig } from './config.ts';
import type { FromTrainWorker, StartTraining } from './protocol.ts';
import { chatDataset, randomWeights } from './testing.ts';
import { createTrainWorkerHandler } from './worker-core.ts';

const tm = makeTinyModel({
  arch: 'qwen3',
  hidden: 32,
  layers: 1,
  heads: 4,
  kvHeads: 2,
  intermediate: 48,
  seed: 2,
  dtype: 'float32',
  tokenizer: 'bytes',
});
const files = Object.fromEntries(
  Object.entries({ ...tm.files, 'model.safetensors': randomWeights(tm.spec, 'F32', 5) }).map(([k, v]) => [
    k,
    new Blob([v as Uint8Array<ArrayBuffer>]),
  ]),
);
const config = defaultTrainConfig({
  model_id: 'test/tiny',
  template: 'chatml',
  learning_rate: 1e-2,
  max_steps: 5,
  per_device_train_batch_size: 2,
  gradient_accumulation_steps: 1,
  save_steps: 2,
  lora: { r: 2, lora_alpha: 4, lora_dropout: 0.1 },
});
const dataset = await chatDataset(6, 6);

/** navigator.gpu that hands the test every device it creates (acquireDevice keeps them private). */
function capturingGPU(devices: GPUDevice[]): GPU {
  const bindGet = <T extends object>(target: T, prop: string | symbol) => {
    const v = Reflect.get(target, prop, target) as unknown;
    return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
  };
  const gpu = nodeGPU();
  return new Proxy(gpu, {
    get(target, prop) {
      if (prop !== 'requestAdapter') return bindGet(target, prop);
      return async (opts?: GPURequestAdapterOptions) => {
        const adapter = await target.requestAdapter(opts);
        if (!adapter) return adapter;
        return new Proxy(adapter, {
          get(a, p) {
            if (p !== 'requestDevice') return bindGet(a, p);
            return async (desc?: GPUDeviceDescriptor) => {
              const device = await a.requestDevice(desc);
              devices.push(device);
              return device;
            };
          },
        });
      };
    },
  });
}

type Posted = FromTrainWorker[];

/** A new run (runId null) or a resume of `runId`. */
async function session(
  dbName: string,
  runId: string | null,
  devices: GPUDevice[],
  onPost?: (m: FromTrainWorker) => void,
) {
  const got: Posted = [];
  const handle = createTrainWorkerHandler({
    gpu: capturingGPU(devices),
    openStore: (name) => openAdapterStore({ name }),
    post: (m) => {
      got.push(m);
      onPost?.(m);
    },
  });
  const start: StartTraining = {
    type: 'start',
    run: runId ? { resume: runId } : { name: 'r' },
    dataset,
    config,
    model: { kind: 'local', name: 'tiny', files },
    dbName,
  };
  await handle(start);
  return got;
}

const steps = (got: Posted) => got.flatMap((m) => (m.type === 'event' && m.event.type === 'step' ? [m.event] : []));
const errors = (got: Posted) => got.filter((m): m is Extract<FromTrainWorker, { type: 'error' }> => m.type === 'error');
const adapter = (got: Posted) =>
  got.find((m): m is Extract<FromTrainWorker, { type: 'adapter' }> => m.type === 'adapter');
const runOf = (got: Posted) => (got.find((m) => m.type === 'run') as Extract<FromTrainWorker, { type: 'run' }>).runId;
async function adapterBytes(db: string, runId: string): Promise<number[]> {
  const store = await openAdapterStore({ name: db });
  try {
    return Array.from((await store.getAdapter(runId))!.safetensors);
  } finally {
    store.close();
  }
}

describe('training worker core: lost GPU device', () => {
  it('reports the loss, keeps the checkpoint, and resumes to the uninterrupted adapter', async () => {
    // Uninterrupted reference run. The worker destroys its device when done: that must not
    // read as a loss (no error, even after device.lost has resolved).
    const dbA = 'prism-lost-a';
    const devA: GPUDevice[] = [];
    const a = await session(dbA, null, devA);
    expect(errors(a)).toEqual([]);
    const doneA = adapter(a);
    expect(doneA).toBeDefined();
    expect(devA.length).toBe(1);
    expect((await devA[0].lost).reason).toBe('destroyed');
    await new Promise((r) => setImmediate(r));
    expect(errors(a)).toEqual([]);

    // The same run, its device destroyed while step 3's GPU work is in flight (after the
    // checkpoint at step 2).
    const dbB = 'prism-lost-b';
    const devB: GPUDevice[] = [];
    let destroyedAfter: number | null = null;
    const b1 = await session(dbB, null, devB, (m) => {
      if (m.type === 'event' && m.event.type === 'checkpoint' && m.event.step === 2 && destroyedAfter === null) {
        destroyedAfter = m.event.step;
        setImmediate(() => devB[0].destroy());
      }
    });
    expect(destroyedAfter).toBe(2);
    const runB = runOf(b1);
    expect(adapter(b1)).toBeUndefined();
    const errs = errors(b1);
    expect(errs.length, JSON.stringify(b1.filter((m) => m.type !== 'event'))).toBe(1);
    expect(errs[0]).toMatchObject({ deviceLost: true, refused: false });
    expect(errs[0].message).toMatch(/GPU was lost/);
    expect(errs[0].message).toMatch(/Resume continues from step 2/);
    // No step after the loss was reported as done.
    expect(steps(b1).map((e) => e.step)).toEqual([1, 2]);
    let store = await openAdapterStore({ name: dbB });
    const paused = (await store.get(runB))!;
    expect(paused.status).toBe('paused');
    expect(paused.step).toBe(2);
    expect(paused.loss_curve.map((p) => p.step)).toEqual([1, 2]);
    expect(await store.checkpointSteps(runB)).toEqual([2]);
    expect((await store.latestCheckpoint(runB))!.step).toBe(2);
    store.close();

    // Resume on a fresh device (what the page posts: start with resume).
    const devB2: GPUDevice[] = [];
    const b2 = await session(dbB, runB, devB2);
    expect(errors(b2)).toEqual([]);
    expect(devB2.length).toBe(1);
    expect(devB2[0]).not.toBe(devB[0]);
    const start = b2.find((m) => m.type === 'event' && m.event.type === 'start') as Extract<
      FromTrainWorker,
      { type: 'event' }
    >;
    expect(start.event).toMatchObject({ resumed_from: 2 });
    // The loss curve continues from the checkpoint's step, with the uninterrupted run's values.
    const stepsA = steps(a);
    expect(stepsA.map((e) => e.step)).toEqual([1, 2, 3, 4, 5]);
    expect(steps(b2).map((e) => e.step)).toEqual([3, 4, 5]);
    expect([...steps(b1), ...steps(b2)].map((e) => [e.step, e.loss, e.grad_norm])).toEqual(
      stepsA.map((e) => [e.step, e.loss, e.grad_norm]),
    );
    const doneB = adapter(b2);
    expect(doneB).toBeDefined();
    expect(await adapterBytes(dbB, runB)).toEqual(await adapterBytes(dbA, runOf(a)));
    store = await openAdapterStore({ name: dbB });
    const run = (await store.get(runB))!;
    expect(run.status).toBe('completed');
    expect(run.step).toBe(5);
    expect(run.loss_curve.map((p) => [p.step, p.loss])).toEqual(stepsA.map((e) => [e.step, e.loss]));
    store.close();
  }, 300_000);

  it('does not hang when a readback never settles after the loss', async () => {
    // Some browsers leave a pending mapAsync unsettled when the device goes away; Dawn rejects
    // it. Turn the rejection into a promise that never settles: the worker must still report.
    nodeGPU(); // installs the GPUBuffer global
    const mapAsync = GPUBuffer.prototype.mapAsync;
    let stuck = 0;
    GPUBuffer.prototype.mapAsync = function (this: GPUBuffer, ...args: Parameters<GPUBuffer['mapAsync']>) {
      return mapAsync.apply(this, args).catch(() => {
        stuck++;
        return new Promise<undefined>(() => {});
      });
    };
    try {
      const db = 'prism-lost-hang';
      const dev: GPUDevice[] = [];
      const got = await session(db, null, dev, (m) => {
        if (m.type === 'event' && m.event.type === 'checkpoint' && m.event.step === 2)
          setImmediate(() => dev[0].destroy());
      });
      expect(stuck).toBeGreaterThan(0);
      const runId = runOf(got);
      expect(errors(got)).toHaveLength(1);
      expect(errors(got)[0]).toMatchObject({ deviceLost: true, refused: false });
      expect(errors(got)[0].message).toMatch(/Resume continues from step 2/);
      // Nothing after the loss reaches the page (no 'done', no further step).
      expect(
        got.filter(
          (m) => m.type === 'event' && (m.event.type === 'done' || (m.event.type === 'step' && m.event.step > 2)),
        ),
      ).toEqual([]);
      const store = await openAdapterStore({ name: db });
      expect((await store.get(runId))!.status).toBe('paused');
      expect(await store.checkpointSteps(runId)).toEqual([2]);
      store.close();
    } finally {
      GPUBuffer.prototype.mapAsync = mapAsync;
    }
  }, 120_000);
});

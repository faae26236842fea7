// The training worker's core, driven as the page drives it (messages in, messages out), with
// the adapter store on fake-indexeddb: a run that is cancelled keeps its exact state in the
// store, a second start with resume continues from it and ends with the same adapter as an
// uninterrupted run; the finished adapter is saved in the store and posted. A resume with
// another model or other records is refused, naming what differs, and the run stays resumable.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { nodeGPU } from '../cli/node-gpu.ts';
import { openAdapterStore } from '../adapters/store.ts';
import { makeTinyModel } from '../model/tiny.ts';
import { defaultTrainConfig } from './config.ts';
import type { FromTrainWorker, StartTraining } from './protocol.ts';
import { newStoredRun, randomRecords, randomWeights } from './testing.ts';
import { createTrainWorkerHandler } from './worker-core.ts';

const tm = makeTinyModel({ arch: 'qwen3', hidden: 32, layers: 1, heads: 4, kvHeads: 2, intermediate: 48, seed: 1, dtype: 'float32', tokenizer: 'bytes' });
const files = Object.fromEntries(Object.entries({ ...tm.files, 'model.safetensors': randomWeights(tm.spec, 'F32', 4) }).map(([k, v]) => [k, new Blob([v as Uint8Array<ArrayBuffer>])]));
const config = defaultTrainConfig({
  model_id: 'test/tiny', template: 'chatml', learning_rate: 1e-2, max_steps: 4, per_device_train_batch_size: 2, gradient_accumulation_steps: 1,
  save_steps: 2, lora: { r: 2, lora_alpha: 4, lora_dropout: 0.1 },
});
const records = randomRecords(5, 6, 8, 14, tm.spec.vocab_size).map((r) => ({ ...r, input_ids: Int32Array.from(r.input_ids), labels: Int32Array.from(r.labels) }));

async function session(dbName: string, runId: string, resume: boolean, cancelAtStep?: number, over: Partial<StartTraining> = {}) {
  const got: FromTrainWorker[] = [];
  let handle!: ReturnType<typeof createTrainWorkerHandler>;
  handle = createTrainWorkerHandler({
    gpu: nodeGPU(),
    openStore: (name) => openAdapterStore({ name }),
    post: (m) => {
      got.push(m);
      if (m.type === 'event' && m.event.type === 'step' && m.event.step === cancelAtStep) void handle({ type: 'cancel' });
    },
  });
  const start: StartTraining = { type: 'start', runId, config, model: { files }, records, padId: 0, resume, dbName, ...over };
  await handle(start);
  return got;
}

describe('training worker core', () => {
  it('cancel keeps the state in the store; resume finishes with the uninterrupted adapter', async () => {
    const dbA = 'prism-train-a';
    const a = await session(dbA, await newStoredRun(dbA, config), false);
    const doneA = a.find((m) => m.type === 'adapter');
    expect(doneA, JSON.stringify(a.filter((m) => m.type === 'error'))).toBeDefined();

    const dbB = 'prism-train-b';
    const runB = await newStoredRun(dbB, config);
    const b1 = await session(dbB, runB, false, 3);
    expect(b1.some((m) => m.type === 'adapter')).toBe(false);
    let store = await openAdapterStore({ name: dbB });
    expect((await store.get(runB))!.status).toBe('paused');
    expect(await store.checkpointSteps(runB)).toContain(3);
    store.close();
    const b2 = await session(dbB, runB, true);
    const start = b2.find((m) => m.type === 'event' && m.event.type === 'start') as Extract<FromTrainWorker, { type: 'event' }>;
    expect(start.event).toMatchObject({ resumed_from: 3 });
    const doneB = b2.find((m) => m.type === 'adapter') as Extract<FromTrainWorker, { type: 'adapter' }>;
    expect(doneB).toBeDefined();
    const wa = (doneA as typeof doneB).files['adapter_model.safetensors'];
    expect(Array.from(doneB.files['adapter_model.safetensors'])).toEqual(Array.from(wa));
    store = await openAdapterStore({ name: dbB });
    const run = (await store.get(runB))!;
    expect(run.status).toBe('completed');
    expect(run.step).toBe(4);
    expect(run.loss_curve.map((p) => p.step)).toEqual([1, 2, 3, 4]);
    expect(Array.from((await store.getAdapter(runB))!.safetensors)).toEqual(Array.from(wa));
    store.close();
  }, 240_000);

  it('a resume with another model or other records is refused, naming it; the run stays resumable', async () => {
    const db = 'prism-train-refuse';
    const run = await newStoredRun(db, config);
    await session(db, run, false, 2);
    const otherModel = { ...files, 'model.safetensors': new Blob([randomWeights(tm.spec, 'F32', 99) as Uint8Array<ArrayBuffer>]) };
    const cases: [Partial<StartTraining>, RegExp][] = [
      [{ model: { files: otherModel } }, /another run: model \(config and weights\): [0-9a-f]{12}… → [0-9a-f]{12}…\. Pick the same model/],
      [{ records: records.slice(1) }, /another run: dataset \(the tokenized records[^)]*\): [0-9a-f]{12}… → [0-9a-f]{12}…; dataset_records: 6 → 5/],
    ];
    for (const [over, message] of cases) {
      const got = await session(db, run, true, undefined, over);
      const err = got.find((m) => m.type === 'error') as Extract<FromTrainWorker, { type: 'error' }>;
      expect(err, got.map((m) => (m.type === 'event' ? m.event.type : m.type)).join(' ')).toBeDefined();
      expect(err.refused).toBe(true);
      expect(err.message).toMatch(/^This run cannot be resumed: the checkpoint at step 2 belongs to another run/);
      expect(err.message).toMatch(message);
      expect(got.some((m) => m.type === 'adapter' || (m.type === 'event' && m.event.type === 'step'))).toBe(false);
      const store = await openAdapterStore({ name: db });
      expect((await store.get(run))!.status).toBe('paused');
      expect(await store.checkpointSteps(run)).toEqual([2]);
      store.close();
    }
    const ok = await session(db, run, true);
    expect(ok.find((m) => m.type === 'event' && m.event.type === 'start')).toMatchObject({ event: { resumed_from: 2 } });
    expect(ok.some((m) => m.type === 'adapter')).toBe(true);
  }, 240_000);

  it('a run where every step was skipped (NaN model) ends failed with the reason and saves no adapter', async () => {
    const db = 'prism-train-nan';
    const run = await newStoredRun(db, config);
    const nanModel = { ...files, 'model.safetensors': new Blob([randomWeights(tm.spec, 'F32', 4, ['model.norm.weight']) as Uint8Array<ArrayBuffer>]) };
    const got = await session(db, run, false, undefined, { model: { files: nanModel }, config: { ...config, max_steps: 2 } });
    expect(got.some((m) => m.type === 'adapter')).toBe(false);
    const err = got.find((m) => m.type === 'error') as Extract<FromTrainWorker, { type: 'error' }>;
    expect(err?.message).toMatch(/^no optimizer step was applied: all 2 steps were skipped \(loss is NaN\)/);
    const store = await openAdapterStore({ name: db });
    expect((await store.get(run))!.status).toBe('failed');
    expect(await store.getAdapter(run)).toBeUndefined();
    store.close();
  }, 240_000);
});

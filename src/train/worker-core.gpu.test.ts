// The training worker's core, driven as the page drives it (messages in, messages out), with
// the adapter store on fake-indexeddb. The worker owns the run: told a dataset file, a model and
// settings, it tokenizes, creates the run's record (with a copy of the file under its SHA-256),
// trains and saves. A run that is cancelled keeps its exact state in the store; a second start
// naming the run resumes it with its own settings and data and ends with the same adapter as an
// uninterrupted run. A resume with another model is refused, naming it; the run stays resumable.
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
  seed: 1,
  dtype: 'float32',
  tokenizer: 'bytes',
});
const files = Object.fromEntries(
  Object.entries({ ...tm.files, 'model.safetensors': randomWeights(tm.spec, 'F32', 4) }).map(([k, v]) => [
    k,
    new Blob([v as Uint8Array<ArrayBuffer>]),
  ]),
);
const config = defaultTrainConfig({
  model_id: 'test/tiny',
  template: 'chatml',
  learning_rate: 1e-2,
  max_steps: 4,
  per_device_train_batch_size: 2,
  gradient_accumulation_steps: 1,
  save_steps: 2,
  lora: { r: 2, lora_alpha: 4, lora_dropout: 0.1 },
});
const dataset = await chatDataset(6, 5);

/** A new run (runId null) or a resume of `runId`; returns every message the worker posted. */
async function session(dbName: string, runId: string | null, cancelAtStep?: number, over: Partial<StartTraining> = {}) {
  const got: FromTrainWorker[] = [];
  let handle!: ReturnType<typeof createTrainWorkerHandler>;
  handle = createTrainWorkerHandler({
    gpu: nodeGPU(),
    openStore: (name) => openAdapterStore({ name }),
    post: (m) => {
      got.push(m);
      if (m.type === 'event' && m.event.type === 'step' && m.event.step === cancelAtStep)
        void handle({ type: 'cancel' });
    },
  });
  const start: StartTraining = {
    type: 'start',
    run: runId ? { resume: runId } : { name: 'r' },
    dataset,
    config,
    model: { kind: 'local', name: 'tiny', files },
    dbName,
    ...over,
  };
  await handle(start);
  return got;
}

const runOf = (got: FromTrainWorker[]) =>
  (got.find((m) => m.type === 'run') as Extract<FromTrainWorker, { type: 'run' }>).runId;
async function adapterBytes(db: string, runId: string): Promise<number[]> {
  const store = await openAdapterStore({ name: db });
  try {
    return Array.from((await store.getAdapter(runId))!.safetensors);
  } finally {
    store.close();
  }
}

describe('training worker core', () => {
  it('creates the run from the dataset file: its record, a file copy, every record named or trained', async () => {
    const db = 'prism-train-new';
    // Line 7 is longer than max_length 200, line 8 is not JSON: both named, neither trained.
    const long = JSON.stringify({
      messages: [
        { role: 'user', content: 'sky '.repeat(100) },
        { role: 'assistant', content: 'ok' },
      ],
    });
    const extra = new TextEncoder().encode(`${long}\nnot json\n`);
    const bytes = new Uint8Array([...new Uint8Array(await dataset.file.arrayBuffer()), ...extra]);
    const { createHash } = await import('node:crypto');
    const file = {
      sha256: createHash('sha256').update(bytes).digest('hex'),
      name: 'mixed.jsonl',
      file: new Blob([bytes]),
    };
    const got = await session(db, null, undefined, {
      dataset: file,
      config: { ...config, max_steps: 1, max_length: 200, split_dataset_ratio: 0.34 },
    });
    const run = got.find((m) => m.type === 'run') as Extract<FromTrainWorker, { type: 'run' }>;
    expect(run).toMatchObject({
      name: 'r',
      records: 6,
      resumed: false,
      dataset: { name: 'mixed.jsonl', sha256: file.sha256, records: 6 },
    });
    expect(run.skipped.map((k) => k.line)).toEqual([7, 8]);
    expect(run.skipped[0].why).toMatch(/^\d+ tokens, over max_length 200 \(truncation_strategy delete\)$/);
    expect(run.skipped[1].why).toMatch(/^invalid record: invalid_json/);
    const store = await openAdapterStore({ name: db });
    const rec = (await store.get(run.runId))!;
    // The run keeps the file unchanged (same SHA-256) and Prism's normalized copy of its 7 conversations.
    expect(rec).toMatchObject({
      base_model: 'local:tiny',
      status: 'completed',
      dataset: { records: 7, original: { name: 'mixed.jsonl', sha256: file.sha256 } },
    });
    expect(Array.from((await store.getDataset(file.sha256))!.bytes)).toEqual(Array.from(bytes));
    const normalized = new TextDecoder()
      .decode((await store.getDataset(rec.dataset!.sha256))!.bytes)
      .trim()
      .split('\n');
    expect(normalized).toHaveLength(7);
    expect(JSON.parse(normalized[6]).messages[0].content).toBe('sky '.repeat(100));
    // The eval split by line: ceil(0.34 × 6) = 3 of the 6 trained records.
    expect(rec.eval_lines).toHaveLength(3);
    expect(rec.eval_lines!.every((l) => l >= 1 && l <= 6)).toBe(true);
    store.close();
    expect(got.some((m) => m.type === 'adapter')).toBe(true);
  }, 240_000);

  it('cancel keeps the state in the store; resume finishes with the uninterrupted adapter', async () => {
    const dbA = 'prism-train-a';
    const a = await session(dbA, null);
    const doneA = a.find((m) => m.type === 'adapter');
    expect(doneA, JSON.stringify(a.filter((m) => m.type === 'error'))).toBeDefined();

    const dbB = 'prism-train-b';
    const b1 = await session(dbB, null, 3);
    const runB = runOf(b1);
    expect(b1.some((m) => m.type === 'adapter')).toBe(false);
    let store = await openAdapterStore({ name: dbB });
    expect((await store.get(runB))!.status).toBe('paused');
    expect(await store.checkpointSteps(runB)).toContain(3);
    store.close();
    // Resumed with nothing but its id (and the model): its own settings and dataset copy.
    const b2 = await session(dbB, runB, undefined, { dataset: undefined, config: undefined });
    expect(b2.find((m) => m.type === 'run')).toMatchObject({ runId: runB, resumed: true });
    const start = b2.find((m) => m.type === 'event' && m.event.type === 'start') as Extract<
      FromTrainWorker,
      { type: 'event' }
    >;
    expect(start.event).toMatchObject({ resumed_from: 3 });
    expect(b2.some((m) => m.type === 'adapter')).toBe(true);
    const wa = await adapterBytes(dbA, runOf(a));
    expect(await adapterBytes(dbB, runB)).toEqual(wa);
    store = await openAdapterStore({ name: dbB });
    const run = (await store.get(runB))!;
    expect(run.status).toBe('completed');
    expect(run.step).toBe(4);
    expect(run.loss_curve.map((p) => p.step)).toEqual([1, 2, 3, 4]);
    store.close();
  }, 240_000);

  it('a resume with another model is refused, naming it; the run stays resumable', async () => {
    const db = 'prism-train-refuse';
    const run = runOf(await session(db, null, 2));
    const otherModel = {
      ...files,
      'model.safetensors': new Blob([randomWeights(tm.spec, 'F32', 99) as Uint8Array<ArrayBuffer>]),
    };
    const cases: [Partial<StartTraining>, RegExp][] = [
      [
        { model: { kind: 'local', name: 'tiny', files: otherModel } },
        /another run: model \(config and weights\): [0-9a-f]{12}… → [0-9a-f]{12}…\. Pick the same model/,
      ],
    ];
    for (const [over, message] of cases) {
      const got = await session(db, run, undefined, over);
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
    const ok = await session(db, run);
    expect(ok.find((m) => m.type === 'event' && m.event.type === 'start')).toMatchObject({
      event: { resumed_from: 2 },
    });
    expect(ok.some((m) => m.type === 'adapter')).toBe(true);
  }, 240_000);

  it('a run where every step was skipped (NaN model) ends failed with the reason and saves no adapter', async () => {
    const db = 'prism-train-nan';
    const nanModel = {
      ...files,
      'model.safetensors': new Blob([
        randomWeights(tm.spec, 'F32', 4, ['model.norm.weight']) as Uint8Array<ArrayBuffer>,
      ]),
    };
    const got = await session(db, null, undefined, {
      model: { kind: 'local', name: 'nan', files: nanModel },
      config: { ...config, max_steps: 2 },
    });
    const run = runOf(got);
    expect(got.some((m) => m.type === 'adapter')).toBe(false);
    const err = got.find((m) => m.type === 'error') as Extract<FromTrainWorker, { type: 'error' }>;
    expect(err?.message).toMatch(/^no optimizer step was applied: all 2 steps were skipped \(loss is NaN\)/);
    const store = await openAdapterStore({ name: db });
    expect((await store.get(run))!.status).toBe('failed');
    expect(await store.getAdapter(run)).toBeUndefined();
    store.close();
  }, 240_000);
});

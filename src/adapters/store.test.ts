import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultTrainConfig } from '../train/config.ts';
import { exportAdapter, type LoraTensor } from './peft.ts';
import { importAdapterArchive, makeAdapterZip, runSummary } from './zip.ts';
import { openAdapterStore, StorageQuotaError, StoreError, type AdapterStore } from './store.ts';
import type { RunRecord } from './types.ts';

let dbCount = 0;
let clock = Date.UTC(2026, 10, 28, 6, 0, 0);
const now = () => clock;
const open = (name = `prism-test-${++dbCount}`, extra = {}) =>
  openAdapterStore({ name, now, keepCheckpoints: 2, undoWindowMs: 10_000, ...extra });

function runInit(name: string): Omit<RunRecord, 'id' | 'created' | 'updated'> {
  return {
    name,
    base_model: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    template: 'smollm2',
    loss_policy: 'all_assistant',
    dataset: { name: 'chats.jsonl', sha256: 'ab'.repeat(32), records: 12 },
    hyperparameters: defaultTrainConfig({ model_id: 'HuggingFaceTB/SmolLM2-135M-Instruct', template: 'smollm2' }),
    loss_curve: [],
    step: 0,
    total_steps: 100,
    status: 'running',
    final_loss: null,
  };
}

const bytes = (n: number, fill: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + fill) & 255);

// Simulate the browser refusing a write: IDBObjectStore.put throws QuotaExceededError when `when` says so.
const realPut = IDBObjectStore.prototype.put;
function failPutsWhen(when: (storeName: string, value: unknown) => boolean) {
  IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
    if (when(this.name, value)) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    return realPut.call(this, value, key);
  };
}
afterEach(() => {
  IDBObjectStore.prototype.put = realPut;
});

let store: AdapterStore;
afterEach(() => store?.close());

describe('runs', () => {
  it('creates, lists newest first, renames and updates', async () => {
    store = await open();
    const a = await store.createRun(runInit('first'));
    clock += 1000;
    const b = await store.createRun(runInit('second'));
    expect((await store.list()).map((r) => r.name)).toEqual(['second', 'first']);
    clock += 1000;
    const renamed = await store.rename(a.id, '  Support bot  ');
    expect(renamed.name).toBe('Support bot');
    expect(renamed.updated).toBe(clock);
    expect(renamed.created).toBe(a.created);
    await store.updateRun(b.id, {
      step: 40,
      loss_curve: [
        { step: 20, loss: 1.5 },
        { step: 40, loss: 0.9 },
      ],
    });
    expect((await store.get(b.id))!.loss_curve).toEqual([
      { step: 20, loss: 1.5 },
      { step: 40, loss: 0.9 },
    ]);
    await expect(store.rename(a.id, '   ')).rejects.toThrow(StoreError);
    await expect(store.updateRun('nope', { step: 1 })).rejects.toThrow(/no run nope/);
  });

  it('keeps everything across a close and reopen (a tab reload)', async () => {
    const name = `prism-test-${++dbCount}`;
    store = await open(name);
    const run = await store.createRun(runInit('persist'));
    await store.saveAdapter(
      run.id,
      { safetensors: bytes(100, 1), config: '{"r": 8}' },
      { status: 'completed', final_loss: 0.5 },
    );
    store.close();
    store = await open(name);
    expect((await store.get(run.id))!.status).toBe('completed');
    expect((await store.getAdapter(run.id))!.safetensors).toEqual(bytes(100, 1));
  });
});

describe('delete with undo', () => {
  it('hides the run, undo brings it back, and after the window it is erased with its data', async () => {
    store = await open();
    const run = await store.createRun(runInit('doomed'));
    const keep = await store.createRun(runInit('kept'));
    await store.saveAdapter(run.id, { safetensors: bytes(64, 2), config: '{}' });
    await store.saveCheckpoint({
      runId: run.id,
      step: 5,
      lora: bytes(10, 3),
      optimizer: bytes(20, 4),
      data_position: { epoch: 0, index: 5 },
      rng_state: [1, 2, 3, 4],
    });

    const handle = await store.delete(run.id);
    expect(handle.expiresAt).toBe(clock + 10_000);
    expect(await store.get(run.id)).toBeUndefined();
    expect((await store.list()).map((r) => r.id)).toEqual([keep.id]);
    expect(await handle.undo()).toBe(true);
    expect((await store.get(run.id))!.name).toBe('doomed');
    expect((await store.getAdapter(run.id))!.safetensors).toEqual(bytes(64, 2));

    const again = await store.delete(run.id);
    clock += 9_999;
    expect(await store.purgeDeleted()).toBe(0); // still inside the window
    clock += 2;
    expect((await store.list()).map((r) => r.id)).toEqual([keep.id]); // list() purges
    expect(await again.undo()).toBe(false);
    expect(await store.db.get('weights', run.id)).toBeUndefined();
    expect(await store.checkpointSteps(run.id)).toEqual([]);
    expect(await store.get(keep.id)).toBeDefined();
  });
});

describe('checkpoints', () => {
  it('keeps the newest K, each with weights, optimizer state, data position and RNG state', async () => {
    store = await open();
    const run = await store.createRun(runInit('ckpt'));
    for (const step of [10, 20, 30]) {
      await store.saveCheckpoint({
        runId: run.id,
        step,
        lora: bytes(32, step),
        optimizer: bytes(64, step + 1),
        data_position: { epoch: 1, index: step * 2 },
        rng_state: [step, 7, 8, 9],
      });
    }
    expect(await store.checkpointSteps(run.id)).toEqual([30, 20]);
    const last = (await store.latestCheckpoint(run.id))!;
    expect(last.step).toBe(30);
    expect(last.lora).toEqual(bytes(32, 30));
    expect(last.optimizer).toEqual(bytes(64, 31));
    expect(last.data_position).toEqual({ epoch: 1, index: 60 });
    expect(last.rng_state).toEqual([30, 7, 8, 9]);
    await expect(
      store.saveCheckpoint({
        runId: 'missing',
        step: 1,
        lora: bytes(1, 1),
        optimizer: bytes(1, 1),
        data_position: null,
        rng_state: null,
      }),
    ).rejects.toThrow(StoreError);
  });
});

describe('quota exceeded', () => {
  it('a refused checkpoint throws StorageQuotaError and loses no earlier checkpoint', async () => {
    store = await open(undefined, { estimate: async () => ({ usage: 900_000, quota: 1_000_000 }) });
    const run = await store.createRun(runInit('full disk'));
    await store.saveCheckpoint({
      runId: run.id,
      step: 10,
      lora: bytes(1000, 1),
      optimizer: bytes(2000, 2),
      data_position: { i: 10 },
      rng_state: [1],
    });
    await store.saveCheckpoint({
      runId: run.id,
      step: 20,
      lora: bytes(1000, 3),
      optimizer: bytes(2000, 4),
      data_position: { i: 20 },
      rng_state: [2],
    });
    failPutsWhen((s, v) => s === 'checkpoints' && (v as { step: number }).step === 30);
    const err = await store
      .saveCheckpoint({
        runId: run.id,
        step: 30,
        lora: bytes(50_000, 5),
        optimizer: bytes(100_000, 6),
        data_position: { i: 30 },
        rng_state: [3],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageQuotaError);
    const q = err as StorageQuotaError;
    expect(q.bytesAttempted).toBeGreaterThanOrEqual(150_000);
    expect(q.estimate).toEqual({ usage: 900_000, quota: 1_000_000 });
    expect(q.message).toMatch(
      /storage is full \(using 0\.9 MB of 1\.0 MB\): could not save 0\.1 MB\. Nothing already saved was lost/,
    );
    IDBObjectStore.prototype.put = realPut;
    expect(await store.checkpointSteps(run.id)).toEqual([20, 10]);
    expect((await store.getCheckpoint(run.id, 10))!.optimizer).toEqual(bytes(2000, 2));
    expect((await store.latestCheckpoint(run.id))!.lora).toEqual(bytes(1000, 3));
  });

  it('a refused adapter save rolls back its metadata change in the same transaction', async () => {
    store = await open(undefined, { estimate: async () => ({ usage: 10, quota: 20 }) });
    const run = await store.createRun(runInit('rollback'));
    await store.saveAdapter(run.id, { safetensors: bytes(500, 9), config: '{"r": 8}' }, { status: 'paused', step: 50 });
    // The runs put succeeds, then the weights put is refused: both must roll back.
    failPutsWhen((s) => s === 'weights');
    await expect(
      store.saveAdapter(
        run.id,
        { safetensors: bytes(9000, 1), config: '{"r": 8}' },
        { status: 'completed', step: 100, final_loss: 0.1 },
      ),
    ).rejects.toBeInstanceOf(StorageQuotaError);
    IDBObjectStore.prototype.put = realPut;
    const rec = (await store.get(run.id))!;
    expect(rec.status).toBe('paused');
    expect(rec.step).toBe(50);
    expect(rec.final_loss).toBe(null);
    expect((await store.getAdapter(run.id))!.safetensors).toEqual(bytes(500, 9));
  });

  it('other errors pass through unchanged', async () => {
    store = await open();
    const run = await store.createRun(runInit('x'));
    IDBObjectStore.prototype.put = function () {
      throw new DOMException('cannot clone', 'DataCloneError');
    };
    await expect(store.rename(run.id, 'y')).rejects.toMatchObject({ name: 'DataCloneError' });
  });
});

describe('datasets and the download', () => {
  it('keeps one copy per content, erased with the last run that uses it', async () => {
    store = await open();
    const data = new TextEncoder().encode('{"messages":[{"role":"user","content":"abc"}]}\n');
    const info = await store.saveDataset('chats.jsonl', data);
    // SHA-256 of that line, computed independently (sha256sum).
    expect(info.sha256).toBe('f2bc9b25ccd974a597a2b20e18b015acf1cb268f6eb497da88ce8c0e077864d4');
    expect(await store.saveDataset('copy.jsonl', data)).toEqual({ name: 'copy.jsonl', sha256: info.sha256 });
    const a = await store.createRun({ ...runInit('a'), dataset: info });
    const b = await store.createRun({ ...runInit('b'), dataset: info });
    await store.delete(a.id);
    clock += 20_000;
    await store.purgeDeleted();
    expect((await store.getDataset(info.sha256))!.bytes).toEqual(data);
    await store.delete(b.id);
    clock += 20_000;
    await store.purgeDeleted();
    expect(await store.getDataset(info.sha256)).toBeUndefined();
  });

  it('a stored run downloads as a zip that imports back', async () => {
    store = await open();
    const data = new TextEncoder().encode(
      '{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]}\n',
    );
    const dataset = await store.saveDataset('qa.jsonl', data);
    const cfg = defaultTrainConfig({
      model_id: 'my-org/tiny-qwen',
      template: 'qwen2_5',
      lora: { r: 2, target_modules: ['q_proj'] },
    });
    const run = await store.createRun({
      ...runInit('qa'),
      dataset,
      hyperparameters: cfg,
      template: 'qwen2_5',
      base_model: cfg.model_id,
    });
    const t: LoraTensor = {
      layer: 0,
      module: 'q_proj',
      in_features: 4,
      out_features: 4,
      A: Float32Array.from([1, -2, 3, -4, 5, -6, 7, -8]),
      B: Float32Array.from([0.5, 0.25, -0.5, 1, 2, -1, 0.125, 3]),
    };
    const peft = exportAdapter([t], {
      base_model_name_or_path: cfg.model_id,
      r: 2,
      lora_alpha: 32,
      lora_dropout: 0.05,
      use_rslora: false,
    });
    await store.saveAdapter(
      run.id,
      {
        safetensors: peft.get('adapter_model.safetensors')!,
        config: new TextDecoder().decode(peft.get('adapter_config.json')),
      },
      { status: 'completed', step: 3, final_loss: 0.25, loss_curve: [{ step: 3, loss: 0.25 }] },
    );

    const rec = (await store.get(run.id))!;
    const w = (await store.getAdapter(run.id))!;
    const zip = makeAdapterZip({
      peft: new Map([
        ['adapter_model.safetensors', w.safetensors],
        ['adapter_config.json', new TextEncoder().encode(w.config)],
      ]),
      summary: runSummary(rec),
      datasetBytes: (await store.getDataset(rec.dataset!.sha256))!.bytes,
    });
    const imp = await importAdapterArchive(zip);
    expect(Array.from(imp.tensors[0].B)).toEqual([0.5, 0.25, -0.5, 1, 2, -1, 0.125, 3]);
    // No original file was kept for this run: the zip carries Prism's copy, named as such.
    expect(imp.files.get('dataset/prism-normalized.jsonl')).toEqual(data);
    expect(new TextDecoder().decode(imp.files.get('README.md'))).toContain('| final loss | 0.2500 |');
  });
});

// IndexedDB store (idb) for runs, their adapters and their checkpoints.
//
// Stores: `runs` (RunRecord, metadata only, small: list() never loads weights), `weights`
// (the PEFT files of a run's adapter), `checkpoints` (key [runId, step]: LoRA weights, optimizer
// state, step, data position, RNG state), `datasets` (the training files by SHA-256, shared by
// runs on the same data, for the zip's copy of the dataset; erased with the last run using it).
//
// Every write is one transaction; on failure it is aborted, so a write either lands whole or
// not at all, and nothing saved before is touched. A full disk surfaces as StorageQuotaError.
//
// Delete with undo: delete(id) marks the run with `deleted_at` (it disappears from list() and
// get()) and returns a handle whose undo() brings it back. The run, its weights and its
// checkpoints are erased for good by purgeDeleted() once the undo window (default 10 s) has
// passed; the store calls it on open and on each list(), so tombstones never outlive a session
// by more than one window. The UI confirms before calling delete(); undo is the safety net.
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import { sha256Hex } from './hash.ts';
import type { DatasetInfo, RunRecord } from './types.ts';

export const DEFAULT_DB_NAME = 'prism';
export const DB_VERSION = 1;
export const DEFAULT_UNDO_WINDOW_MS = 10_000;
export const DEFAULT_KEEP_CHECKPOINTS = 2;

export interface AdapterWeights {
  runId: string;
  /** adapter_model.safetensors */
  safetensors: Uint8Array;
  /** adapter_config.json text */
  config: string;
}

/** Everything needed to resume a run exactly where it stopped. */
export interface CheckpointRecord {
  runId: string;
  /** Optimizer steps completed. */
  step: number;
  /** LoRA weights (e.g. safetensors bytes, f32). */
  lora: Uint8Array;
  /** AdamW state (first and second moments, e.g. safetensors bytes). */
  optimizer: Uint8Array;
  /** Where the data loader is: epoch, position in the shuffled order, ... (JSON-serializable). */
  data_position: unknown;
  /** The PRNG state (JSON-serializable, e.g. four uint32 words). */
  rng_state: unknown;
  /** Loss curve and other trainer state to restore (JSON-serializable). */
  trainer_state?: unknown;
  /** The run's identity (src/train/fingerprint.ts), checked before a resume; absent in older records. */
  fingerprint?: unknown;
  created: number;
}

export interface DatasetFile {
  sha256: string;
  name: string;
  bytes: Uint8Array;
}

interface PrismDB extends DBSchema {
  runs: { key: string; value: RunRecord; indexes: { created: number } };
  datasets: { key: string; value: DatasetFile };
  weights: { key: string; value: AdapterWeights };
  checkpoints: { key: [string, number]; value: CheckpointRecord; indexes: { runId: string } };
}

/** The browser refused to store more (IndexedDB quota). Nothing already saved was lost. */
export class StorageQuotaError extends Error {
  override name = 'StorageQuotaError';
  constructor(
    /** Bytes the failed write tried to store. */
    readonly bytesAttempted: number,
    /** navigator.storage.estimate(), when the browser offers it. */
    readonly estimate: { usage?: number; quota?: number } | null,
    override readonly cause?: unknown,
  ) {
    const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
    const est =
      estimate && estimate.quota !== undefined ? ` (using ${mb(estimate.usage ?? 0)} of ${mb(estimate.quota)})` : '';
    super(
      `Browser storage is full${est}: could not save ${mb(bytesAttempted)}. Nothing already saved was lost. Delete ` +
        `old runs or download and remove adapters, then try again.`,
    );
  }
}

export class StoreError extends Error {
  override name = 'StoreError';
}

export interface DeleteHandle {
  id: string;
  /** After this time (ms since the epoch) the run may be erased for good. */
  expiresAt: number;
  /** Bring the run back; false if it was already erased. */
  undo(): Promise<boolean>;
}

export interface StoreOptions {
  /** Database name (tests use a fresh one each). */
  name?: string;
  undoWindowMs?: number;
  /** Checkpoints kept per run (the newest K). */
  keepCheckpoints?: number;
  now?: () => number;
  /** Storage estimate for quota errors; default navigator.storage.estimate when present. */
  estimate?: () => Promise<{ usage?: number; quota?: number }>;
}

function isQuotaError(err: unknown): boolean {
  const e = err as { name?: string; code?: number; inner?: unknown } | null;
  if (!e) return false;
  // Chrome/Firefox/Safari name it QuotaExceededError (legacy code 22); Firefox once used NS_ERROR_DOM_QUOTA_REACHED.
  return e.name === 'QuotaExceededError' || e.code === 22 || e.name === 'NS_ERROR_DOM_QUOTA_REACHED';
}

function bytesIn(v: unknown, seen = new Set<unknown>()): number {
  if (v instanceof Uint8Array || ArrayBuffer.isView(v)) return (v as ArrayBufferView).byteLength;
  if (v instanceof ArrayBuffer) return v.byteLength;
  if (typeof v === 'string') return v.length * 2;
  if (v && typeof v === 'object' && !seen.has(v)) {
    seen.add(v);
    let n = 0;
    for (const x of Object.values(v)) n += bytesIn(x, seen);
    return n;
  }
  return 8;
}

function defaultEstimate(): Promise<{ usage?: number; quota?: number }> | null {
  const storage = (
    globalThis as { navigator?: { storage?: { estimate?: () => Promise<{ usage?: number; quota?: number }> } } }
  ).navigator?.storage;
  return typeof storage?.estimate === 'function' ? storage.estimate() : null;
}

function newId(): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c?.randomUUID) return c.randomUUID();
  return `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

type Tx<S extends StoreNames<PrismDB>[]> = IDBPTransaction<PrismDB, S, 'readwrite'>;

export class AdapterStore {
  readonly undoWindowMs: number;
  readonly keepCheckpoints: number;
  private readonly now: () => number;
  private readonly estimate: () => Promise<{ usage?: number; quota?: number }> | null;

  constructor(
    readonly db: IDBPDatabase<PrismDB>,
    options: StoreOptions = {},
  ) {
    this.undoWindowMs = options.undoWindowMs ?? DEFAULT_UNDO_WINDOW_MS;
    this.keepCheckpoints = options.keepCheckpoints ?? DEFAULT_KEEP_CHECKPOINTS;
    this.now = options.now ?? Date.now;
    this.estimate = options.estimate ?? defaultEstimate;
  }

  /** One all-or-nothing write. `values` are what it stores, to size a quota error. */
  private async write<S extends StoreNames<PrismDB>[]>(
    stores: S,
    values: unknown[],
    body: (tx: Tx<S>) => Promise<void>,
  ): Promise<void> {
    const tx = this.db.transaction(stores, 'readwrite');
    try {
      await body(tx);
      await tx.done;
    } catch (err) {
      try {
        tx.abort();
      } catch {
        /* already finished or aborted */
      }
      await tx.done.catch(() => undefined);
      if (isQuotaError(err) || isQuotaError(tx.error)) {
        let est: { usage?: number; quota?: number } | null = null;
        try {
          est = (await this.estimate()) ?? null;
        } catch {
          est = null;
        }
        throw new StorageQuotaError(
          values.reduce<number>((n, v) => n + bytesIn(v), 0),
          est,
          err,
        );
      }
      throw err;
    }
  }

  /** Create a run record (id, created, updated filled in when absent). */
  async createRun(
    init: Omit<RunRecord, 'id' | 'created' | 'updated'> & Partial<Pick<RunRecord, 'id' | 'created'>>,
  ): Promise<RunRecord> {
    const t = this.now();
    const run: RunRecord = { ...init, id: init.id ?? newId(), created: init.created ?? t, updated: t };
    await this.write(['runs'], [run], async (tx) => {
      if (await tx.objectStore('runs').get(run.id)) throw new StoreError(`a run with id ${run.id} already exists`);
      await tx.objectStore('runs').put(run);
    });
    return run;
  }

  /** Change a run's metadata (step, status, loss curve, ...); returns the new record. */
  async updateRun(id: string, patch: Partial<Omit<RunRecord, 'id' | 'created'>>): Promise<RunRecord> {
    let next: RunRecord | undefined;
    await this.write(['runs'], [patch], async (tx) => {
      const cur = await tx.objectStore('runs').get(id);
      if (!cur || cur.deleted_at !== undefined) throw new StoreError(`no run ${id}`);
      next = { ...cur, ...patch, id, created: cur.created, updated: this.now() };
      await tx.objectStore('runs').put(next);
    });
    return next!;
  }

  async rename(id: string, name: string): Promise<RunRecord> {
    const clean = name.trim();
    if (!clean) throw new StoreError('a name cannot be empty');
    return this.updateRun(id, { name: clean });
  }

  /** A run, unless deleted. */
  async get(id: string): Promise<RunRecord | undefined> {
    const run = await this.db.get('runs', id);
    return run && run.deleted_at === undefined ? run : undefined;
  }

  /** All runs, newest first (runs in the undo window excluded; expired tombstones purged). */
  async list(): Promise<RunRecord[]> {
    await this.purgeDeleted();
    const all = await this.db.getAllFromIndex('runs', 'created');
    return all.filter((r) => r.deleted_at === undefined).reverse();
  }

  /** Save a run's adapter and its metadata patch together (one transaction). */
  async saveAdapter(
    id: string,
    weights: Omit<AdapterWeights, 'runId'>,
    patch: Partial<Omit<RunRecord, 'id' | 'created'>> = {},
  ): Promise<void> {
    const value: AdapterWeights = { runId: id, ...weights };
    await this.write(['runs', 'weights'], [value, patch], async (tx) => {
      const cur = await tx.objectStore('runs').get(id);
      if (!cur || cur.deleted_at !== undefined) throw new StoreError(`no run ${id}`);
      await tx.objectStore('runs').put({ ...cur, ...patch, id, created: cur.created, updated: this.now() });
      await tx.objectStore('weights').put(value);
    });
  }

  async getAdapter(id: string): Promise<AdapterWeights | undefined> {
    if (!(await this.get(id))) return undefined;
    return this.db.get('weights', id);
  }

  /** Hide a run for the undo window; see the file comment. */
  async delete(id: string): Promise<DeleteHandle> {
    const t = this.now();
    await this.write(['runs'], [], async (tx) => {
      const cur = await tx.objectStore('runs').get(id);
      if (!cur || cur.deleted_at !== undefined) throw new StoreError(`no run ${id}`);
      await tx.objectStore('runs').put({ ...cur, deleted_at: t });
    });
    return {
      id,
      expiresAt: t + this.undoWindowMs,
      undo: async () => {
        let restored = false;
        await this.write(['runs'], [], async (tx) => {
          const cur = await tx.objectStore('runs').get(id);
          if (!cur || cur.deleted_at === undefined) return;
          const { deleted_at: _gone, ...rest } = cur;
          await tx.objectStore('runs').put(rest);
          restored = true;
        });
        return restored;
      },
    };
  }

  /** Erase runs deleted longer than the undo window ago, with their weights and checkpoints. Returns how many. */
  async purgeDeleted(): Promise<number> {
    const cutoff = this.now() - this.undoWindowMs;
    let n = 0;
    await this.write(['runs', 'weights', 'checkpoints', 'datasets'], [], async (tx) => {
      const runs = await tx.objectStore('runs').getAll();
      const erased = new Set<string>();
      for (const r of runs) {
        if (r.deleted_at === undefined || r.deleted_at > cutoff) continue;
        await tx.objectStore('runs').delete(r.id);
        await tx.objectStore('weights').delete(r.id);
        const keys = await tx.objectStore('checkpoints').index('runId').getAllKeys(r.id);
        for (const k of keys) await tx.objectStore('checkpoints').delete(k);
        erased.add(r.id);
        n++;
      }
      if (n === 0) return;
      const used = new Set(
        runs
          .filter((r) => !erased.has(r.id) && r.dataset)
          .flatMap((r) => [r.dataset!.sha256, ...(r.dataset!.original ? [r.dataset!.original.sha256] : [])]),
      );
      for (const key of await tx.objectStore('datasets').getAllKeys()) {
        if (!used.has(key)) await tx.objectStore('datasets').delete(key);
      }
    });
    return n;
  }

  /** Keep a copy of a training file (once per content); returns its name and SHA-256 for RunRecord.dataset. */
  async saveDataset(name: string, bytes: Uint8Array): Promise<DatasetInfo> {
    const sha256 = await sha256Hex(bytes);
    const value: DatasetFile = { sha256, name, bytes };
    await this.write(['datasets'], [value], async (tx) => {
      if (!(await tx.objectStore('datasets').getKey(sha256))) await tx.objectStore('datasets').put(value);
    });
    return { name, sha256 };
  }

  async getDataset(sha256: string): Promise<DatasetFile | undefined> {
    return this.db.get('datasets', sha256);
  }

  /** Save a checkpoint and drop all but the newest `keepCheckpoints` of the run, in one transaction. */
  async saveCheckpoint(cp: Omit<CheckpointRecord, 'created'> & { created?: number }): Promise<void> {
    const value: CheckpointRecord = { ...cp, created: cp.created ?? this.now() };
    await this.write(['runs', 'checkpoints'], [value], async (tx) => {
      const run = await tx.objectStore('runs').get(cp.runId);
      if (!run || run.deleted_at !== undefined) throw new StoreError(`no run ${cp.runId}`);
      const store = tx.objectStore('checkpoints');
      await store.put(value);
      const keys = await store.index('runId').getAllKeys(cp.runId);
      const steps = keys.map((k) => k[1]).sort((a, b) => b - a);
      for (const s of steps.slice(this.keepCheckpoints)) await store.delete([cp.runId, s]);
    });
  }

  /** Steps of the run's checkpoints, newest first. */
  async checkpointSteps(runId: string): Promise<number[]> {
    const keys = await this.db.getAllKeysFromIndex('checkpoints', 'runId', runId);
    return keys.map((k) => k[1]).sort((a, b) => b - a);
  }

  async getCheckpoint(runId: string, step: number): Promise<CheckpointRecord | undefined> {
    return this.db.get('checkpoints', [runId, step]);
  }

  /** The newest checkpoint of a run, to resume from. */
  async latestCheckpoint(runId: string): Promise<CheckpointRecord | undefined> {
    const [step] = await this.checkpointSteps(runId);
    return step === undefined ? undefined : this.getCheckpoint(runId, step);
  }

  close(): void {
    this.db.close();
  }
}

/** Open (creating or upgrading) the store. Needs a global `indexedDB` (browser; fake-indexeddb in tests). */
export async function openAdapterStore(options: StoreOptions = {}): Promise<AdapterStore> {
  const db = await openDB<PrismDB>(options.name ?? DEFAULT_DB_NAME, DB_VERSION, {
    upgrade(db) {
      if (!db.objectStoreNames.contains('runs'))
        db.createObjectStore('runs', { keyPath: 'id' }).createIndex('created', 'created');
      if (!db.objectStoreNames.contains('weights')) db.createObjectStore('weights', { keyPath: 'runId' });
      if (!db.objectStoreNames.contains('datasets')) db.createObjectStore('datasets', { keyPath: 'sha256' });
      if (!db.objectStoreNames.contains('checkpoints'))
        db.createObjectStore('checkpoints', { keyPath: ['runId', 'step'] }).createIndex('runId', 'runId');
    },
  });
  const store = new AdapterStore(db, options);
  await store.purgeDeleted();
  return store;
}

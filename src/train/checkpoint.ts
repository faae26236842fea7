// Checkpoints: everything a run needs to continue exactly as if never stopped (LoRA weights,
// AdamW moments and step count, optimizer step, data position, RNG state, loss curve), behind a
// small storage interface. The browser keeps them in IndexedDB (storeCheckpoints over
// src/adapters' AdapterStore); the CLI in files (src/cli/commands/train.ts); tests in memory.
import { toFloat32 } from '../model/safetensors/float.ts';
import { openSafetensors } from '../model/safetensors/reader.ts';
import { writeSafetensors } from '../model/safetensors/writer.ts';
import { bytesSource } from '../model/sources/byte-source.ts';
import type { RunFingerprint } from './fingerprint.ts';
import type { OptimizerState } from './optimizer.ts';

export interface TrainerState {
  /** Optimizer steps completed (including skipped ones). */
  global_step: number;
  /** Skipped steps in a row at this point (NaN/Inf guard). */
  bad_steps: number;
  skipped_total: number;
  loss_curve: { step: number; loss: number; eval_loss?: number; learning_rate: number; grad_norm: number }[];
  tokens_seen: number;
}

/** The same fields as src/adapters' CheckpointRecord, without runId/created. */
export interface TrainCheckpoint {
  step: number;
  /** LoRA weights: safetensors, F32, PEFT keys. */
  lora: Uint8Array;
  /** AdamW state: safetensors, `<key>.exp_avg` / `<key>.exp_avg_sq`, metadata {t}. */
  optimizer: Uint8Array;
  data_position: { micro_batches: number; epoch: number };
  rng_state: { seed: number; data_seed: number; step: number };
  trainer_state: TrainerState;
  /** The run that made it (./fingerprint.ts); absent in checkpoints made before Prism stored one. */
  fingerprint?: RunFingerprint;
}

export interface CheckpointStorage {
  save(cp: TrainCheckpoint): Promise<void>;
  /** The newest checkpoint, if any. */
  latest(): Promise<TrainCheckpoint | undefined>;
}

/** In memory (tests, or a run that only needs pause/resume within one page). */
export class MemoryCheckpoints implements CheckpointStorage {
  readonly saved: TrainCheckpoint[] = [];
  async save(cp: TrainCheckpoint) {
    this.saved.push(structuredClone(cp));
  }
  async latest() {
    return this.saved.length ? structuredClone(this.saved[this.saved.length - 1]) : undefined;
  }
}

/** What the browser store offers (src/adapters/store.ts AdapterStore), structurally. */
export interface CheckpointStoreLike {
  saveCheckpoint(cp: TrainCheckpoint & { runId: string }): Promise<void>;
  latestCheckpoint(runId: string): Promise<
    | (Omit<TrainCheckpoint, 'data_position' | 'rng_state' | 'trainer_state' | 'fingerprint'> & {
        data_position: unknown;
        rng_state: unknown;
        trainer_state?: unknown;
        fingerprint?: unknown;
      })
    | undefined
  >;
}

/** Checkpoints of one run in the IndexedDB adapter store. */
export function storeCheckpoints(store: CheckpointStoreLike, runId: string): CheckpointStorage {
  return {
    save: (cp) => store.saveCheckpoint({ runId, ...cp }),
    async latest() {
      const r = await store.latestCheckpoint(runId);
      if (!r) return undefined;
      return {
        step: r.step,
        lora: r.lora,
        optimizer: r.optimizer,
        data_position: r.data_position as TrainCheckpoint['data_position'],
        rng_state: r.rng_state as TrainCheckpoint['rng_state'],
        trainer_state: r.trainer_state as TrainerState,
        ...(r.fingerprint !== undefined ? { fingerprint: r.fingerprint as RunFingerprint } : {}),
      };
    },
  };
}

export function encodeLora(
  keys: readonly string[],
  shapes: readonly [number, number][],
  values: readonly Float32Array[],
): Uint8Array {
  return writeSafetensors(
    keys.map((k, i) => ({
      name: k,
      dtype: 'F32' as const,
      shape: [...shapes[i]],
      data: new Uint8Array(values[i].buffer, values[i].byteOffset, values[i].byteLength),
    })),
    { format: 'pt' },
  );
}

export function encodeOptimizer(
  keys: readonly string[],
  shapes: readonly [number, number][],
  s: OptimizerState,
): Uint8Array {
  const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const tensors = keys.flatMap((k, i) => [
    { name: `${k}.exp_avg`, dtype: 'F32' as const, shape: [...shapes[i]], data: bytes(s.exp_avg[i]) },
    { name: `${k}.exp_avg_sq`, dtype: 'F32' as const, shape: [...shapes[i]], data: bytes(s.exp_avg_sq[i]) },
  ]);
  return writeSafetensors(tensors, { t: String(s.t) });
}

export async function decodeTensors(
  bytes: Uint8Array,
): Promise<{ tensors: Map<string, Float32Array>; metadata: Record<string, string> }> {
  const f = await openSafetensors(bytesSource(bytes), 'checkpoint');
  const tensors = new Map<string, Float32Array>();
  for await (const t of f.stream()) tensors.set(t.name, toFloat32(t.dtype, t.data));
  const metadata = f.header.metadata ?? {};
  return { tensors, metadata };
}

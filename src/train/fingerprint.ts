// A run's identity, stored with every checkpoint and checked before a resume, so that a
// checkpoint is only ever continued by the run that made it (same data, model and math).
//
// The fingerprint is a flat record, field → value, so a mismatch names each field old → new:
// - `dataset`: SHA-256 of the records exactly as the trainer gets them (token ids, labels and any
//   other per-token field, in order; the line numbers excepted), so it covers the data file,
//   the template, the agent template, the loss scale, the tokenizer, max_length and truncation;
//   `dataset_records` their count, for a readable hint;
// - `model`: SHA-256 of the ModelSpec (every config.json field the math uses) and of every
//   weight tensor's name, dtype, shape and bytes — in full up to 64 KiB, else 16 windows of
//   1 KiB spread over the tensor. Sampling keeps multi-GB models cheap to fingerprint while any
//   other checkpoint (a fine-tune moves every window) still differs; it is a guard against
//   mistakes, not against a file crafted to collide;
// - every TrainConfig field, flattened (`lora.r`, `learning_rate`, ...), found generically so a
//   field added to TrainConfig later is covered without touching this file; only the fields in
//   NOT_IN_FINGERPRINT (when to save, log and evaluate) are left out: they never change weights;
// - whatever the caller adds (the CLI: `data_file`, the SHA-256 of the --data file's bytes).
import { Sha256 } from '../adapters/hash.ts';
import type { ModelSpec } from '../model/types.ts';
import type { TrainConfig } from './config.ts';
import type { TrainRecord } from './data.ts';
import { ResumeRefusal, type FingerprintDifference } from './errors.ts';

export const FINGERPRINT_VERSION = 1;

export type FingerprintValue = string | number | boolean | null;
export type RunFingerprint = Record<string, FingerprintValue>;

/** TrainConfig fields that only decide when a run saves, logs or evaluates: never its weights. */
export const NOT_IN_FINGERPRINT: ReadonlySet<string> = new Set(['save_steps', 'logging_steps', 'eval_steps']);

/** What the opaque fields are, for messages. */
const DESCRIBED: Record<string, string> = {
  dataset: 'dataset (the tokenized records: data, template, tokenizer, max_length)',
  model: 'model (config and weights)',
  data_file: 'data file (its bytes)',
};

/** Every TrainConfig field but NOT_IN_FINGERPRINT, nested objects flattened with dots, lists as JSON. */
export function configFingerprint(config: TrainConfig): RunFingerprint {
  const out: RunFingerprint = {};
  const walk = (prefix: string, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const k of Object.keys(v).sort()) walk(prefix ? `${prefix}.${k}` : k, (v as Record<string, unknown>)[k]);
    } else if (!NOT_IN_FINGERPRINT.has(prefix)) {
      out[prefix] = v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : (v as FingerprintValue);
    }
  };
  walk('', config);
  return out;
}

/** SHA-256 of records as the trainer sees them: every field but `line`, numbers as float64. */
export function recordsDigest(...lists: readonly (readonly TrainRecord[])[]): string {
  const h = new Sha256();
  lists.forEach((records, li) => {
    h.updateText(`list ${li} ${records.length};`);
    for (const r of records) {
      const rec = r as unknown as Record<string, unknown>;
      for (const k of Object.keys(rec).sort()) {
        if (k === 'line') continue;
        const v = rec[k];
        if (v !== null && typeof v === 'object' && typeof (v as ArrayLike<number>).length === 'number') {
          const a = Float64Array.from(v as ArrayLike<number>);
          h.updateText(`${k}[${a.length}]`).update(new Uint8Array(a.buffer));
        } else {
          h.updateText(`${k}=${JSON.stringify(v ?? null)}`);
        }
      }
      h.updateText(';');
    }
  });
  return h.hex();
}

const FULL_BYTES = 64 << 10;
const WINDOWS = 16;
const WINDOW_BYTES = 1 << 10;

/**
 * The model's fingerprint, fed by the weight stream on its way to the GPU: `tee` passes every
 * tensor through unchanged (no extra reads), `hex` is the digest once the stream is consumed.
 */
export class ModelFingerprint {
  private readonly h = new Sha256();
  private tensors = 0;

  constructor(spec: ModelSpec) {
    this.h.updateText(JSON.stringify(spec, Object.keys(spec).sort()));
  }

  async *tee<T extends { name: string; dtype: string; shape: number[]; data: Uint8Array }>(
    stream: AsyncIterable<T>,
  ): AsyncGenerator<T> {
    for await (const t of stream) {
      this.add(t);
      yield t;
    }
  }

  add(t: { name: string; dtype: string; shape: number[]; data: Uint8Array }): void {
    this.tensors++;
    const d = t.data;
    this.h.updateText(`${t.name}|${t.dtype}|${t.shape.join(',')}|${d.length};`);
    if (d.length <= FULL_BYTES) {
      this.h.update(d);
      return;
    }
    for (let i = 0; i < WINDOWS; i++) {
      const at = Math.floor(((d.length - WINDOW_BYTES) * i) / (WINDOWS - 1));
      this.h.update(d.subarray(at, at + WINDOW_BYTES));
    }
  }

  hex(): string {
    if (this.tensors === 0) throw new Error('ModelFingerprint: no tensors went through tee()');
    return this.h.hex();
  }
}

/** The whole fingerprint of a run. `extra` are the caller's fields (model, data_file, ...). */
export function runFingerprint(
  config: TrainConfig,
  records: readonly TrainRecord[],
  evalRecords: readonly TrainRecord[] | undefined,
  extra: RunFingerprint = {},
): RunFingerprint {
  return {
    fingerprint_version: FINGERPRINT_VERSION,
    ...extra,
    dataset: recordsDigest(records, evalRecords ?? []),
    dataset_records: records.length + (evalRecords?.length ?? 0),
    ...configFingerprint(config),
  };
}

/** Fields whose values differ (a field on one side only counts), in the new fingerprint's order. */
export function fingerprintDifferences(old: RunFingerprint, now: RunFingerprint): FingerprintDifference[] {
  const out: FingerprintDifference[] = [];
  const keys = [...Object.keys(now), ...Object.keys(old).filter((k) => !(k in now))];
  for (const k of keys) {
    if (JSON.stringify(old[k]) !== JSON.stringify(now[k])) out.push({ field: k, old: old[k], new: now[k] });
  }
  return out;
}

function show(v: unknown): string {
  if (v === undefined) return '(not recorded)';
  if (typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)) return `${v.slice(0, 12)}…`;
  return JSON.stringify(v);
}

/** `field: old → new` for each difference, joined by '; '. */
export function describeDifferences(diffs: readonly FingerprintDifference[]): string {
  return diffs.map((d) => `${DESCRIBED[d.field] ?? d.field}: ${show(d.old)} → ${show(d.new)}`).join('; ');
}

/**
 * Throws ResumeRefusal unless the checkpoint's fingerprint equals the run's. A checkpoint with
 * none (made before fingerprints) is refused unless `allowUnverified`.
 */
export function verifyResume(
  cp: { step: number; fingerprint?: RunFingerprint },
  now: RunFingerprint,
  allowUnverified = false,
): void {
  if (!cp.fingerprint || typeof cp.fingerprint !== 'object') {
    if (allowUnverified) return;
    throw new ResumeRefusal(
      `the checkpoint at step ${cp.step} has no run fingerprint (an older Prism made it), so it ` +
        `cannot be checked to belong ` +
        'to this run (same data, model and settings)',
      cp.step,
      [],
      true,
    );
  }
  const diffs = fingerprintDifferences(cp.fingerprint, now);
  if (diffs.length) {
    throw new ResumeRefusal(
      `the checkpoint at step ${cp.step} belongs to another run: ${describeDifferences(diffs)}`,
      cp.step,
      diffs,
    );
  }
}

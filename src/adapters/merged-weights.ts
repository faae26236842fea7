// A base model's weights with a LoRA adapter folded in, read in row ranges so that exports (the
// merged Hugging Face folder, GGUF) stream tensor by tensor and never hold the model twice.
//
// The fold is PEFT's merge (peft/tuners/lora/layer.py, Linear.get_delta_weight + merge):
//   W' = W + scale · B · A,  scale = lora_alpha / r, or lora_alpha / √r with use_rslora,
// with W [out, in] (nn.Linear), A [r, in], B [out, r]. PEFT adds the delta in the weight's dtype;
// here W is widened to float32 and the sum is rounded once, to the export's dtype.
import { layerTensors, numel } from '../model/tensors.ts';
import { openModel } from '../model/open.ts';
import type { Checkpoint } from '../model/safetensors/checkpoint.ts';
import { byteLength, type SafetensorsDtype } from '../model/safetensors/dtypes.ts';
import { toFloat32 } from '../model/safetensors/float.ts';
import type { ModelSource, ModelSpec } from '../model/types.ts';
import { expectedTensors } from '../model/tensors.ts';
import { AdapterFormatError, parentOf, type ImportedAdapter, type LoraTensor } from './peft.ts';

export interface WeightInfo {
  name: string;
  shape: number[];
  /** Storage dtype in the base checkpoint. */
  dtype: SafetensorsDtype;
  /** Whether the adapter changes it. */
  merged: boolean;
}

const FLOATS: readonly SafetensorsDtype[] = ['F32', 'F16', 'BF16'];

export function isFloatDtype(d: SafetensorsDtype): d is 'F32' | 'F16' | 'BF16' {
  return FLOATS.includes(d);
}

/** The adapter's scale, as PEFT computes it from adapter_config.json. */
export function adapterScale(adapter: Pick<ImportedAdapter, 'config'>): number {
  const { r, lora_alpha, use_rslora } = adapter.config;
  return use_rslora ? lora_alpha / Math.sqrt(r) : lora_alpha / r;
}

/** The base weight a LoRA tensor adapts (under the checkpoint's own prefix, e.g. Gemma 3's language_model.model.). */
export function targetWeightName(
  spec: Pick<ModelSpec, 'weight_prefix'>,
  t: Pick<LoraTensor, 'layer' | 'module'>,
): string {
  return `${spec.weight_prefix}layers.${t.layer}.${parentOf(t.module)}.${t.module}.weight`;
}

/** Check an adapter against a model's shapes; every message names the tensor and both shapes. */
export function checkAdapterFits(spec: ModelSpec, adapter: ImportedAdapter): void {
  for (const t of adapter.tensors) {
    if (t.layer >= spec.num_hidden_layers) {
      throw new AdapterFormatError(
        `the adapter has ${t.module} for layer ${t.layer}, but the base model has ${spec.num_hidden_layers} layers`,
      );
    }
    const name = targetWeightName(spec, t);
    const want = layerTensors(spec, t.layer).find((w) => w.name === name);
    if (!want) throw new AdapterFormatError(`the base model has no ${name} for the adapter's ${t.module}`);
    const [out, inF] = want.shape;
    if (t.out_features !== out || t.in_features !== inF) {
      throw new AdapterFormatError(
        `the adapter's ${t.module} (layer ${t.layer}) is ${t.in_features}→${t.out_features}, but the base ` +
          `model's ${name} is ${inF}→${out} ` +
          '(was the adapter trained on another model?)',
      );
    }
  }
}

/**
 * Add scale·B[rows]·A to `w`, which holds rows [row0, row0 + n) of the weight (row-major [n, in]).
 * The dot product over r runs in float64 (JavaScript numbers) and the sum is rounded once to float32.
 */
export function addLoraRows(w: Float32Array, t: LoraTensor, r: number, scale: number, row0: number): void {
  const inF = t.in_features;
  const n = w.length / inF;
  const { A, B } = t;
  const delta = new Float64Array(inF);
  for (let i = 0; i < n; i++) {
    const row = row0 + i;
    delta.fill(0);
    for (let k = 0; k < r; k++) {
      const c = scale * B[row * r + k];
      const a = k * inF;
      for (let j = 0; j < inF; j++) delta[j] += c * A[a + j];
    }
    const base = i * inF;
    for (let j = 0; j < inF; j++) w[base + j] += delta[j];
  }
}

/** A model folder's weights, optionally with an adapter merged, readable by rows. */
export interface MergedWeights {
  spec: ModelSpec;
  checkpoint: Checkpoint;
  /** Every tensor of the checkpoint, in transformers' registration order (then any extras). */
  tensors: WeightInfo[];
  adapter: ImportedAdapter | null;
  /** Rows [r0, r1) of a tensor (first dimension) as float32, with the adapter folded in. */
  rows(name: string, r0: number, r1: number): Promise<Float32Array>;
  /** The tensor's stored bytes, in parts of at most `chunkBytes` (no adapter applied). */
  raw(name: string, chunkBytes?: number): AsyncGenerator<Uint8Array>;
  /** Rows per part so that a part of float32 values is about `bytes` large (at least 1). */
  rowsPerChunk(name: string, bytes?: number): number;
}

export const DEFAULT_CHUNK_BYTES = 16 << 20;

/** Open a model (and check the adapter against it). */
export async function openMergedWeights(source: ModelSource, adapter: ImportedAdapter | null): Promise<MergedWeights> {
  const { spec, checkpoint } = await openModel(source);
  if (adapter) checkAdapterFits(spec, adapter);
  const byTarget = new Map<string, LoraTensor>();
  for (const t of adapter?.tensors ?? []) byTarget.set(targetWeightName(spec, t), t);
  const scale = adapter ? adapterScale(adapter) : 0;
  const r = adapter?.config.r ?? 0;

  const order = expectedTensors(spec)
    .map((t) => t.name)
    .filter((n) => checkpoint.tensors.has(n));
  const known = new Set(order);
  for (const n of checkpoint.tensors.keys()) {
    // Rotary inverse frequencies are a non-persistent buffer transformers recomputes; never saved by save_pretrained.
    if (!known.has(n) && !n.endsWith('rotary_emb.inv_freq')) order.push(n);
  }
  const tensors: WeightInfo[] = order.map((name) => {
    const e = checkpoint.tensors.get(name)!.entry;
    return { name, shape: [...e.shape], dtype: e.dtype, merged: byTarget.has(name) };
  });
  const info = new Map(tensors.map((t) => [t.name, t]));
  const get = (name: string) => {
    const t = info.get(name);
    if (!t) throw new AdapterFormatError(`no tensor "${name}" in ${source.label}`);
    return t;
  };
  const rowElems = (t: WeightInfo) => (t.shape.length === 0 ? 1 : numel(t.shape.slice(1)));
  const rowCount = (t: WeightInfo) => (t.shape.length === 0 ? 1 : t.shape[0]);

  return {
    spec,
    checkpoint,
    tensors,
    adapter,
    rowsPerChunk(name, bytes = DEFAULT_CHUNK_BYTES) {
      const t = get(name);
      return Math.max(1, Math.min(rowCount(t), Math.floor(bytes / (4 * rowElems(t)))));
    },
    async rows(name, r0, r1) {
      const t = get(name);
      if (!isFloatDtype(t.dtype)) throw new AdapterFormatError(`tensor "${name}" is ${t.dtype}, not a float tensor`);
      const per = rowElems(t);
      const rowBytes = byteLength(t.dtype, per)!;
      if (!(r0 >= 0 && r1 <= rowCount(t) && r0 <= r1))
        throw new RangeError(`rows [${r0}, ${r1}) of "${name}" with ${rowCount(t)} rows`);
      const bytes = await checkpoint.readPart(name, r0 * rowBytes, (r1 - r0) * rowBytes);
      const w = toFloat32(t.dtype, bytes);
      const lora = byTarget.get(name);
      if (lora) addLoraRows(w, lora, r, scale, r0);
      return w;
    },
    async *raw(name, chunkBytes = DEFAULT_CHUNK_BYTES) {
      const t = get(name);
      const size = byteLength(t.dtype, numel(t.shape))!;
      const rowBytes = byteLength(t.dtype, rowElems(t)) ?? size;
      const step = Math.max(rowBytes, Math.floor(chunkBytes / rowBytes) * rowBytes);
      for (let at = 0; at < size; at += step) yield await checkpoint.readPart(name, at, Math.min(step, size - at));
    },
  };
}

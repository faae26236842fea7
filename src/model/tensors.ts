// The tensors a checkpoint of a spec must hold, named and shaped as transformers' modules
// name them (nn.Linear weights are [out_features, in_features]).
import { layerTensorNames, modelTensorNames } from './layout.ts';
import type { ModelSpec, TensorSpec } from './types.ts';

/** Every weight of one decoder layer, in the order transformers registers them. */
export function layerTensors(spec: ModelSpec, i: number): TensorSpec[] {
  const h = spec.hidden_size;
  const I = spec.intermediate_size;
  const q = spec.num_attention_heads * spec.head_dim;
  const kv = spec.num_key_value_heads * spec.head_dim;
  const n = layerTensorNames(spec, i);
  const out: TensorSpec[] = [];
  const add = (name: string | undefined, shape: number[]) => {
    if (name) out.push({ name, shape });
  };
  add(n.q, [q, h]);
  add(n.k, [kv, h]);
  add(n.v, [kv, h]);
  add(n.qkv, [q + 2 * kv, h]);
  add(n.o, [h, q]);
  add(n.qBias, [q]);
  add(n.kBias, [kv]);
  add(n.vBias, [kv]);
  add(n.oBias, [h]);
  add(n.qNorm, [spec.head_dim]);
  add(n.kNorm, [spec.head_dim]);
  add(n.gate, [I, h]);
  add(n.up, [I, h]);
  add(n.gateUp, [2 * I, h]);
  add(n.down, [h, I]);
  add(n.inputNorm, [h]);
  add(n.postAttnNorm, [h]);
  add(n.mlpNorm, [h]);
  add(n.postMlpNorm, [h]);
  return out;
}

/** All tensors of the checkpoint's decoder; the LM head only when embeddings are not tied. */
export function expectedTensors(spec: ModelSpec): TensorSpec[] {
  const names = modelTensorNames(spec);
  const out: TensorSpec[] = [{ name: names.embed, shape: [spec.vocab_size, spec.hidden_size] }];
  for (let i = 0; i < spec.num_hidden_layers; i++) out.push(...layerTensors(spec, i));
  out.push({ name: names.norm, shape: [spec.hidden_size] });
  if (!spec.tie_word_embeddings) out.push({ name: names.lmHead, shape: [spec.vocab_size, spec.hidden_size] });
  return out;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Parameter count as the Hub reports it (tied embeddings counted once). */
export function paramCount(spec: ModelSpec): number {
  return expectedTensors(spec).reduce((n, t) => n + numel(t.shape), 0);
}

/** One size config.json gives that the checkpoint's own tensors contradict. */
export interface SizeMismatch {
  field: string;
  config: number;
  checkpoint: number;
  /** Where the checkpoint's number comes from (a tensor and its shape, or the layers found). */
  evidence: string;
}

/** The decoder layers a checkpoint has tensors for (`<prefix>layers.N.…`), by index. */
export function checkpointLayers(found: ReadonlyMap<string, readonly number[]>, weightPrefix: string): number[] {
  const re = new RegExp(`^${weightPrefix.replace(/\./g, '\\.')}layers\\.(\\d+)\\.`);
  const layers = new Set<number>();
  for (const name of found.keys()) {
    const m = re.exec(name);
    if (m) layers.add(Number(m[1]));
  }
  return [...layers].sort((a, b) => a - b);
}

/** config.json's layer count against the layers the checkpoint has tensors for (null when they agree). */
export function checkLayerCount(
  declared: number,
  found: ReadonlyMap<string, readonly number[]>,
  weightPrefix: string,
): SizeMismatch | null {
  const layers = checkpointLayers(found, weightPrefix);
  if (layers.length === declared) return null;
  const where =
    layers.length === 0
      ? `no ${weightPrefix}layers.* tensors`
      : `${weightPrefix}layers.${layers[0]}–${layers[layers.length - 1]}`;
  return { field: 'num_hidden_layers', config: declared, checkpoint: layers.length, evidence: where };
}

/**
 * config.json's sizes against the checkpoint's tensor list, in time linear in that list and
 * never in the config's numbers: `num_hidden_layers: 1e6` (or a huge hidden or vocabulary size)
 * must be refused before anything of that size is built (expectedTensors, a memory plan, GPU
 * buffers). Each size is read off the tensors that carry it; a tensor that is missing is left to
 * checkTensors, which then only walks as many layers as the checkpoint has.
 */
export function checkConfigSizes(spec: ModelSpec, found: ReadonlyMap<string, readonly number[]>): SizeMismatch[] {
  const out: SizeMismatch[] = [];
  const layers = checkLayerCount(spec.num_hidden_layers, found, spec.weight_prefix);
  if (layers) out.push(layers);
  const dim = (name: string | undefined, axis: number, field: string, config: number) => {
    const shape = name === undefined ? undefined : found.get(name);
    if (shape && shape.length === 2 && shape[axis] !== config) {
      out.push({ field, config, checkpoint: shape[axis], evidence: `${name} [${shape}]` });
    }
  };
  const { embed } = modelTensorNames(spec);
  dim(embed, 0, 'vocab_size', spec.vocab_size);
  dim(embed, 1, 'hidden_size', spec.hidden_size);
  const first = checkpointLayers(found, spec.weight_prefix)[0] ?? 0;
  const n = layerTensorNames(spec, first);
  const q = spec.num_attention_heads * spec.head_dim;
  const kv = spec.num_key_value_heads * spec.head_dim;
  dim(n.gate, 0, 'intermediate_size', spec.intermediate_size);
  dim(n.gateUp, 0, '2 × intermediate_size', 2 * spec.intermediate_size);
  dim(n.q, 0, 'num_attention_heads × head_dim', q);
  dim(n.k, 0, 'num_key_value_heads × head_dim', kv);
  dim(n.qkv, 0, '(num_attention_heads + 2 × num_key_value_heads) × head_dim', q + 2 * kv);
  return out;
}

/**
 * Compare what a checkpoint holds with what the spec needs. A checkpoint with tied embeddings
 * may still carry a copy of `lm_head.weight` (some exporters write it); that is not an error.
 */
export function checkTensors(
  spec: ModelSpec,
  found: ReadonlyMap<string, readonly number[]>,
): { missing: string[]; wrongShape: { name: string; expected: number[]; found: number[] }[]; unexpected: string[] } {
  const want = expectedTensors(spec);
  const wantNames = new Set(want.map((t) => t.name));
  const missing: string[] = [];
  const wrongShape: { name: string; expected: number[]; found: number[] }[] = [];
  for (const t of want) {
    const s = found.get(t.name);
    if (!s) missing.push(t.name);
    else if (s.length !== t.shape.length || s.some((d, i) => d !== t.shape[i])) {
      wrongShape.push({ name: t.name, expected: t.shape, found: [...s] });
    }
  }
  const headName = modelTensorNames({ ...spec, tie_word_embeddings: false }).lmHead;
  const unexpected = [...found.keys()].filter(
    (n) => !wantNames.has(n) && !(n === headName && spec.tie_word_embeddings) && !n.endsWith('rotary_emb.inv_freq'),
  );
  return { missing, wrongShape, unexpected };
}

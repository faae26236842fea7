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

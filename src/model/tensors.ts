// The tensors a checkpoint of a spec must hold, named and shaped as transformers' modules
// name them (nn.Linear weights are [out_features, in_features]).
import type { ModelSpec, TensorSpec } from './types.ts';

/** Every weight of one decoder layer, in the order transformers registers them. */
export function layerTensors(spec: ModelSpec, i: number): TensorSpec[] {
  const h = spec.hidden_size;
  const q = spec.num_attention_heads * spec.head_dim;
  const kv = spec.num_key_value_heads * spec.head_dim;
  const p = `model.layers.${i}`;
  const out: TensorSpec[] = [
    { name: `${p}.self_attn.q_proj.weight`, shape: [q, h] },
    { name: `${p}.self_attn.k_proj.weight`, shape: [kv, h] },
    { name: `${p}.self_attn.v_proj.weight`, shape: [kv, h] },
    { name: `${p}.self_attn.o_proj.weight`, shape: [h, q] },
  ];
  if (spec.attention_bias) {
    out.push(
      { name: `${p}.self_attn.q_proj.bias`, shape: [q] },
      { name: `${p}.self_attn.k_proj.bias`, shape: [kv] },
      { name: `${p}.self_attn.v_proj.bias`, shape: [kv] },
    );
  }
  if (spec.o_proj_bias) out.push({ name: `${p}.self_attn.o_proj.bias`, shape: [h] });
  if (spec.qk_norm) {
    out.push(
      { name: `${p}.self_attn.q_norm.weight`, shape: [spec.head_dim] },
      { name: `${p}.self_attn.k_norm.weight`, shape: [spec.head_dim] },
    );
  }
  out.push(
    { name: `${p}.mlp.gate_proj.weight`, shape: [spec.intermediate_size, h] },
    { name: `${p}.mlp.up_proj.weight`, shape: [spec.intermediate_size, h] },
    { name: `${p}.mlp.down_proj.weight`, shape: [h, spec.intermediate_size] },
    { name: `${p}.input_layernorm.weight`, shape: [h] },
    { name: `${p}.post_attention_layernorm.weight`, shape: [h] },
  );
  return out;
}

/** All tensors of the checkpoint; `lm_head.weight` only when embeddings are not tied. */
export function expectedTensors(spec: ModelSpec): TensorSpec[] {
  const out: TensorSpec[] = [{ name: 'model.embed_tokens.weight', shape: [spec.vocab_size, spec.hidden_size] }];
  for (let i = 0; i < spec.num_hidden_layers; i++) out.push(...layerTensors(spec, i));
  out.push({ name: 'model.norm.weight', shape: [spec.hidden_size] });
  if (!spec.tie_word_embeddings) out.push({ name: 'lm_head.weight', shape: [spec.vocab_size, spec.hidden_size] });
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
  const unexpected = [...found.keys()].filter(
    (n) => !wantNames.has(n) && !(n === 'lm_head.weight' && spec.tie_word_embeddings) && !n.endsWith('rotary_emb.inv_freq'),
  );
  return { missing, wrongShape, unexpected };
}

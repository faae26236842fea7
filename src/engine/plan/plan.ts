// The memory plan of one LoRA training step, laid out before anything runs (llm.c style):
// every weight, LoRA tensor, saved activation and scratch buffer, its shape and bytes, so the
// app can tell the user what fits on their GPU and the decoder can allocate each buffer once.
import { BYTES, type DType } from '../tensor/dtype.ts';
import type { Arch, ModelSpec } from '../../model/types.ts';
import { linearLayouts, TARGET_MODULES, type TargetModule } from '../../model/layout.ts';

export interface ModelShape {
  hidden: number;
  intermediate: number;
  layers: number;
  heads: number;
  kv_heads: number;
  head_dim: number;
  vocab: number;
  /** lm_head shares the embedding matrix. */
  tied: boolean;
  /** Checkpoint dtype of the frozen matrices. */
  dtype: DType;
  /** Qwen2: biases on q/k/v. */
  qkv_bias?: boolean;
  /** Qwen3, Gemma 3: RMSNorm on each q/k head. */
  qk_norm?: boolean;
  /** Module names and fused projections (Phi-3, InternLM2); default llama's. */
  arch?: Arch;
  /** Dims of each head RoPE rotates (Phi-3's partial rotary); default head_dim. */
  rotary_dim?: number;
  /** Distinct RoPE tables (Gemma 3: a global and a local one); default 1. */
  rope_tables?: number;
  /** Gemma 2/3: RMSNorm on the attention and MLP outputs as well. */
  sandwich_norms?: boolean;
}

/** Every module name LoRA can target (an architecture uses its own subset: model/layout.ts). */
export const LORA_TARGETS = TARGET_MODULES;
export type LoraTarget = TargetModule;

export interface TrainShape {
  batch: number;
  seq_len: number;
  lora: { r: number; targets: readonly LoraTarget[]; dropout?: number };
  /** Keep only each layer's input and recompute the rest during backward. */
  recompute: boolean;
  /** Vocabulary rows per chunk of the fused LM head / cross entropy (default 8192). */
  vocab_chunk?: number;
}

export type Category = 'weights' | 'lora_params' | 'lora_grads' | 'optimizer' | 'activations' | 'scratch';
export const CATEGORIES: Category[] = ['weights', 'lora_params', 'lora_grads', 'optimizer', 'activations', 'scratch'];

export interface PlannedBuffer {
  name: string;
  category: Category;
  shape: number[];
  dtype: DType | 'u32' | 'i32';
  bytes: number;
}

export interface MemoryPlan {
  model: ModelShape;
  train: TrainShape;
  /** Tokens per step (batch × seq_len). */
  tokens: number;
  buffers: PlannedBuffer[];
  bytes: Record<Category, number>;
  total: number;
}

/** The plan's view of a spec (matrix dtype from the embedding tensor). */
export function modelShape(spec: ModelSpec, dtype: DType): ModelShape {
  return {
    hidden: spec.hidden_size,
    intermediate: spec.intermediate_size,
    layers: spec.num_hidden_layers,
    heads: spec.num_attention_heads,
    kv_heads: spec.num_key_value_heads,
    head_dim: spec.head_dim,
    vocab: spec.vocab_size,
    tied: spec.tie_word_embeddings,
    dtype,
    qkv_bias: spec.attention_bias,
    qk_norm: spec.qk_norm,
    arch: spec.arch,
    rotary_dim: spec.rotary_dim,
    rope_tables: spec.rope_local_theta !== null ? 2 : 1,
    sandwich_norms: spec.sandwich_norms,
  };
}

/** in/out features of each projection: [out, in]. */
export function projShapes(m: ModelShape): Record<LoraTarget, [number, number]> {
  const q = m.heads * m.head_dim;
  const kv = m.kv_heads * m.head_dim;
  const D = m.hidden;
  const I = m.intermediate;
  return {
    q_proj: [q, D], k_proj: [kv, D], v_proj: [kv, D], o_proj: [D, q],
    gate_proj: [I, D], up_proj: [I, D], down_proj: [D, I],
    qkv_proj: [q + 2 * kv, D], gate_up_proj: [2 * I, D],
    wqkv: [q + 2 * kv, D], wo: [D, q], w1: [I, D], w3: [I, D], w2: [D, I],
  };
}

/** Columns of the widest fused projection output (0 when the architecture fuses none). */
export function fusedWidth(m: ModelShape): number {
  const shapes = projShapes(m);
  let w = 0;
  for (const l of linearLayouts(m.arch ?? 'llama')) if (l.role === 'qkv' || l.role === 'gate_up') w = Math.max(w, shapes[l.name][0]);
  return w;
}

const elemBytes = (dtype: PlannedBuffer['dtype']) => (dtype === 'u32' || dtype === 'i32' ? 4 : BYTES[dtype]);

export function planMemory(model: ModelShape, train: TrainShape): MemoryPlan {
  const buffers: PlannedBuffer[] = [];
  const add = (name: string, category: Category, shape: number[], dtype: PlannedBuffer['dtype'] = 'f32') => {
    const n = shape.reduce((a, b) => a * b, 1);
    // Buffers are 4-byte aligned (16-bit tensors hold two values per u32).
    buffers.push({ name, category, shape, dtype, bytes: Math.ceil((n * elemBytes(dtype)) / 4) * 4 });
  };
  const m = model;
  const T = train.batch * train.seq_len;
  const D = m.hidden;
  const I = m.intermediate;
  const q = m.heads * m.head_dim;
  const kv = m.kv_heads * m.head_dim;
  const shapes = projShapes(m);
  const r = train.lora.r;
  const targets = train.lora.targets;

  // Frozen weights, checkpoint dtype; norms and biases f32.
  add('model.embed_tokens.weight', 'weights', [m.vocab, D], m.dtype);
  for (let l = 0; l < m.layers; l++) {
    const p = `model.layers.${l}`;
    for (const lin of linearLayouts(m.arch ?? 'llama')) add(`${p}.${lin.parent}.${lin.name}.weight`, 'weights', shapes[lin.name], m.dtype);
    if (m.qkv_bias) {
      add(`${p}.self_attn.q_proj.bias`, 'weights', [q]);
      add(`${p}.self_attn.k_proj.bias`, 'weights', [kv]);
      add(`${p}.self_attn.v_proj.bias`, 'weights', [kv]);
    }
    if (m.qk_norm) {
      add(`${p}.self_attn.q_norm.weight`, 'weights', [m.head_dim]);
      add(`${p}.self_attn.k_norm.weight`, 'weights', [m.head_dim]);
    }
    add(`${p}.input_layernorm.weight`, 'weights', [D]);
    add(`${p}.post_attention_layernorm.weight`, 'weights', [D]);
    if (m.sandwich_norms) {
      add(`${p}.pre_feedforward_layernorm.weight`, 'weights', [D]);
      add(`${p}.post_feedforward_layernorm.weight`, 'weights', [D]);
    }
  }
  add('model.norm.weight', 'weights', [D]);
  if (!m.tied) add('lm_head.weight', 'weights', [m.vocab, D], m.dtype);

  // LoRA A [r, in] and B [out, r], their gradients, AdamW's m and v.
  for (let l = 0; l < m.layers; l++) {
    for (const t of targets) {
      const [out, inF] = shapes[t];
      const p = `layers.${l}.${t}`;
      add(`${p}.lora_A`, 'lora_params', [r, inF]);
      add(`${p}.lora_B`, 'lora_params', [out, r]);
      add(`${p}.lora_A.grad`, 'lora_grads', [r, inF]);
      add(`${p}.lora_B.grad`, 'lora_grads', [out, r]);
      for (const s of ['exp_avg', 'exp_avg_sq']) {
        add(`${p}.lora_A.${s}`, 'optimizer', [r, inF]);
        add(`${p}.lora_B.${s}`, 'optimizer', [out, r]);
      }
    }
  }

  // Inputs of the step.
  add('input_ids', 'activations', [T], 'u32');
  add('labels', 'activations', [T], 'i32');
  add('loss.weights', 'activations', [T]);
  add('seq_ids', 'activations', [T], 'u32');
  const rot = m.rotary_dim ?? m.head_dim;
  add('rope.cos', 'activations', [T, rot / 2]);
  add('rope.sin', 'activations', [T, rot / 2]);
  if ((m.rope_tables ?? 1) > 1) {
    add('rope_local.cos', 'activations', [T, rot / 2]);
    add('rope_local.sin', 'activations', [T, rot / 2]);
  }

  // What one layer's backward needs from its forward.
  const layerActs = (prefix: string, category: Category) => {
    add(`${prefix}.ln1`, category, [T, D]);
    add(`${prefix}.rstd1`, category, [T]);
    if (m.qk_norm) {
      add(`${prefix}.q_pre_norm`, category, [T, q]);
      add(`${prefix}.k_pre_norm`, category, [T, kv]);
      add(`${prefix}.q_rstd`, category, [T * m.heads]);
      add(`${prefix}.k_rstd`, category, [T * m.kv_heads]);
    }
    add(`${prefix}.q`, category, [T, q]);
    add(`${prefix}.k`, category, [T, kv]);
    add(`${prefix}.v`, category, [T, kv]);
    add(`${prefix}.attn_lse`, category, [m.heads, T]);
    add(`${prefix}.attn_out`, category, [T, q]);
    if (m.sandwich_norms) {
      add(`${prefix}.o_out`, category, [T, D]);
      add(`${prefix}.post_attn_rstd`, category, [T]);
    }
    add(`${prefix}.residual_mid`, category, [T, D]);
    add(`${prefix}.ln2`, category, [T, D]);
    add(`${prefix}.rstd2`, category, [T]);
    add(`${prefix}.gate`, category, [T, I]);
    add(`${prefix}.up`, category, [T, I]);
    add(`${prefix}.act`, category, [T, I]);
    if (m.sandwich_norms) {
      add(`${prefix}.down_out`, category, [T, D]);
      add(`${prefix}.post_mlp_rstd`, category, [T]);
    }
    for (const t of targets) add(`${prefix}.${t}.lora_h`, category, [T, r]);
  };
  // Residual stream entering each layer, and the final one.
  for (let l = 0; l <= m.layers; l++) add(`residual.${l}`, 'activations', [T, D]);
  if (train.recompute) layerActs('recompute', 'scratch');
  else for (let l = 0; l < m.layers; l++) layerActs(`layers.${l}`, 'activations');
  add('final_norm.out', 'activations', [T, D]);
  add('final_norm.rstd', 'activations', [T]);
  add('loss.per_token', 'activations', [T]);
  add('loss.lse', 'activations', [T]);

  // Scratch shared by all layers' backward (and the LM head chunks).
  const vc = Math.min(m.vocab, train.vocab_chunk ?? 8192);
  add('lm_head.logits_chunk', 'scratch', [T, vc]);
  add('grad.residual', 'scratch', [T, D]);
  add('grad.ln', 'scratch', [T, D]);
  add('grad.q', 'scratch', [T, q]);
  add('grad.k', 'scratch', [T, kv]);
  add('grad.v', 'scratch', [T, kv]);
  add('grad.attn_out', 'scratch', [T, q]);
  add('grad.gate', 'scratch', [T, I]);
  add('grad.up', 'scratch', [T, I]);
  add('grad.act', 'scratch', [T, I]);
  // A fused projection's whole output, forward, and its gradient, backward (one at a time).
  const fw = fusedWidth(m);
  if (fw > 0) add('fused.out', 'scratch', [T, fw]);
  if (targets.length) add('grad.lora_h', 'scratch', [T, r]);
  if (targets.length && (train.lora.dropout ?? 0) > 0) {
    const widest = Math.max(...targets.map((t) => shapes[t][1]));
    add('lora.dropout_x', 'scratch', [T, widest]);
  }
  add('grad_norm.partials', 'scratch', [Math.max(1, 64 * (buffers.filter((b) => b.category === 'lora_grads').length))]);
  add('grad_norm.out', 'scratch', [2]);

  const bytes = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
  for (const b of buffers) bytes[b.category] += b.bytes;
  const total = CATEGORIES.reduce((s, c) => s + bytes[c], 0);
  return { model, train, tokens: T, buffers, bytes, total };
}

export interface FitLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

export type FitResult = { ok: true } | { ok: false; reason: string };

/**
 * Whether the plan can run: every buffer fits one binding (weights may be split by rows, so for
 * them only a single row must fit), and the total fits `budgetBytes` when given (the GPU memory
 * the app may use; browsers do not report it, so the caller estimates it).
 */
export function fits(plan: MemoryPlan, limits: FitLimits, budgetBytes?: number): FitResult {
  const bind = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  for (const b of plan.buffers) {
    if (b.bytes <= bind) continue;
    const splittable = b.category === 'weights' && b.shape.length === 2;
    const rowBytes = splittable ? b.shape[1] * elemBytes(b.dtype) : b.bytes;
    if (!splittable || rowBytes > bind) {
      return {
        ok: false,
        reason: `${b.name} [${b.shape.join(', ')}] needs ${fmt(b.bytes)} in one buffer but the GPU binds at most ${fmt(bind)}: lower the batch or sequence length`,
      };
    }
  }
  if (budgetBytes !== undefined && plan.total > budgetBytes) {
    const worst = CATEGORIES.slice().sort((a, b) => plan.bytes[b] - plan.bytes[a])[0];
    return {
      ok: false,
      reason: `the step needs ${fmt(plan.total)} but only ${fmt(budgetBytes)} is available (largest share: ${worst}, ${fmt(plan.bytes[worst])})` +
        (plan.train.recompute ? '' : '; turning on recomputation cuts saved activations'),
    };
  }
  return { ok: true };
}

export function fmt(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  if (bytes >= 2 ** 10) return `${(bytes / 2 ** 10).toFixed(1)} KiB`;
  return `${bytes} B`;
}

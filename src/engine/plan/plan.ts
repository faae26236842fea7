// The memory plans, laid out before anything runs (llm.c style): every weight, LoRA tensor,
// saved activation and scratch buffer of one LoRA training step (planMemory) or of a KV-cache
// decoder (planDecoding), its shape and bytes, so the app can tell the user what fits on their
// GPU, and as a typed record (./tensors.ts) both decoders allocate from, each buffer once.
import { BYTES, type DType } from '../tensor/dtype.ts';
import type { Arch, ModelSpec } from '../../model/types.ts';
import { layoutOf, linearLayouts, type ProjRole, type TargetModule } from '../../model/layout.ts';
import {
  CATEGORIES,
  type Category,
  type DecodeTensors,
  type LayerActivations,
  LORA_INPUTS,
  type LoraArena,
  type LoraInput,
  type LoraLayers,
  type LoraTensors,
  type PlannedBuffer,
  type PlannedSlice,
  type StepInputs,
  type TrainTensors,
} from './tensors.ts';

export { CATEGORIES, type Category, type PlannedBuffer } from './tensors.ts';
import { gradNormSlots } from '../kernels/grad_norm_layout.ts';

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

export interface TrainShape {
  batch: number;
  seq_len: number;
  lora: { r: number; targets: readonly TargetModule[]; dropout?: number };
  /** Keep only each layer's input and recompute the rest during backward. */
  recompute: boolean;
  /** Vocabulary rows per chunk of the fused LM head / cross entropy (default 8192). */
  vocab_chunk?: number;
}

/** What a KV-cache decoder holds: the cache capacity (prompt plus generated tokens) and its LoRA. */
export interface DecodeShape {
  max_tokens: number;
  lora: { r: number; targets: readonly TargetModule[] };
}

interface PlanBase<T> {
  model: ModelShape;
  /** Rows the activations hold (training: batch × seq_len; decoding: max_tokens). */
  tokens: number;
  /** Every buffer, in plan order (what the app lists and fits() checks). */
  buffers: PlannedBuffer[];
  /** The same buffers as a typed record (each object appears once in `buffers`). */
  tensors: T;
  bytes: Record<Category, number>;
  total: number;
}

/** A training step's plan. */
export interface MemoryPlan extends PlanBase<TrainTensors> {
  train: TrainShape;
}

/** A KV-cache decoder's plan. */
export interface DecodePlan extends PlanBase<DecodeTensors> {
  decode: DecodeShape;
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
export function projShapes(m: ModelShape): Record<TargetModule, [number, number]> {
  const q = m.heads * m.head_dim;
  const kv = m.kv_heads * m.head_dim;
  const D = m.hidden;
  const I = m.intermediate;
  return {
    q_proj: [q, D],
    k_proj: [kv, D],
    v_proj: [kv, D],
    o_proj: [D, q],
    gate_proj: [I, D],
    up_proj: [I, D],
    down_proj: [D, I],
    qkv_proj: [q + 2 * kv, D],
    gate_up_proj: [2 * I, D],
    wqkv: [q + 2 * kv, D],
    wo: [D, q],
    w1: [I, D],
    w3: [I, D],
    w2: [D, I],
  };
}

/** Columns of the widest fused projection output (0 when the architecture fuses none). */
export function fusedWidth(m: ModelShape): number {
  const shapes = projShapes(m);
  let w = 0;
  for (const l of linearLayouts(m.arch ?? 'llama'))
    if (l.role === 'qkv' || l.role === 'gate_up') w = Math.max(w, shapes[l.name][0]);
  return w;
}

const elemBytes = (dtype: PlannedBuffer['dtype']) => (dtype === 'u32' || dtype === 'i32' ? 4 : BYTES[dtype]);

/** Collects planned buffers in order; `add` returns the buffer for the typed record. */
class Planner {
  readonly buffers: PlannedBuffer[] = [];
  add(name: string, category: Category, shape: number[], dtype: PlannedBuffer['dtype'] = 'f32'): PlannedBuffer {
    const n = shape.reduce((a, b) => a * b, 1);
    // Buffers are 4-byte aligned (16-bit tensors hold two values per u32).
    const b: PlannedBuffer = { name, category, shape, dtype, bytes: Math.ceil((n * elemBytes(dtype)) / 4) * 4 };
    this.buffers.push(b);
    return b;
  }
  done<T>(model: ModelShape, tokens: number, tensors: T): PlanBase<T> {
    const bytes = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
    for (const b of this.buffers) bytes[b.category] += b.bytes;
    const total = CATEGORIES.reduce((s, c) => s + bytes[c], 0);
    return { model, tokens, buffers: this.buffers, tensors, bytes, total };
  }
}

/** Frozen weights, checkpoint dtype; norms and biases f32 (listed for their bytes; the caller uploads them). */
function planWeights(pl: Planner, m: ModelShape): void {
  const D = m.hidden;
  const q = m.heads * m.head_dim;
  const kv = m.kv_heads * m.head_dim;
  const shapes = projShapes(m);
  pl.add('model.embed_tokens.weight', 'weights', [m.vocab, D], m.dtype);
  for (let l = 0; l < m.layers; l++) {
    const p = `model.layers.${l}`;
    for (const lin of linearLayouts(m.arch ?? 'llama'))
      pl.add(`${p}.${lin.parent}.${lin.name}.weight`, 'weights', shapes[lin.name], m.dtype);
    if (m.qkv_bias) {
      pl.add(`${p}.self_attn.q_proj.bias`, 'weights', [q]);
      pl.add(`${p}.self_attn.k_proj.bias`, 'weights', [kv]);
      pl.add(`${p}.self_attn.v_proj.bias`, 'weights', [kv]);
    }
    if (m.qk_norm) {
      pl.add(`${p}.self_attn.q_norm.weight`, 'weights', [m.head_dim]);
      pl.add(`${p}.self_attn.k_norm.weight`, 'weights', [m.head_dim]);
    }
    pl.add(`${p}.input_layernorm.weight`, 'weights', [D]);
    pl.add(`${p}.post_attention_layernorm.weight`, 'weights', [D]);
    if (m.sandwich_norms) {
      pl.add(`${p}.pre_feedforward_layernorm.weight`, 'weights', [D]);
      pl.add(`${p}.post_feedforward_layernorm.weight`, 'weights', [D]);
    }
  }
  pl.add('model.norm.weight', 'weights', [D]);
  if (!m.tied) pl.add('lm_head.weight', 'weights', [m.vocab, D], m.dtype);
}

/** Byte alignment of each LoRA tensor in its arena (WebGPU's minStorageBufferOffsetAlignment, at most 256). */
export const LORA_ALIGN = 256;
/** Most bytes in one LoRA arena buffer (WebGPU's default maxStorageBufferBindingSize, 128 MiB). */
export const LORA_ARENA_BYTES = 2 ** 27;

const ROLE_ORDER: ProjRole[] = ['q', 'k', 'v', 'qkv', 'o', 'gate', 'up', 'gate_up', 'down'];
const roleRank = (role: ProjRole) => ROLE_ORDER.indexOf(role);
/** The shared input a role reads (q/k/v: 'attn', gate/up: 'mlp'), else the role itself. */
const inputOf = (role: ProjRole): string =>
  (Object.keys(LORA_INPUTS) as LoraInput[]).find((g) => LORA_INPUTS[g].includes(role)) ?? role;

/** Row stride of a LoRA group's hT at N tokens: N rounded up so that r rows span whole 256 bytes. */
export function loraGroupStride(r: number, N: number): number {
  const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);
  const q = LORA_ALIGN / 4 / gcd(r, LORA_ALIGN / 4);
  return Math.ceil(N / q) * q;
}

/**
 * The LoRA groups a training step runs (LoraGroup): per input, its adapted roles when there are
 * two or more, no dropout (whose mask differs per module) and A matrices of whole 256-byte
 * multiples (so each lies on its own aligned range too, as the decoding path binds it).
 */
export function loraGroupsOf(m: ModelShape, lora: TrainShape['lora']): Partial<Record<LoraInput, ProjRole[]>> {
  const out: Partial<Record<LoraInput, ProjRole[]>> = {};
  if ((lora.dropout ?? 0) > 0 || lora.r <= 0) return out;
  const shapes = projShapes(m);
  const arch = m.arch ?? 'llama';
  for (const g of Object.keys(LORA_INPUTS) as LoraInput[]) {
    const ts = lora.targets.filter((t) => LORA_INPUTS[g].includes(layoutOf(arch, t).role));
    if (ts.length < 2 || ts.some((t) => (4 * lora.r * shapes[t][1]) % LORA_ALIGN !== 0)) continue;
    out[g] = ts.map((t) => layoutOf(arch, t).role).sort((a, b) => roleRank(a) - roleRank(b));
  }
  return out;
}

/**
 * LoRA A [r, in] and B [out, r] per layer and target, as slices of the arena buffers (one chunk
 * unless they exceed LORA_ARENA_BYTES); with `training`, their gradients and AdamW's m and v in
 * three more arenas laid out alike.
 */
function planLora(
  pl: Planner,
  m: ModelShape,
  lora: TrainShape['lora'],
  training: boolean,
): { layers: LoraLayers; arenas: LoraArena[] } {
  const shapes = projShapes(m);
  const r = lora.r;
  // Lay the tensors out first, then list the arenas, then the slices. Per layer, the modules of
  // one input (LORA_INPUTS) come together, their A matrices first and back to back (a LoRA
  // group's [members·r, in] matrix: one unit, never split across chunks), then their B matrices.
  const placed: { l: number; t: TargetModule; which: 'A' | 'B'; shape: number[]; chunk: number; offset: number }[] = [];
  const used: number[] = [];
  const place = (items: { l: number; t: TargetModule; which: 'A' | 'B'; shape: number[] }[]) => {
    const align = (x: number) => Math.ceil(x / LORA_ALIGN) * LORA_ALIGN;
    const sizes = items.map((it) => 4 * it.shape[0] * it.shape[1]);
    const total = sizes.slice(0, -1).reduce((s, b) => s + align(b), 0) + sizes[sizes.length - 1];
    let c = used.length - 1;
    let offset = c < 0 ? 0 : align(used[c]);
    if (c < 0 || (offset + total > LORA_ARENA_BYTES && used[c] > 0)) {
      used.push(0);
      c++;
      offset = 0;
    }
    items.forEach((it, i) => {
      placed.push({ ...it, chunk: c, offset });
      used[c] = offset + sizes[i];
      offset = align(used[c]);
    });
  };
  const arch = m.arch ?? 'llama';
  const roleOf = new Map(lora.targets.map((t) => [t, layoutOf(arch, t).role]));
  const ordered = [...lora.targets].sort((a, b) => roleRank(roleOf.get(a)!) - roleRank(roleOf.get(b)!));
  const runs: TargetModule[][] = [];
  for (const t of ordered) {
    const last = runs[runs.length - 1];
    if (last && inputOf(roleOf.get(last[0])!) === inputOf(roleOf.get(t)!)) last.push(t);
    else runs.push([t]);
  }
  for (let l = 0; l < m.layers; l++)
    for (const run of runs) {
      const aligned = run.every((t) => (4 * r * shapes[t][1]) % LORA_ALIGN === 0);
      const As = run.map((t) => ({ l, t, which: 'A' as const, shape: [r, shapes[t][1]] }));
      if (aligned) place(As);
      else for (const a of As) place([a]);
      for (const t of run) place([{ l, t, which: 'B', shape: [shapes[t][0], r] }]);
    }
  const arenas: LoraArena[] = used.map((bytes, c) => {
    const add = (kind: string, category: Category) => pl.add(`lora.${c}.${kind}`, category, [bytes / 4]);
    const a: LoraArena = { params: add('params', 'lora_params'), floats: bytes / 4 };
    if (training) {
      a.grads = add('grads', 'lora_grads');
      a.exp_avg = add('exp_avg', 'optimizer');
      a.exp_avg_sq = add('exp_avg_sq', 'optimizer');
    }
    return a;
  });
  const layers: LoraLayers = Array.from({ length: m.layers }, () => ({}));
  for (const q of placed) {
    const p = `layers.${q.l}.${q.t}.lora_${q.which}`;
    const a = arenas[q.chunk];
    const slice = (name: string, arena: PlannedBuffer): PlannedSlice => ({
      name,
      shape: q.shape,
      arena,
      offset: q.offset,
      bytes: 4 * q.shape[0] * q.shape[1],
    });
    const lt = (layers[q.l][q.t] ??= {} as LoraTensors);
    lt[q.which] = slice(p, a.params);
    if (training) {
      lt[`${q.which}_grad`] = slice(`${p}.grad`, a.grads!);
      lt[`${q.which}_exp_avg`] = slice(`${p}.exp_avg`, a.exp_avg!);
      lt[`${q.which}_exp_avg_sq`] = slice(`${p}.exp_avg_sq`, a.exp_avg_sq!);
    }
  }
  return { layers, arenas };
}

/** input_ids, seq_ids and the RoPE tables for T tokens. */
function planInputs(pl: Planner, m: ModelShape, T: number, prefix = ''): StepInputs {
  const input_ids = pl.add(`${prefix}input_ids`, 'activations', [T], 'u32');
  const seq_ids = pl.add(`${prefix}seq_ids`, 'activations', [T], 'u32');
  const rot = m.rotary_dim ?? m.head_dim;
  const table = (name: string) => ({
    cos: pl.add(`${prefix}${name}.cos`, 'activations', [T, rot / 2]),
    sin: pl.add(`${prefix}${name}.sin`, 'activations', [T, rot / 2]),
  });
  const rope = [table('rope')];
  if ((m.rope_tables ?? 1) > 1) rope.push(table('rope_local'));
  return { input_ids, seq_ids, rope };
}

/** One layer's activations for T tokens (the fused projection output is added by the caller, shared). */
function planLayer(
  pl: Planner,
  m: ModelShape,
  lora: TrainShape['lora'],
  T: number,
  prefix: string,
  category: Category,
  groups: Partial<Record<LoraInput, ProjRole[]>> = {},
): LayerActivations {
  const D = m.hidden;
  const I = m.intermediate;
  const q = m.heads * m.head_dim;
  const kv = m.kv_heads * m.head_dim;
  const add = (name: string, shape: number[]) => pl.add(`${prefix}.${name}`, category, shape);
  const a: LayerActivations = {
    ln1: add('ln1', [T, D]),
    rstd1: add('rstd1', [T]),
    q: undefined!,
    k: undefined!,
    v: undefined!,
    lse: undefined!,
    attnOut: undefined!,
    mid: undefined!,
    ln2: undefined!,
    rstd2: undefined!,
    gate: undefined!,
    up: undefined!,
    act: undefined!,
    loraH: {},
    loraGroups: {},
  };
  if (m.qk_norm) {
    a.qPre = add('q_pre_norm', [T, q]);
    a.kPre = add('k_pre_norm', [T, kv]);
    a.qRstd = add('q_rstd', [T * m.heads]);
    a.kRstd = add('k_rstd', [T * m.kv_heads]);
  }
  a.q = add('q', [T, q]);
  a.k = add('k', [T, kv]);
  a.v = add('v', [T, kv]);
  a.lse = add('attn_lse', [m.heads, T]);
  a.attnOut = add('attn_out', [T, q]);
  if (m.sandwich_norms) {
    a.oOut = add('o_out', [T, D]);
    a.postAttnRstd = add('post_attn_rstd', [T]);
  }
  a.mid = add('residual_mid', [T, D]);
  a.ln2 = add('ln2', [T, D]);
  a.rstd2 = add('rstd2', [T]);
  a.gate = add('gate', [T, I]);
  a.up = add('up', [T, I]);
  a.act = add('act', [T, I]);
  if (m.sandwich_norms) {
    a.downOut = add('down_out', [T, D]);
    a.postMlpRstd = add('post_mlp_rstd', [T]);
  }
  const grouped = Object.values(groups).flat();
  for (const t of lora.targets) {
    const role = layoutOf(m.arch ?? 'llama', t).role;
    if (!grouped.includes(role)) a.loraH[role] = add(`${t}.lora_h`, [T, lora.r]);
  }
  for (const [g, roles] of Object.entries(groups) as [LoraInput, ProjRole[]][])
    a.loraGroups[g] = { roles, hT: add(`lora_hT.${g}`, [roles.length * lora.r, loraGroupStride(lora.r, T)]) };
  return a;
}

/** The memory plan of one LoRA training step. */
export function planMemory(model: ModelShape, train: TrainShape): MemoryPlan {
  const pl = new Planner();
  const m = model;
  const T = train.batch * train.seq_len;
  const D = m.hidden;
  const I = m.intermediate;
  const q = m.heads * m.head_dim;
  const kv = m.kv_heads * m.head_dim;
  const shapes = projShapes(m);
  const r = train.lora.r;
  const targets = train.lora.targets;

  planWeights(pl, m);
  const lora = planLora(pl, m, train.lora, true);

  // Inputs of the step; the residual stream entering each layer, and the final one.
  const inputs = planInputs(pl, m, T);
  const labels = pl.add('labels', 'activations', [T], 'i32');
  const loss_weights = pl.add('loss.weights', 'activations', [T]);
  const residual = Array.from({ length: m.layers + 1 }, (_, l) => pl.add(`residual.${l}`, 'activations', [T, D]));
  // What each layer's backward needs from its forward.
  const layerSets: LayerActivations[] = [];
  const groups = loraGroupsOf(m, train.lora);
  if (train.recompute) layerSets.push(planLayer(pl, m, train.lora, T, 'recompute', 'scratch', groups));
  else
    for (let l = 0; l < m.layers; l++)
      layerSets.push(planLayer(pl, m, train.lora, T, `layers.${l}`, 'activations', groups));
  const final_norm = {
    normed: pl.add('final_norm.out', 'activations', [T, D]),
    rstd: pl.add('final_norm.rstd', 'activations', [T]),
  };
  const per_token = pl.add('loss.per_token', 'activations', [T]);
  const lse = pl.add('loss.lse', 'activations', [T]);

  // Scratch shared by all layers' backward (and the LM head chunks).
  const vc = Math.min(m.vocab, train.vocab_chunk ?? 8192);
  const logits_chunk = pl.add('lm_head.logits_chunk', 'scratch', [T, vc]);
  const gradResidual = pl.add('grad.residual', 'scratch', [T, D]);
  const dln = pl.add('grad.ln', 'scratch', [T, D]);
  const grad: TrainTensors['grad'] = {
    residual: gradResidual,
    dln,
    dq: pl.add('grad.q', 'scratch', [T, q]),
    dk: pl.add('grad.k', 'scratch', [T, kv]),
    dv: pl.add('grad.v', 'scratch', [T, kv]),
    dattn: pl.add('grad.attn_out', 'scratch', [T, q]),
    dgate: pl.add('grad.gate', 'scratch', [T, I]),
    dup: pl.add('grad.up', 'scratch', [T, I]),
    dact: pl.add('grad.act', 'scratch', [T, I]),
    dh: dln,
  };
  // A fused projection's whole output, forward, and its gradient, backward (one at a time).
  const fw = fusedWidth(m);
  if (fw > 0) {
    const fused = pl.add('fused.out', 'scratch', [T, fw]);
    for (const set of layerSets) set.fused = fused;
  }
  if (targets.length) grad.dh = pl.add('grad.lora_h', 'scratch', [T, r]);
  const widestGroup = Math.max(0, ...Object.values(groups).map((g) => g.length));
  if (widestGroup) grad.dhT = pl.add('grad.lora_hT', 'scratch', [widestGroup * r, loraGroupStride(r, T)]);
  if (targets.length && (train.lora.dropout ?? 0) > 0) {
    const widest = Math.max(...targets.map((t) => shapes[t][1]));
    grad.xd = pl.add('lora.dropout_x', 'scratch', [T, widest]);
  }
  const grad_norm = {
    partials: pl.add('grad_norm.partials', 'scratch', [Math.max(1, gradNormSlots(lora.arenas.length))]),
    out: pl.add('grad_norm.out', 'scratch', [2]),
  };

  const layers = train.recompute ? Array<LayerActivations>(m.layers).fill(layerSets[0]) : layerSets;
  const loss = { per_token, lse, logits_chunk };
  return {
    ...pl.done(model, T, {
      inputs,
      labels,
      loss_weights,
      residual,
      layers,
      final_norm,
      loss,
      grad,
      lora: lora.layers,
      lora_arenas: lora.arenas,
      grad_norm,
    }),
    train,
  };
}

/**
 * The plan of a KV-cache decoder: the prompt runs through the layers at once (prefill), then one
 * row per step, so one activation set of max_tokens rows serves every layer; the cache keeps each
 * layer's rotated keys and values. LoRA A/B only (no gradients).
 */
export function planDecoding(model: ModelShape, decode: DecodeShape): DecodePlan {
  const pl = new Planner();
  const m = model;
  const T = decode.max_tokens;
  const D = m.hidden;
  const kv = m.kv_heads * m.head_dim;
  planWeights(pl, m);
  const lora = planLora(pl, m, decode.lora, false);
  const inputs = planInputs(pl, m, T, 'kv.');
  const residual: [PlannedBuffer, PlannedBuffer] = [
    pl.add('kv.residual.0', 'activations', [T, D]),
    pl.add('kv.residual.1', 'activations', [T, D]),
  ];
  const layer = planLayer(pl, m, decode.lora, T, 'kv.layer', 'activations');
  const fw = fusedWidth(m);
  if (fw > 0) layer.fused = pl.add('kv.fused.out', 'activations', [T, fw]);
  const cache = Array.from({ length: m.layers }, (_, l) => ({
    k: pl.add(`kv.cache.${l}.k`, 'activations', [T, kv]),
    v: pl.add(`kv.cache.${l}.v`, 'activations', [T, kv]),
  }));
  const scores = pl.add('kv.attn_scores', 'scratch', [m.heads, T]);
  const last = pl.add('kv.last', 'scratch', [D]);
  const final_norm = {
    normed: pl.add('kv.final_norm.out', 'scratch', [1, D]),
    rstd: pl.add('kv.final_norm.rstd', 'scratch', [1]),
  };
  const logits = pl.add('kv.logits', 'scratch', [1, m.vocab]);
  return {
    ...pl.done(model, T, {
      inputs,
      residual,
      layer,
      cache,
      scores,
      last,
      final_norm,
      logits,
      lora: lora.layers,
      lora_arenas: lora.arenas,
    }),
    decode,
  };
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
export function fits(
  plan: PlanBase<unknown> & { train?: TrainShape },
  limits: FitLimits,
  budgetBytes?: number,
): FitResult {
  const bind = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  for (const b of plan.buffers) {
    if (b.bytes <= bind) continue;
    const splittable = b.category === 'weights' && b.shape.length === 2;
    const rowBytes = splittable ? b.shape[1] * elemBytes(b.dtype) : b.bytes;
    if (!splittable || rowBytes > bind) {
      return {
        ok: false,
        reason:
          `${b.name} [${b.shape.join(', ')}] needs ${fmt(b.bytes)} in one buffer but the GPU binds at most ` +
          `${fmt(bind)}: lower the batch or sequence length`,
      };
    }
  }
  if (budgetBytes !== undefined && plan.total > budgetBytes) {
    const worst = CATEGORIES.slice().sort((a, b) => plan.bytes[b] - plan.bytes[a])[0];
    return {
      ok: false,
      reason:
        `the step needs ${fmt(plan.total)} but only ${fmt(budgetBytes)} is available (largest share: ` +
        `${worst}, ${fmt(plan.bytes[worst])})` +
        (plan.train?.recompute !== false ? '' : '; turning on recomputation cuts saved activations'),
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

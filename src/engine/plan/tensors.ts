// The memory plan's buffers as typed records, llm.c's `ActivationTensors` way: every record is
// generic over what a slot holds, so the planner fills it with PlannedBuffer (name, shape, bytes)
// and allocate() turns the very same record into GPUBuffers. A decoder reads `acts.q`, never a
// string name, and the compiler checks that every buffer it uses is one the plan lists.
import type { ProjRole, TargetModule } from '../../model/layout.ts';
import type { DType } from '../tensor/dtype.ts';

export type Category = 'weights' | 'lora_params' | 'lora_grads' | 'optimizer' | 'activations' | 'scratch';
export const CATEGORIES: Category[] = ['weights', 'lora_params', 'lora_grads', 'optimizer', 'activations', 'scratch'];

export interface PlannedBuffer {
  name: string;
  category: Category;
  shape: number[];
  dtype: DType | 'u32' | 'i32';
  bytes: number;
}

/** What one layer's forward writes and its backward reads (one set per layer, or one shared). */
export interface LayerActivations<B = PlannedBuffer> {
  ln1: B;
  rstd1: B;
  /** Qwen3/Gemma 3: q/k before their per-head norm, and its rstd. */
  qPre?: B;
  kPre?: B;
  qRstd?: B;
  kRstd?: B;
  q: B;
  k: B;
  v: B;
  lse: B;
  attnOut: B;
  /** Gemma: o_proj's output before its norm, and the norm's rstd. */
  oOut?: B;
  postAttnRstd?: B;
  mid: B;
  ln2: B;
  rstd2: B;
  gate: B;
  up: B;
  act: B;
  /** Gemma: down_proj's output before its norm, and the norm's rstd. */
  downOut?: B;
  postMlpRstd?: B;
  /** A fused projection's whole output (Phi-3, InternLM2; one buffer shared by the layers). */
  fused?: B;
  /** X·Aᵀ [N, r] per adapted projection (not for those in a LoRA group). */
  loraH: Partial<Record<ProjRole, B>>;
  /** Adapted projections sharing their input whose A products run as one GEMM (training, no dropout). */
  loraGroups: Partial<Record<LoraInput, LoraGroup<B>>>;
}

/** The LoRA modules that read one input: q/k/v the first norm's output, gate/up the second's. */
export type LoraInput = 'attn' | 'mlp';
export const LORA_INPUTS: Record<LoraInput, readonly ProjRole[]> = { attn: ['q', 'k', 'v'], mlp: ['gate', 'up'] };

/**
 * Two or more adapted projections of one input, in LORA_INPUTS order, whose A matrices lie back to
 * back in the arenas (one [members·r, in] matrix, and its gradient likewise): forward computes
 * hT = A_group·Xᵀ once, backward dA_group and the input gradient once. hT [members·r, ld] holds
 * member i's (X·A_iᵀ)ᵀ in rows i·r…, ld = loraGroupStride(r, N), so each member's block starts on a
 * 256-byte boundary (backward binds it as its own range).
 */
export interface LoraGroup<B = PlannedBuffer> {
  roles: ProjRole[];
  hT: B;
}

/** Scratch every layer's backward shares. */
export interface LayerGradients<B = PlannedBuffer> {
  /** grad.ln [N, D]; also attention backward's row stats [N, heads, 2] and Gemma's ∂o_out, ∂down_out. */
  dln: B;
  dq: B;
  dk: B;
  dv: B;
  /** grad.attn_out [N, q]; also Qwen3's ∂q_pre. */
  dattn: B;
  dgate: B;
  /** grad.up; also Qwen3's ∂k_pre. */
  dup: B;
  dact: B;
  /** grad.lora_h [N, r] (without LoRA: grad.ln, never read). */
  dh: B;
  /** grad.lora_hT: a LoRA group's ∂hT, laid out as its hT (when the plan has groups). */
  dhT?: B;
  /** lora.dropout_x [N, widest LoRA input]. */
  xd?: B;
}

/** The per-step inputs every layer reads. */
export interface StepInputs<B = PlannedBuffer> {
  input_ids: B;
  seq_ids: B;
  /** One cos/sin pair [N, rotaryDim/2] per RoPE table (Gemma 3: global, then local). */
  rope: { cos: B; sin: B }[];
}

/**
 * A tensor that lives in a range of an arena buffer the plan lists: `bytes` (its own, f32) from
 * byte `offset` (a multiple of LORA_ALIGN, WebGPU's minStorageBufferOffsetAlignment), bound as
 * that range. The LoRA tensors are slices, so the optimizer binds all of them at once.
 */
export interface PlannedSlice {
  name: string;
  shape: number[];
  arena: PlannedBuffer;
  offset: number;
  bytes: number;
}

/** One adapted module of one layer: A [r, in], B [out, r], and (training) their gradients and AdamW state. */
export interface LoraTensors<S = PlannedSlice> {
  A: S;
  B: S;
  A_grad?: S;
  B_grad?: S;
  A_exp_avg?: S;
  A_exp_avg_sq?: S;
  B_exp_avg?: S;
  B_exp_avg_sq?: S;
}

/** Per layer, per target module. */
export type LoraLayers<S = PlannedSlice> = Partial<Record<TargetModule, LoraTensors<S>>>[];

/**
 * One chunk of the LoRA arenas: the parameters, and (training) their gradients and AdamW's two
 * moments, each one buffer laid out alike (tensor i at the same offset in all four, zero padding
 * between), so the gradient norm and AdamW run once per chunk over `floats` values. A chunk holds
 * at most LORA_ARENA_BYTES per buffer (WebGPU's default binding limit); small models need one.
 */
export interface LoraArena<B = PlannedBuffer> {
  params: B;
  grads?: B;
  exp_avg?: B;
  exp_avg_sq?: B;
  /** f32 values in each buffer of the chunk, padding included. */
  floats: number;
}

/** A training step's buffers (planMemory). */
export interface TrainTensors<B = PlannedBuffer> {
  inputs: StepInputs<B>;
  labels: B;
  loss_weights: B;
  /** The residual stream entering each layer, and the last layer's output. */
  residual: B[];
  /** One set per layer, or a single set with recompute. */
  layers: LayerActivations<B>[];
  final_norm: { normed: B; rstd: B };
  loss: { per_token: B; lse: B; logits_chunk: B };
  grad: LayerGradients<B> & { residual: B };
  lora: LoraLayers;
  lora_arenas: LoraArena<B>[];
  grad_norm: { partials: B; out: B };
}

/** A KV-cache decoder's buffers (planDecoding). */
export interface DecodeTensors<B = PlannedBuffer> {
  inputs: StepInputs<B>;
  /** Two residual buffers the layers ping-pong between. */
  residual: [B, B];
  /** One set for up to max_tokens rows, shared by the layers (nothing is kept for backward). */
  layer: LayerActivations<B>;
  /** Per layer: rotated keys and values [max_tokens, kv_heads·head_dim]. */
  cache: { k: B; v: B }[];
  /** Decode attention's scores [heads, max_tokens]. */
  scores: B;
  /** The last position's hidden state [D], its final norm, and its logits [vocab]. */
  last: B;
  final_norm: { normed: B; rstd: B };
  logits: B;
  lora: LoraLayers;
  lora_arenas: LoraArena<B>[];
}

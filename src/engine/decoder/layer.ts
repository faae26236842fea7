// One decoder layer, forward and backward, written out step by step (llm.c style). Every buffer
// comes in from the caller, allocated once from the memory plan; nothing is allocated here.
//
// Forward, N tokens, x = the residual stream entering the layer (norms scale by w, or by 1 + w
// for Gemma):
//   ln1 = rmsnorm(x)                         rstd1 saved
//   q|k|v = ln1·Wᵀ (+ b) + LoRA              (fused qkv_proj/wqkv: one projection, then split;
//                                             Qwen3/Gemma 3: q_pre/k_pre, then per-head rmsnorm)
//   q, k = rope(q, k)                         in place, saved rotated (not on SmolLM3's NoPE layers;
//                                             Phi-3: the first rotary_dim dims of each head)
//   attn_out, lse = attention(q, k, v)       scale, soft cap (Gemma 2), sliding window per layer
//   mid = x + attn_out·Woᵀ + LoRA            (Gemma: x + rmsnorm(o_out), o_out and its rstd saved)
//   ln2 = rmsnorm(mid)                       rstd2 saved
//   gate|up = ln2·Wᵀ + LoRA                  (fused gate_up_proj: one projection, then split)
//   act = silu(gate)·up                      (Gemma: gelu_pytorch_tanh)
//   out = mid + act·Wdᵀ + LoRA               (Gemma: mid + rmsnorm(down_out))
// Backward runs the same list in reverse with dres = ∂loss/∂out, which it turns in place into
// ∂loss/∂x. Only LoRA weights get gradients; frozen weights only pass gradients through.
// LoRA modules of one input (q/k/v, gate/up) that the plan groups share their A products: the
// group's first projection computes every member's X·Aᵀ in one GEMM, and after the last one's
// backward one GEMM each gives the group's ∂A and its share of ∂X (plan/tensors.ts's LoraGroup).
import {
  addInPlace,
  joinRanges,
  linearBackwardInput,
  linearForward,
  loraBackward,
  loraForward,
  loraGroupBackwardInput,
  loraGroupBackwardMember,
  loraGroupForwardA,
  loraGroupForwardB,
  type LoraGroupShape,
  packColumns,
  rmsnormBackward,
  rmsnormForward,
  ropeBackward,
  ropeForward,
  swigluBackward,
  swigluForward,
  unpackColumns,
  type GateAct,
} from '../kernels/index.ts';
import { attentionBackward, attentionForward } from '../attention/attention.ts';
import type { Tensor } from '../tensor/tensor.ts';
import type { BufferRef } from '../runtime/buffers.ts';
import type { FusedSplit, ProjRole } from '../../model/layout.ts';
import type { LayerActivations, LayerGradients, StepInputs } from '../plan/tensors.ts';
import { loraGroupStride } from '../plan/plan.ts';

/** What kind of layer this is: fixed per layer of a model. */
export interface LayerKind {
  /** RoPE table (index into LayerInputs.rope), or null for a layer without RoPE. */
  rope: number | null;
  /** Leading dims of each head RoPE rotates. */
  rotaryDim: number;
  /** Softmax scale of attention. */
  attnScale: number;
  /** Attention-logit soft cap; 0 = none. */
  softcap: number;
  /** Sliding window in tokens; 0 = full causal attention. */
  window: number;
  /** 1 when norms scale by (1 + w) (Gemma), else 0. */
  normOffset: number;
  act: GateAct;
  /** Gemma's norms on the attention and MLP outputs. */
  sandwich: boolean;
  /** How a fused qkv / gate_up output splits (Phi-3, InternLM2). */
  qkvSplit?: FusedSplit;
  gateUpSplit?: FusedSplit;
}

export interface LayerDims {
  /** Tokens this step (B·T). */
  N: number;
  hidden: number;
  intermediate: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  eps: number;
  kind: LayerKind;
}

export interface LayerWeights {
  /** Separate q/k/v, or one fused qkv. */
  q?: Tensor;
  k?: Tensor;
  v?: Tensor;
  qkv?: Tensor;
  o: Tensor;
  /** Separate gate/up, or one fused gateUp. */
  gate?: Tensor;
  up?: Tensor;
  gateUp?: Tensor;
  down: Tensor;
  /** f32 buffers: the norm before attention and the one before the MLP. */
  ln1: GPUBuffer;
  ln2: GPUBuffer;
  /** Gemma: the norms on the attention output and on the MLP output. */
  postAttn?: GPUBuffer;
  postMlp?: GPUBuffer;
  qBias?: GPUBuffer;
  kBias?: GPUBuffer;
  vBias?: GPUBuffer;
  oBias?: GPUBuffer;
  qNorm?: GPUBuffer;
  kNorm?: GPUBuffer;
}

export interface LoraModule {
  /** f32 [r, in] and [out, r], and (training) their gradients: ranges of the LoRA arenas. */
  a: BufferRef;
  b: BufferRef;
  dA?: BufferRef;
  dB?: BufferRef;
  inF: number;
  outF: number;
}

export interface LayerLora {
  r: number;
  scale: number;
  /** Dropout on the LoRA input; the seed is per module and per step. */
  p: number;
  seeds: Partial<Record<ProjRole, number>>;
  /** By what the projection computes (q_proj and InternLM2's w-names alike). */
  modules: Partial<Record<ProjRole, LoraModule>>;
}

/** What backward needs from forward: the plan's LayerActivations, allocated. */
export type LayerActs = LayerActivations<GPUBuffer>;

/** Scratch shared by every layer's backward: the plan's grad.* buffers. */
export type LayerScratch = LayerGradients<GPUBuffer>;

/** input_ids, seq_ids and the RoPE tables of the step. */
export type LayerInputs = StepInputs<GPUBuffer>;

/**
 * Records the attention of a layer: reads a.q, a.k, a.v (rotated), writes a.attnOut (training
 * also a.lse). Flash attention over the whole sequence, or a KV cache's decode attention (kv.ts).
 */
export type Attend = (enc: GPUCommandEncoder, d: LayerDims, a: LayerActs) => void;

/** Causal flash attention over the step's N tokens (packed sequences kept apart by seq_ids). */
export function flashAttention(device: GPUDevice, io: LayerInputs): Attend {
  return (enc, d, a) =>
    attentionForward(device, enc, attnDims(d), {
      q: a.q,
      k: a.k,
      v: a.v,
      seqIds: io.seq_ids,
      out: a.attnOut,
      lse: a.lse,
    });
}

/**
 * The LoRA group (plan/tensors.ts's LoraGroup) role t belongs to in this layer, if any: its
 * position, the members' A matrices as one range, hT, and the GEMM shape at N tokens.
 */
function groupOf(lora: LayerLora, acts: LayerActs, t: ProjRole, N: number) {
  for (const g of Object.values(acts.loraGroups)) {
    const i = g.roles.indexOf(t);
    if (i < 0) continue;
    if (lora.p > 0) throw new Error('layer: a LoRA group runs without dropout (the plan groups only then)');
    const mods = g.roles.map((r) => {
      const m = lora.modules[r];
      if (!m) throw new Error(`layer: the LoRA group ${g.roles.join('/')} has no ${r} module`);
      return m;
    });
    const a = joinRanges(
      mods.map((m) => m.a),
      'A matrices',
    );
    const shape: LoraGroupShape = {
      T: N,
      inF: mods[0].inF,
      r: lora.r,
      rows: g.roles.length * lora.r,
      ld: loraGroupStride(lora.r, N),
    };
    return { i, roles: g.roles, a, hT: g.hT, shape };
  }
  return null;
}

function proj(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  d: LayerDims,
  lora: LayerLora | null,
  t: ProjRole,
  w: Tensor,
  x: GPUBuffer,
  y: GPUBuffer,
  acts: LayerActs,
  scratch: LayerScratch | null,
  opts: { bias?: GPUBuffer; accumulate?: boolean } = {},
): void {
  linearForward(device, enc, x, w, y, d.N, opts);
  const m = lora?.modules[t];
  if (!lora || !m) return;
  const grp = groupOf(lora, acts, t, d.N);
  if (grp) {
    // The group's first member runs every member's A product, then each adds its own B product.
    if (grp.i === 0) loraGroupForwardA(device, enc, { ...grp.shape, x, a: grp.a, hT: grp.hT });
    loraGroupForwardB(device, enc, { ...grp.shape, hT: grp.hT, i: grp.i, b: m.b, y, outF: m.outF, scale: lora.scale });
    return;
  }
  loraForward(device, enc, {
    x,
    a: m.a,
    b: m.b,
    y,
    h: acts.loraH[t]!,
    xd: scratch?.xd,
    T: d.N,
    inF: m.inF,
    outF: m.outF,
    r: lora.r,
    scale: lora.scale,
    dropout: lora.p > 0 ? { p: lora.p, seed: lora.seeds[t]! } : undefined,
  });
}

/**
 * Records the forward of one layer: x [N, D] → out [N, D] (out may not alias x). Training and
 * the KV-cache decoder both run this; they differ only in `attend`.
 */
export function layerForward(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  d: LayerDims,
  w: LayerWeights,
  lora: LayerLora | null,
  io: LayerInputs,
  x: GPUBuffer,
  out: GPUBuffer,
  a: LayerActs,
  scratch: LayerScratch | null,
  attend: Attend,
): void {
  const { N, hidden: D, heads, kvHeads, headDim: hd, eps, kind } = d;
  const offset = kind.normOffset;
  rmsnormForward(device, enc, { x, w: w.ln1, y: a.ln1, rstd: a.rstd1, rows: N, cols: D, eps, offset });

  const qk = !!w.qNorm;
  const qOut = qk ? a.qPre! : a.q;
  const kOut = qk ? a.kPre! : a.k;
  if (w.qkv) {
    proj(device, enc, d, lora, 'qkv', w.qkv, a.ln1, a.fused!, a, scratch);
    unpackColumns(device, enc, a.fused!, [qOut, kOut, a.v], N, kind.qkvSplit!);
  } else {
    proj(device, enc, d, lora, 'q', w.q!, a.ln1, qOut, a, scratch, { bias: w.qBias });
    proj(device, enc, d, lora, 'k', w.k!, a.ln1, kOut, a, scratch, { bias: w.kBias });
    proj(device, enc, d, lora, 'v', w.v!, a.ln1, a.v, a, scratch, { bias: w.vBias });
  }
  if (qk) {
    rmsnormForward(device, enc, {
      x: a.qPre!,
      w: w.qNorm!,
      y: a.q,
      rstd: a.qRstd!,
      rows: N * heads,
      cols: hd,
      eps,
      offset,
    });
    rmsnormForward(device, enc, {
      x: a.kPre!,
      w: w.kNorm!,
      y: a.k,
      rstd: a.kRstd!,
      rows: N * kvHeads,
      cols: hd,
      eps,
      offset,
    });
  }
  if (kind.rope !== null) {
    const { cos, sin } = io.rope[kind.rope];
    const k = { x: a.k, heads: kvHeads };
    ropeForward(device, enc, { x: a.q, also: k, cos, sin, T: N, heads, headDim: hd, rotaryDim: kind.rotaryDim });
  }
  attend(enc, d, a);
  if (kind.sandwich) {
    proj(device, enc, d, lora, 'o', w.o, a.attnOut, a.oOut!, a, scratch, { bias: w.oBias });
    rmsnormForward(device, enc, {
      x: a.oOut!,
      w: w.postAttn!,
      y: a.mid,
      rstd: a.postAttnRstd!,
      rows: N,
      cols: D,
      eps,
      offset,
    });
    addInPlace(device, enc, a.mid, x, N * D);
  } else {
    enc.copyBufferToBuffer(x, 0, a.mid, 0, N * D * 4);
    proj(device, enc, d, lora, 'o', w.o, a.attnOut, a.mid, a, scratch, { bias: w.oBias, accumulate: true });
  }

  rmsnormForward(device, enc, { x: a.mid, w: w.ln2, y: a.ln2, rstd: a.rstd2, rows: N, cols: D, eps, offset });
  if (w.gateUp) {
    proj(device, enc, d, lora, 'gate_up', w.gateUp, a.ln2, a.fused!, a, scratch);
    unpackColumns(device, enc, a.fused!, [a.gate, a.up], N, kind.gateUpSplit!);
  } else {
    proj(device, enc, d, lora, 'gate', w.gate!, a.ln2, a.gate, a, scratch);
    proj(device, enc, d, lora, 'up', w.up!, a.ln2, a.up, a, scratch);
  }
  swigluForward(device, enc, a.gate, a.up, a.act, N * d.intermediate, kind.act);
  if (kind.sandwich) {
    proj(device, enc, d, lora, 'down', w.down, a.act, a.downOut!, a, scratch);
    rmsnormForward(device, enc, {
      x: a.downOut!,
      w: w.postMlp!,
      y: out,
      rstd: a.postMlpRstd!,
      rows: N,
      cols: D,
      eps,
      offset,
    });
    addInPlace(device, enc, out, a.mid, N * D);
  } else {
    enc.copyBufferToBuffer(a.mid, 0, out, 0, N * D * 4);
    proj(device, enc, d, lora, 'down', w.down, a.act, out, a, scratch, { accumulate: true });
  }
}

/** The attention kernels' dims for a layer. */
export function attnDims(d: LayerDims) {
  return {
    T: d.N,
    nHeads: d.heads,
    nKvHeads: d.kvHeads,
    headDim: d.headDim,
    scale: d.kind.attnScale,
    softcap: d.kind.softcap,
    window: d.kind.window,
  };
}

/**
 * dx (+)= ∂/∂x of y = x·Wᵀ + LoRA(x), given dy; fills the LoRA module's dA, dB.
 * `accumulateDx` adds to dx (for q/k/v and gate/up, which share their input).
 */
function projBack(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  d: LayerDims,
  lora: LayerLora | null,
  t: ProjRole,
  w: Tensor,
  x: GPUBuffer,
  dy: GPUBuffer,
  dx: GPUBuffer,
  accumulateDx: boolean,
  a: LayerActs,
  s: LayerScratch,
  accumulateGrads: boolean,
): void {
  linearBackwardInput(device, enc, dy, w, dx, d.N, { accumulate: accumulateDx });
  const m = lora?.modules[t];
  if (!lora || !m) return;
  if (!m.dA || !m.dB)
    throw new Error(`layerBackward: the ${t} LoRA module has no gradient buffers (an inference decoder's)`);
  const grp = groupOf(lora, a, t, d.N);
  if (grp) {
    if (!s.dhT) throw new Error('layerBackward: a LoRA group needs the plan’s grad.lora_hT');
    const shape = grp.shape;
    loraGroupBackwardMember(device, enc, {
      ...shape,
      i: grp.i,
      b: m.b,
      dy,
      hT: grp.hT,
      dhT: s.dhT,
      dB: m.dB,
      outF: m.outF,
      scale: lora.scale,
      accumulate: accumulateGrads,
    });
    // After the last member (every base dx is in): the group's dA and its share of dx, once.
    if (grp.i === grp.roles.length - 1) {
      const dA = joinRanges(
        grp.roles.map((r) => lora.modules[r]!.dA!),
        'A gradients',
      );
      loraGroupBackwardInput(device, enc, { ...shape, x, a: grp.a, dhT: s.dhT, dA, dx, accumulate: accumulateGrads });
    }
    return;
  }
  loraBackward(device, enc, {
    x,
    a: m.a,
    b: m.b,
    h: a.loraH[t]!,
    dy,
    dA: m.dA,
    dB: m.dB,
    dx,
    dh: s.dh,
    xd: s.xd,
    T: d.N,
    inF: m.inF,
    outF: m.outF,
    r: lora.r,
    scale: lora.scale,
    dropout: lora.p > 0 ? { p: lora.p, seed: lora.seeds[t]! } : undefined,
    accumulate: accumulateGrads,
  });
}

/**
 * Records the backward of one layer. On entry `dres` holds ∂loss/∂out; on exit ∂loss/∂x.
 * `x` is the layer's input (saved residual), `a` its saved (or recomputed) activations.
 * LoRA gradients are overwritten, or added to with `accumulateGrads`.
 */
export function layerBackward(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  d: LayerDims,
  w: LayerWeights,
  lora: LayerLora | null,
  io: LayerInputs,
  x: GPUBuffer,
  a: LayerActs,
  s: LayerScratch,
  dres: GPUBuffer,
  accumulateGrads = false,
): void {
  const { N, hidden: D, heads, kvHeads, headDim: hd, kind } = d;
  const offset = kind.normOffset;
  const g = accumulateGrads;
  // MLP: out = mid + down(act(gate)·up)   (Gemma: mid + rmsnorm(down(…)))
  let dDown = dres;
  if (kind.sandwich) {
    rmsnormBackward(device, enc, {
      x: a.downOut!,
      w: w.postMlp!,
      dy: dres,
      rstd: a.postMlpRstd!,
      dx: s.dln,
      rows: N,
      cols: D,
      offset,
    });
    dDown = s.dln;
  }
  projBack(device, enc, d, lora, 'down', w.down, a.act, dDown, s.dact, false, a, s, g);
  swigluBackward(device, enc, a.gate, a.up, s.dact, s.dgate, s.dup, N * d.intermediate, kind.act);
  if (w.gateUp) {
    packColumns(device, enc, a.fused!, [s.dgate, s.dup], N, kind.gateUpSplit!);
    projBack(device, enc, d, lora, 'gate_up', w.gateUp, a.ln2, a.fused!, s.dln, false, a, s, g);
  } else {
    projBack(device, enc, d, lora, 'gate', w.gate!, a.ln2, s.dgate, s.dln, false, a, s, g);
    projBack(device, enc, d, lora, 'up', w.up!, a.ln2, s.dup, s.dln, true, a, s, g);
  }
  rmsnormBackward(device, enc, {
    x: a.mid,
    w: w.ln2,
    dy: s.dln,
    rstd: a.rstd2,
    dx: dres,
    rows: N,
    cols: D,
    accumulate: true,
    offset,
  });

  // Attention: mid = x + o(attention(rope(q), rope(k), v))   (Gemma: x + rmsnorm(o(…)))
  let dO = dres;
  if (kind.sandwich) {
    rmsnormBackward(device, enc, {
      x: a.oOut!,
      w: w.postAttn!,
      dy: dres,
      rstd: a.postAttnRstd!,
      dx: s.dln,
      rows: N,
      cols: D,
      offset,
    });
    dO = s.dln;
  }
  projBack(device, enc, d, lora, 'o', w.o, a.attnOut, dO, s.dattn, false, a, s, g);
  attentionBackward(device, enc, attnDims(d), {
    q: a.q,
    k: a.k,
    v: a.v,
    seqIds: io.seq_ids,
    out: a.attnOut,
    lse: a.lse,
    dOut: s.dattn,
    rowStats: s.dln,
    dq: s.dq,
    dk: s.dk,
    dv: s.dv,
  });
  if (kind.rope !== null) {
    const { cos, sin } = io.rope[kind.rope];
    const dkRot = { x: s.dk, heads: kvHeads };
    ropeBackward(device, enc, { x: s.dq, also: dkRot, cos, sin, T: N, heads, headDim: hd, rotaryDim: kind.rotaryDim });
  }
  let dq = s.dq;
  let dk = s.dk;
  if (w.qNorm) {
    // ∂q_pre goes where ∂attn_out was (consumed above), ∂k_pre into grad.up (consumed too).
    rmsnormBackward(device, enc, {
      x: a.qPre!,
      w: w.qNorm,
      dy: s.dq,
      rstd: a.qRstd!,
      dx: s.dattn,
      rows: N * heads,
      cols: hd,
      offset,
    });
    rmsnormBackward(device, enc, {
      x: a.kPre!,
      w: w.kNorm!,
      dy: s.dk,
      rstd: a.kRstd!,
      dx: s.dup,
      rows: N * kvHeads,
      cols: hd,
      offset,
    });
    dq = s.dattn;
    dk = s.dup;
  }
  if (w.qkv) {
    packColumns(device, enc, a.fused!, [dq, dk, s.dv], N, kind.qkvSplit!);
    projBack(device, enc, d, lora, 'qkv', w.qkv, a.ln1, a.fused!, s.dln, false, a, s, g);
  } else {
    projBack(device, enc, d, lora, 'q', w.q!, a.ln1, dq, s.dln, false, a, s, g);
    projBack(device, enc, d, lora, 'k', w.k!, a.ln1, dk, s.dln, true, a, s, g);
    projBack(device, enc, d, lora, 'v', w.v!, a.ln1, s.dv, s.dln, true, a, s, g);
  }
  rmsnormBackward(device, enc, {
    x,
    w: w.ln1,
    dy: s.dln,
    rstd: a.rstd1,
    dx: dres,
    rows: N,
    cols: D,
    accumulate: true,
    offset,
  });
}

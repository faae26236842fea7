// One decoder layer, forward and backward, written out step by step (llm.c style). Every buffer
// comes in from the caller, allocated once from the memory plan; nothing is allocated here.
//
// Forward, N tokens, x = the residual stream entering the layer:
//   ln1 = rmsnorm(x)                         rstd1 saved
//   q|k|v = ln1·Wᵀ (+ b) + LoRA              (Qwen3: q_pre/k_pre, then per-head rmsnorm)
//   q, k = rope(q, k)                         in place, saved rotated
//   attn_out, lse = attention(q, k, v)
//   mid = x + attn_out·Woᵀ + LoRA
//   ln2 = rmsnorm(mid)                       rstd2 saved
//   gate|up = ln2·Wᵀ + LoRA ;  act = silu(gate)·up
//   out = mid + act·Wdᵀ + LoRA
// Backward runs the same list in reverse with dres = ∂loss/∂out, which it turns in place into
// ∂loss/∂x. Only LoRA weights get gradients; frozen weights only pass gradients through.
import {
  linearBackwardInput, linearForward, loraBackward, loraForward, rmsnormBackward, rmsnormForward,
  ropeBackward, ropeForward, swigluBackward, swigluForward,
} from '../kernels/index.ts';
import { attentionBackward, attentionForward } from '../attention/attention.ts';
import type { Tensor } from '../tensor/tensor.ts';
import type { LoraTarget } from '../plan/plan.ts';

export interface LayerDims {
  /** Tokens this step (B·T). */
  N: number;
  hidden: number;
  intermediate: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  eps: number;
}

export interface LayerWeights {
  q: Tensor; k: Tensor; v: Tensor; o: Tensor;
  gate: Tensor; up: Tensor; down: Tensor;
  /** f32 buffers. */
  ln1: GPUBuffer; ln2: GPUBuffer;
  qBias?: GPUBuffer; kBias?: GPUBuffer; vBias?: GPUBuffer; oBias?: GPUBuffer;
  qNorm?: GPUBuffer; kNorm?: GPUBuffer;
}

export interface LoraModule {
  /** f32 [r, in] and [out, r], and their gradients. */
  a: GPUBuffer; b: GPUBuffer; dA: GPUBuffer; dB: GPUBuffer;
  inF: number; outF: number;
}

export interface LayerLora {
  r: number;
  scale: number;
  /** Dropout on the LoRA input; the seed is per module and per step. */
  p: number;
  seeds: Partial<Record<LoraTarget, number>>;
  modules: Partial<Record<LoraTarget, LoraModule>>;
}

/** What backward needs from forward (one set per layer, or one shared set when recomputing). */
export interface LayerActs {
  ln1: GPUBuffer; rstd1: GPUBuffer;
  /** Qwen3: q/k before their per-head norm, and its rstd. */
  qPre?: GPUBuffer; kPre?: GPUBuffer; qRstd?: GPUBuffer; kRstd?: GPUBuffer;
  q: GPUBuffer; k: GPUBuffer; v: GPUBuffer;
  lse: GPUBuffer; attnOut: GPUBuffer;
  mid: GPUBuffer;
  ln2: GPUBuffer; rstd2: GPUBuffer;
  gate: GPUBuffer; up: GPUBuffer; act: GPUBuffer;
  /** X·Aᵀ [N, r] per LoRA target. */
  loraH: Partial<Record<LoraTarget, GPUBuffer>>;
}

/** Scratch shared by every layer's backward (plan names in comments). */
export interface LayerScratch {
  dln: GPUBuffer; // grad.ln [N, D]; also attention backward's rowStats [N, heads, 2]
  dq: GPUBuffer; dk: GPUBuffer; dv: GPUBuffer;
  dattn: GPUBuffer; // grad.attn_out [N, q]; also Qwen3's ∂q_pre
  dgate: GPUBuffer; // grad.gate
  dup: GPUBuffer; // grad.up; also Qwen3's ∂k_pre
  dact: GPUBuffer; // grad.act
  dh: GPUBuffer; // grad.lora_h [N, r]
  xd?: GPUBuffer; // lora.dropout_x [N, widest in]
}

export interface LayerInputs {
  seqIds: GPUBuffer;
  cos: GPUBuffer;
  sin: GPUBuffer;
}

function proj(
  device: GPUDevice, enc: GPUCommandEncoder, d: LayerDims, lora: LayerLora | null, t: LoraTarget,
  w: Tensor, x: GPUBuffer, y: GPUBuffer, acts: LayerActs, scratch: LayerScratch | null,
  opts: { bias?: GPUBuffer; accumulate?: boolean } = {},
): void {
  linearForward(device, enc, x, w, y, d.N, opts);
  const m = lora?.modules[t];
  if (!lora || !m) return;
  loraForward(device, enc, {
    x, a: m.a, b: m.b, y, h: acts.loraH[t]!, xd: scratch?.xd,
    T: d.N, inF: m.inF, outF: m.outF, r: lora.r, scale: lora.scale,
    dropout: lora.p > 0 ? { p: lora.p, seed: lora.seeds[t]! } : undefined,
  });
}

/** Records the forward of one layer: x [N, D] → out [N, D] (out may not alias x). */
export function layerForward(
  device: GPUDevice, enc: GPUCommandEncoder, d: LayerDims, w: LayerWeights, lora: LayerLora | null,
  io: LayerInputs, x: GPUBuffer, out: GPUBuffer, a: LayerActs, scratch: LayerScratch | null,
): void {
  const { N, hidden: D, heads, kvHeads, headDim: hd, eps } = d;
  rmsnormForward(device, enc, { x, w: w.ln1, y: a.ln1, rstd: a.rstd1, rows: N, cols: D, eps });

  const qk = !!w.qNorm;
  proj(device, enc, d, lora, 'q_proj', w.q, a.ln1, qk ? a.qPre! : a.q, a, scratch, { bias: w.qBias });
  proj(device, enc, d, lora, 'k_proj', w.k, a.ln1, qk ? a.kPre! : a.k, a, scratch, { bias: w.kBias });
  proj(device, enc, d, lora, 'v_proj', w.v, a.ln1, a.v, a, scratch, { bias: w.vBias });
  if (qk) {
    rmsnormForward(device, enc, { x: a.qPre!, w: w.qNorm!, y: a.q, rstd: a.qRstd!, rows: N * heads, cols: hd, eps });
    rmsnormForward(device, enc, { x: a.kPre!, w: w.kNorm!, y: a.k, rstd: a.kRstd!, rows: N * kvHeads, cols: hd, eps });
  }
  ropeForward(device, enc, { x: a.q, cos: io.cos, sin: io.sin, T: N, heads, headDim: hd });
  ropeForward(device, enc, { x: a.k, cos: io.cos, sin: io.sin, T: N, heads: kvHeads, headDim: hd });
  attentionForward(device, enc, { T: N, nHeads: heads, nKvHeads: kvHeads, headDim: hd }, {
    q: a.q, k: a.k, v: a.v, seqIds: io.seqIds, out: a.attnOut, lse: a.lse,
  });
  enc.copyBufferToBuffer(x, 0, a.mid, 0, N * D * 4);
  proj(device, enc, d, lora, 'o_proj', w.o, a.attnOut, a.mid, a, scratch, { bias: w.oBias, accumulate: true });

  rmsnormForward(device, enc, { x: a.mid, w: w.ln2, y: a.ln2, rstd: a.rstd2, rows: N, cols: D, eps });
  proj(device, enc, d, lora, 'gate_proj', w.gate, a.ln2, a.gate, a, scratch);
  proj(device, enc, d, lora, 'up_proj', w.up, a.ln2, a.up, a, scratch);
  swigluForward(device, enc, a.gate, a.up, a.act, N * d.intermediate);
  enc.copyBufferToBuffer(a.mid, 0, out, 0, N * D * 4);
  proj(device, enc, d, lora, 'down_proj', w.down, a.act, out, a, scratch, { accumulate: true });
}

/**
 * dx (+)= ∂/∂x of y = x·Wᵀ + LoRA(x), given dy; fills the LoRA module's dA, dB.
 * `accumulateDx` adds to dx (for q/k/v and gate/up, which share their input).
 */
function projBack(
  device: GPUDevice, enc: GPUCommandEncoder, d: LayerDims, lora: LayerLora | null, t: LoraTarget, w: Tensor,
  x: GPUBuffer, dy: GPUBuffer, dx: GPUBuffer, accumulateDx: boolean, a: LayerActs, s: LayerScratch,
  accumulateGrads: boolean,
): void {
  linearBackwardInput(device, enc, dy, w, dx, d.N, { accumulate: accumulateDx });
  const m = lora?.modules[t];
  if (!lora || !m) return;
  loraBackward(device, enc, {
    x, a: m.a, b: m.b, h: a.loraH[t]!, dy, dA: m.dA, dB: m.dB, dx, dh: s.dh, xd: s.xd,
    T: d.N, inF: m.inF, outF: m.outF, r: lora.r, scale: lora.scale,
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
  device: GPUDevice, enc: GPUCommandEncoder, d: LayerDims, w: LayerWeights, lora: LayerLora | null,
  io: LayerInputs, x: GPUBuffer, a: LayerActs, s: LayerScratch, dres: GPUBuffer, accumulateGrads = false,
): void {
  const { N, hidden: D, heads, kvHeads, headDim: hd } = d;
  // MLP: out = mid + down(silu(gate)·up)
  projBack(device, enc, d, lora, 'down_proj', w.down, a.act, dres, s.dact, false, a, s, accumulateGrads);
  swigluBackward(device, enc, a.gate, a.up, s.dact, s.dgate, s.dup, N * d.intermediate);
  projBack(device, enc, d, lora, 'gate_proj', w.gate, a.ln2, s.dgate, s.dln, false, a, s, accumulateGrads);
  projBack(device, enc, d, lora, 'up_proj', w.up, a.ln2, s.dup, s.dln, true, a, s, accumulateGrads);
  rmsnormBackward(device, enc, { x: a.mid, w: w.ln2, dy: s.dln, rstd: a.rstd2, dx: dres, rows: N, cols: D, accumulate: true });

  // Attention: mid = x + o(attention(rope(q), rope(k), v))
  projBack(device, enc, d, lora, 'o_proj', w.o, a.attnOut, dres, s.dattn, false, a, s, accumulateGrads);
  attentionBackward(device, enc, { T: N, nHeads: heads, nKvHeads: kvHeads, headDim: hd }, {
    q: a.q, k: a.k, v: a.v, seqIds: io.seqIds, out: a.attnOut, lse: a.lse,
    dOut: s.dattn, rowStats: s.dln, dq: s.dq, dk: s.dk, dv: s.dv,
  });
  ropeBackward(device, enc, { x: s.dq, cos: io.cos, sin: io.sin, T: N, heads, headDim: hd });
  ropeBackward(device, enc, { x: s.dk, cos: io.cos, sin: io.sin, T: N, heads: kvHeads, headDim: hd });
  let dq = s.dq;
  let dk = s.dk;
  if (w.qNorm) {
    // ∂q_pre goes where ∂attn_out was (consumed above), ∂k_pre into grad.up (consumed too).
    rmsnormBackward(device, enc, { x: a.qPre!, w: w.qNorm, dy: s.dq, rstd: a.qRstd!, dx: s.dattn, rows: N * heads, cols: hd });
    rmsnormBackward(device, enc, { x: a.kPre!, w: w.kNorm!, dy: s.dk, rstd: a.kRstd!, dx: s.dup, rows: N * kvHeads, cols: hd });
    dq = s.dattn;
    dk = s.dup;
  }
  projBack(device, enc, d, lora, 'q_proj', w.q, a.ln1, dq, s.dln, false, a, s, accumulateGrads);
  projBack(device, enc, d, lora, 'k_proj', w.k, a.ln1, dk, s.dln, true, a, s, accumulateGrads);
  projBack(device, enc, d, lora, 'v_proj', w.v, a.ln1, s.dv, s.dln, true, a, s, accumulateGrads);
  rmsnormBackward(device, enc, { x, w: w.ln1, dy: s.dln, rstd: a.rstd1, dx: dres, rows: N, cols: D, accumulate: true });
}

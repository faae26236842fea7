// RoPE: inverse frequencies (default, Llama-3, linear, LongRoPE and dynamic NTK, as transformers'
// modeling_rope_utils computes them in float32), per-token cos/sin tables from explicit
// position ids, and the in-place rotate-half kernel forward and backward (over the first
// `rotaryDim` dims of each head: Phi-3's partial rotary).
import src from '../../../shaders/rope.wgsl?raw';
import { kernelSpec, runKernel } from '../runtime/spec.ts';
import { dummyBuffer, grid1d } from '../runtime/grid.ts';
import type { Llama3RopeScaling, RopeScaling } from '../../model/types.ts';

export type { Llama3RopeScaling };

const fr = Math.fround;

/**
 * inv_freq[i] = 1 / theta^(2i/dim) in float32 (torch: `1.0 / (base ** (arange(0, dim, 2).float() / dim))`),
 * then, for rope_type llama3, transformers' `_compute_llama3_parameters`: wavelengths longer
 * than original_max/low_freq_factor are divided by `factor`, shorter than
 * original_max/high_freq_factor kept, and those between blended smoothly.
 */
export function ropeInvFreq(headDim: number, theta: number, scaling?: Llama3RopeScaling | null): Float32Array {
  const half = headDim / 2;
  const inv = new Float32Array(half);
  for (let i = 0; i < half; i++) {
    const expo = fr(fr(2 * i) / headDim);
    // base ** tensor: torch computes pow in f32 from a f32 exponent.
    inv[i] = fr(1 / fr(Math.pow(theta, expo)));
  }
  if (!scaling) return inv;
  const { factor, low_freq_factor: lo, high_freq_factor: hi, original_max_position_embeddings: old } = scaling;
  const lowWavelen = old / lo;
  const highWavelen = old / hi;
  const out = new Float32Array(half);
  for (let i = 0; i < half; i++) {
    const wavelen = fr((2 * Math.PI) / inv[i]);
    let f = wavelen > lowWavelen ? fr(inv[i] / factor) : inv[i];
    if (!(wavelen < highWavelen) && !(wavelen > lowWavelen)) {
      const smooth = fr(fr(fr(old / wavelen) - lo) / (hi - lo));
      f = fr(fr(fr(fr(1 - smooth) * f) / factor) + fr(smooth * f));
    }
    out[i] = f;
  }
  return out;
}

/** One RoPE as a layer uses it: rotated dims, base, scaling, and the model's trained length. */
export interface RopeParams {
  dim: number;
  theta: number;
  scaling: RopeScaling | null;
  maxPositionEmbeddings: number;
}

/**
 * The inverse frequencies and cos/sin scale of a RoPE for a forward whose largest position is
 * `maxPosition` (transformers recomputes LongRoPE and dynamic NTK from max(position_ids) + 1).
 */
export function ropeFrequencies(
  p: RopeParams,
  maxPosition: number,
): { invFreq: Float32Array; attentionScaling: number } {
  const s = p.scaling;
  const seqLen = maxPosition + 1;
  if (!s || s.rope_type === 'llama3') return { invFreq: ropeInvFreq(p.dim, p.theta, s), attentionScaling: 1 };
  if (s.rope_type === 'linear') {
    // _compute_linear_scaling_parameters: inv_freq /= factor.
    return { invFreq: ropeInvFreq(p.dim, p.theta).map((f) => fr(f / s.factor)), attentionScaling: 1 };
  }
  if (s.rope_type === 'dynamic') {
    // InternLM2DynamicNTKScalingRotaryEmbedding (and transformers' _compute_dynamic_ntk_parameters):
    // within the trained length the default RoPE; past it the base grows with the forward's
    // max(position_ids) + 1, base · ((factor · seqLen / maxPos) − (factor − 1))^(dim / (dim − 2)),
    // in float32 as torch computes it. Per forward, as a freshly loaded model does: transformers
    // also keeps the largest base seen across calls (a cache), which depends on call order.
    if (seqLen <= p.maxPositionEmbeddings) return { invFreq: ropeInvFreq(p.dim, p.theta), attentionScaling: 1 };
    const grow = fr(fr(fr(s.factor * seqLen) / p.maxPositionEmbeddings) - (s.factor - 1));
    const base = fr(p.theta * fr(Math.pow(grow, fr(p.dim / (p.dim - 2)))));
    return { invFreq: ropeInvFreq(p.dim, base), attentionScaling: 1 };
  }
  // longrope (_compute_longrope_parameters + longrope_frequency_update): long factors once the
  // sequence passes the pretrained length, short ones before; inv_freq = 1 / (ext · base^(2i/dim)).
  const ext = seqLen > s.original_max_position_embeddings ? s.long_factor : s.short_factor;
  const half = p.dim / 2;
  const inv = new Float32Array(half);
  for (let i = 0; i < half; i++) inv[i] = fr(1 / fr(fr(ext[i]) * fr(Math.pow(p.theta, fr(fr(2 * i) / p.dim)))));
  return { invFreq: inv, attentionScaling: fr(s.attention_factor) };
}

/** cos/sin tables [T, D/2] for the given position ids, rounded like torch's f32 math. */
export function ropeTables(positionIds: ArrayLike<number>, invFreq: Float32Array, attentionScaling = 1) {
  const half = invFreq.length;
  const T = positionIds.length;
  const cos = new Float32Array(T * half);
  const sin = new Float32Array(T * half);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < half; i++) {
      const ang = fr(positionIds[t] * invFreq[i]);
      cos[t * half + i] = fr(fr(Math.cos(ang)) * attentionScaling);
      sin[t * half + i] = fr(fr(Math.sin(ang)) * attentionScaling);
    }
  }
  return { cos, sin };
}

export interface RopeArgs {
  /** Rotated in place: element (t, h, i) at off + t·stride + h·D + i. */
  x: GPUBuffer;
  /** [T, rotaryDim/2] tables. */
  cos: GPUBuffer;
  sin: GPUBuffer;
  T: number;
  heads: number;
  headDim: number;
  /** Leading dims of each head that rotate (default headDim); the rest pass through. */
  rotaryDim?: number;
  /** Elements between tokens (default heads·headDim). */
  stride?: number;
  off?: number;
  /** A second tensor [T, heads, headDim] (packed) rotated by the same tables in the same dispatch. */
  also?: { x: GPUBuffer; heads: number };
}

const ROPE = kernelSpec({
  file: 'rope.wgsl',
  source: src,
  entryPoint: 'rope',
  bindings: ['x', 'y', 'cos_t', 'sin_t'],
  uniform: [
    ['T', 'u32'],
    ['H', 'u32'],
    ['D', 'u32'],
    ['stride', 'u32'],
    ['off', 'u32'],
    ['sign', 'f32'],
    ['R', 'u32'],
    ['H2', 'u32'],
  ],
});

function dispatch(device: GPUDevice, enc: GPUCommandEncoder, a: RopeArgs, sign: number): void {
  const rot = a.rotaryDim ?? a.headDim;
  const H2 = a.also?.heads ?? 0;
  const n = a.T * (a.heads + H2) * (rot / 2);
  runKernel(
    device,
    enc,
    ROPE,
    { x: a.x, y: a.also?.x ?? dummyBuffer(device), cos_t: a.cos, sin_t: a.sin },
    {
      T: a.T,
      H: a.heads,
      D: a.headDim,
      stride: a.stride ?? a.heads * a.headDim,
      off: a.off ?? 0,
      sign,
      R: rot,
      H2,
    },
    grid1d(device, n),
  );
}

export function ropeForward(device: GPUDevice, enc: GPUCommandEncoder, a: RopeArgs): void {
  dispatch(device, enc, a, 1);
}

/** In place on the gradient: the inverse rotation. */
export function ropeBackward(device: GPUDevice, enc: GPUCommandEncoder, a: RopeArgs): void {
  dispatch(device, enc, a, -1);
}

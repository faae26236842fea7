// The frozen weights the decoder reads, by Hugging Face name. Matrices stay in their checkpoint
// dtype (bf16/f16 packed two per u32, or f32); norm weights and biases are tiny and the kernels
// read them as f32, so they are widened here, exactly, on the CPU.
import type { ModelSpec } from '../../model/types.ts';
import { fusedSplit, layerTensorNames, modelTensorNames } from '../../model/layout.ts';
import { toFloat32 } from '../../model/safetensors/float.ts';
import type { SafetensorsDtype } from '../../model/safetensors/dtypes.ts';
import { buf, tensorFromF32, weightTensor, type Tensor } from '../tensor/tensor.ts';
import type { DType } from '../tensor/dtype.ts';
import { layerRope } from './batch.ts';
import type { LayerKind, LayerWeights } from './layer.ts';

export type DecoderWeights = ReadonlyMap<string, Tensor>;

const MATRIX_DTYPE: Partial<Record<SafetensorsDtype, DType>> = { F32: 'f32', BF16: 'bf16', F16: 'f16' };

/** True for the 1-D tensors (norm weights, biases) the kernels want in f32. */
export function isSmallF32(name: string): boolean {
  return name.endsWith('norm.weight') || name.endsWith('.bias');
}

/**
 * Uploads checkpoint tensors (as `SafetensorsFile.stream()` yields them) to the GPU: matrices in
 * their own dtype, norm weights and biases widened to f32. `maxBytes` overrides the binding limit
 * used to split big matrices by rows (tests use it to force splitting). With `keep`, other
 * tensors (a multimodal checkpoint's vision tower) pass by without being uploaded.
 */
export async function uploadWeights(
  device: GPUDevice,
  tensors:
    | AsyncIterable<{ name: string; dtype: SafetensorsDtype; shape: number[]; data: Uint8Array }>
    | Iterable<{ name: string; dtype: SafetensorsDtype; shape: number[]; data: Uint8Array }>,
  maxBytes?: number,
  keep?: ReadonlySet<string>,
): Promise<Map<string, Tensor>> {
  const out = new Map<string, Tensor>();
  for await (const t of tensors) {
    if (t.name.endsWith('rotary_emb.inv_freq')) continue;
    if (keep && !keep.has(t.name)) continue;
    const dtype = MATRIX_DTYPE[t.dtype];
    if (!dtype) throw new Error(`weight ${t.name}: dtype ${t.dtype} is not supported (F32, BF16, F16)`);
    if (isSmallF32(t.name) || dtype === 'f32') {
      out.set(t.name, tensorFromF32(device, toFloat32(t.dtype, t.data), t.shape, t.name, maxBytes));
    } else {
      // Copy: stream() hands out views that the next read may reuse.
      out.set(t.name, weightTensor(device, t.data.slice(), t.shape, dtype, t.name, maxBytes));
    }
  }
  return out;
}

/** The weight, or an error naming what is missing. */
export function need(weights: DecoderWeights, name: string, f32 = false): Tensor {
  const t = weights.get(name);
  if (!t) throw new Error(`decoder: weight ${name} is missing`);
  if (f32 && t.dtype !== 'f32') throw new Error(`decoder: ${name} must be f32 (uploadWeights widens norms and biases)`);
  return t;
}

/** The LM head: lm_head.weight (InternLM2: output.weight), or the embedding when tied. */
export function headWeight(spec: ModelSpec, weights: DecoderWeights): Tensor {
  return need(weights, modelTensorNames(spec).lmHead);
}

export function embedWeight(spec: ModelSpec, weights: DecoderWeights): Tensor {
  return need(weights, modelTensorNames(spec).embed);
}

/** The final norm's weight (f32). */
export function finalNormWeight(spec: ModelSpec, weights: DecoderWeights): GPUBuffer {
  return buf(need(weights, modelTensorNames(spec).norm, true));
}

/** One layer's frozen weights, by what each computes (model/layout.ts names them per architecture). */
export function layerWeights(spec: ModelSpec, weights: DecoderWeights, l: number): LayerWeights {
  const n = layerTensorNames(spec, l);
  const mat = (name: string | undefined) => (name ? need(weights, name) : undefined);
  const f32 = (name: string | undefined) => (name ? buf(need(weights, name, true)) : undefined);
  return {
    q: mat(n.q),
    k: mat(n.k),
    v: mat(n.v),
    qkv: mat(n.qkv),
    o: need(weights, n.o),
    gate: mat(n.gate),
    up: mat(n.up),
    gateUp: mat(n.gateUp),
    down: need(weights, n.down),
    ln1: f32(n.inputNorm)!,
    ln2: f32(n.mlpNorm)!,
    postAttn: f32(n.postAttnNorm),
    postMlp: f32(n.postMlpNorm),
    qBias: f32(n.qBias),
    kBias: f32(n.kBias),
    vBias: f32(n.vBias),
    // Llama/Qwen3 with attention_bias carry an o_proj bias; a checkpoint may still omit it.
    oBias: n.oBias && weights.has(n.oBias) ? f32(n.oBias) : undefined,
    qNorm: f32(n.qNorm),
    kNorm: f32(n.kNorm),
  };
}

/** What kind of layer l of the spec is (RoPE table, attention settings, norms, activation). */
export function layerKind(spec: ModelSpec, l: number): LayerKind {
  const fused = spec.arch === 'phi3' || spec.arch === 'internlm2';
  return {
    rope: layerRope(spec, l),
    rotaryDim: spec.rotary_dim,
    attnScale: spec.attn_scale,
    softcap: spec.attn_logit_softcapping ?? 0,
    window: spec.layer_types[l] === 'sliding_attention' ? (spec.sliding_window ?? 0) : 0,
    normOffset: spec.norm_unit_offset ? 1 : 0,
    act: spec.hidden_act,
    sandwich: spec.sandwich_norms,
    qkvSplit: fused ? fusedSplit(spec, 'qkv') : undefined,
    gateUpSplit: spec.arch === 'phi3' ? fusedSplit(spec, 'gate_up') : undefined,
  };
}

// The frozen weights the decoder reads, by Hugging Face name. Matrices stay in their checkpoint
// dtype (bf16/f16 packed two per u32, or f32); norm weights and biases are tiny and the kernels
// read them as f32, so they are widened here, exactly, on the CPU.
import type { ModelSpec } from '../../model/types.ts';
import { toFloat32 } from '../../model/safetensors/float.ts';
import type { SafetensorsDtype } from '../../model/safetensors/dtypes.ts';
import { tensorFromF32, weightTensor, type Tensor } from '../tensor/tensor.ts';
import type { DType } from '../tensor/dtype.ts';

export type DecoderWeights = ReadonlyMap<string, Tensor>;

const MATRIX_DTYPE: Partial<Record<SafetensorsDtype, DType>> = { F32: 'f32', BF16: 'bf16', F16: 'f16' };

/** True for the 1-D tensors (norm weights, biases) the kernels want in f32. */
export function isSmallF32(name: string): boolean {
  return name.endsWith('norm.weight') || name.endsWith('.bias');
}

/**
 * Uploads checkpoint tensors (as `SafetensorsFile.stream()` yields them) to the GPU: matrices in
 * their own dtype, norm weights and biases widened to f32. `maxBytes` overrides the binding limit
 * used to split big matrices by rows (tests use it to force splitting).
 */
export async function uploadWeights(
  device: GPUDevice,
  tensors: AsyncIterable<{ name: string; dtype: SafetensorsDtype; shape: number[]; data: Uint8Array }> |
    Iterable<{ name: string; dtype: SafetensorsDtype; shape: number[]; data: Uint8Array }>,
  maxBytes?: number,
): Promise<Map<string, Tensor>> {
  const out = new Map<string, Tensor>();
  for await (const t of tensors) {
    if (t.name.endsWith('rotary_emb.inv_freq')) continue;
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

/** The LM head: lm_head.weight, or the embedding when tied. */
export function headWeight(spec: ModelSpec, weights: DecoderWeights): Tensor {
  return need(weights, spec.tie_word_embeddings ? 'model.embed_tokens.weight' : 'lm_head.weight');
}

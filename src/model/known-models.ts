// The small Hub models the studio offers in its picker. Each entry carries the facts of the
// model's config.json (hand-copied from the Hub), so parameter counts and download sizes are
// computed from the same spec the loader will use rather than typed in.
import { parseConfig } from './config.ts';
import { DTYPE_BITS } from './safetensors/dtypes.ts';
import { buildHeader } from './safetensors/writer.ts';
import { expectedTensors, paramCount } from './tensors.ts';
import type { Arch, ModelSpec } from './types.ts';

export interface KnownModel {
  /** Hub id, e.g. `Qwen/Qwen3-0.6B`. */
  id: string;
  arch: Arch;
  /** Chat template family, for the template picker's default. */
  family: 'chatml' | 'llama3';
  /** Gated on the Hub: an access token with accepted terms is needed. */
  gated: boolean;
  spec: ModelSpec;
  /**
   * Parameters stored in the checkpoint, as the Hub counts them: tied embeddings once, except
   * where the file carries a redundant `lm_head.weight` too (Qwen3-0.6B does).
   */
  params: number;
  /** The checkpoint stores `lm_head.weight` although embeddings are tied. */
  storesTiedHead: boolean;
  /**
   * Bytes of the single `model.safetensors` in its stored dtype: 8 + header + data, where the
   * header is the one transformers' `save_pretrained` writes (`{"format":"pt"}` metadata).
   */
  downloadBytes: number;
}

const LLAMA = { architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_act: 'silu', attention_bias: false, mlp_bias: false };
const QWEN2 = { architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', hidden_act: 'silu', use_sliding_window: false };

/** config.json facts of each model (fields that shape the network). */
export const KNOWN_CONFIGS: Record<
  string,
  { family: KnownModel['family']; gated: boolean; storesTiedHead?: boolean; config: Record<string, unknown> }
> = {
  'HuggingFaceTB/SmolLM2-135M-Instruct': {
    family: 'chatml',
    gated: false,
    config: {
      ...LLAMA, bos_token_id: 1, eos_token_id: 2, pad_token_id: 2, hidden_size: 576, intermediate_size: 1536,
      max_position_embeddings: 8192, num_attention_heads: 9, num_hidden_layers: 30, num_key_value_heads: 3,
      rms_norm_eps: 1e-5, rope_scaling: null, rope_theta: 100000, tie_word_embeddings: true, torch_dtype: 'bfloat16', vocab_size: 49152,
    },
  },
  'HuggingFaceTB/SmolLM2-360M-Instruct': {
    family: 'chatml',
    gated: false,
    config: {
      ...LLAMA, bos_token_id: 1, eos_token_id: 2, pad_token_id: 2, hidden_size: 960, intermediate_size: 2560,
      max_position_embeddings: 8192, num_attention_heads: 15, num_hidden_layers: 32, num_key_value_heads: 5,
      rms_norm_eps: 1e-5, rope_scaling: null, rope_theta: 100000, tie_word_embeddings: true, torch_dtype: 'bfloat16', vocab_size: 49152,
    },
  },
  'Qwen/Qwen2.5-0.5B-Instruct': {
    family: 'chatml',
    gated: false,
    config: {
      ...QWEN2, bos_token_id: 151643, eos_token_id: 151645, hidden_size: 896, intermediate_size: 4864,
      max_position_embeddings: 32768, max_window_layers: 21, num_attention_heads: 14, num_hidden_layers: 24, num_key_value_heads: 2,
      rms_norm_eps: 1e-6, rope_theta: 1000000.0, sliding_window: 32768, tie_word_embeddings: true, torch_dtype: 'bfloat16', vocab_size: 151936,
    },
  },
  'Qwen/Qwen2.5-1.5B-Instruct': {
    family: 'chatml',
    gated: false,
    config: {
      ...QWEN2, bos_token_id: 151643, eos_token_id: 151645, hidden_size: 1536, intermediate_size: 8960,
      max_position_embeddings: 32768, max_window_layers: 21, num_attention_heads: 12, num_hidden_layers: 28, num_key_value_heads: 2,
      rms_norm_eps: 1e-6, rope_theta: 1000000.0, sliding_window: 32768, tie_word_embeddings: true, torch_dtype: 'bfloat16', vocab_size: 151936,
    },
  },
  'Qwen/Qwen3-0.6B': {
    family: 'chatml',
    gated: false,
    storesTiedHead: true,
    config: {
      architectures: ['Qwen3ForCausalLM'], model_type: 'qwen3', attention_bias: false, bos_token_id: 151643, eos_token_id: 151645,
      head_dim: 128, hidden_act: 'silu', hidden_size: 1024, intermediate_size: 3072, max_position_embeddings: 40960,
      max_window_layers: 28, num_attention_heads: 16, num_hidden_layers: 28, num_key_value_heads: 8, rms_norm_eps: 1e-6,
      rope_scaling: null, rope_theta: 1000000, sliding_window: null, tie_word_embeddings: true, torch_dtype: 'bfloat16',
      use_sliding_window: false, vocab_size: 151936,
    },
  },
  'meta-llama/Llama-3.2-1B-Instruct': {
    family: 'llama3',
    gated: true,
    config: {
      ...LLAMA, bos_token_id: 128000, eos_token_id: [128001, 128008, 128009], head_dim: 64, hidden_size: 2048,
      intermediate_size: 8192, max_position_embeddings: 131072, num_attention_heads: 32, num_hidden_layers: 16,
      num_key_value_heads: 8, rms_norm_eps: 1e-5,
      rope_scaling: { factor: 32.0, high_freq_factor: 4.0, low_freq_factor: 1.0, original_max_position_embeddings: 8192, rope_type: 'llama3' },
      rope_theta: 500000.0, tie_word_embeddings: true, torch_dtype: 'bfloat16', vocab_size: 128256,
    },
  },
};

const STORAGE: Record<ModelSpec['torch_dtype'], 'F32' | 'BF16' | 'F16'> = { float32: 'F32', bfloat16: 'BF16', float16: 'F16' };

/** The tensors a checkpoint file stores (with the redundant tied head when it has one). */
function storedTensors(spec: ModelSpec, storesTiedHead: boolean) {
  return expectedTensors(storesTiedHead ? { ...spec, tie_word_embeddings: false } : spec);
}

/** Size of a single-file checkpoint of `spec` as transformers saves it. */
export function checkpointBytes(spec: ModelSpec, storesTiedHead = false): number {
  const dtype = STORAGE[spec.torch_dtype];
  const tensors = storedTensors(spec, storesTiedHead).map((t) => ({ ...t, dtype }));
  const { header, dataLength } = buildHeader(tensors, { format: 'pt' });
  return 8 + header.length + dataLength;
}

export const KNOWN_MODELS: KnownModel[] = Object.entries(KNOWN_CONFIGS).map(([id, k]) => {
  const spec = parseConfig(k.config);
  const stores = k.storesTiedHead ?? false;
  return {
    id,
    arch: spec.arch,
    family: k.family,
    gated: k.gated,
    spec,
    params: paramCount(stores ? { ...spec, tie_word_embeddings: false } : spec),
    storesTiedHead: stores,
    downloadBytes: checkpointBytes(spec, stores),
  };
});

/** Bytes per parameter of a spec's storage dtype. */
export function bytesPerParam(spec: ModelSpec): number {
  return DTYPE_BITS[STORAGE[spec.torch_dtype]] / 8;
}

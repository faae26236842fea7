// The small Hub models the studio offers in its picker. Each entry carries the facts of the
// model's config.json (hand-copied from the Hub), so parameter counts and download sizes are
// computed from the same spec the loader will use rather than typed in. A listed model whose
// architecture this build cannot train yet is listed too, with the reason (NOT_YET_TRAINABLE):
// a user looking for it learns why, instead of not finding it.
import { ConfigError, parseConfig } from './config.ts';
import { DTYPE_BITS } from './safetensors/dtypes.ts';
import { buildHeader } from './safetensors/writer.ts';
import { expectedTensors, paramCount } from './tensors.ts';
import type { Arch, ModelSpec } from './types.ts';

export interface KnownModel {
  /** Hub id, e.g. `Qwen/Qwen3-0.6B`. */
  id: string;
  arch: Arch;
  /** Chat template family (the special tokens' style). */
  family: 'chatml' | 'llama3' | 'gemma' | 'phi';
  /** The Prism template the model was trained with (its official chat template's id). */
  template: string;
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

const LLAMA = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  hidden_act: 'silu',
  attention_bias: false,
  mlp_bias: false,
};
const QWEN2 = {
  architectures: ['Qwen2ForCausalLM'],
  model_type: 'qwen2',
  hidden_act: 'silu',
  use_sliding_window: false,
};

export interface KnownConfig {
  family: KnownModel['family'];
  template: string;
  gated: boolean;
  storesTiedHead?: boolean;
  config: Record<string, unknown>;
  /** Why this build cannot train it, when its architecture is not in the engine (shown in the picker). */
  notYet?: string;
  /** The size in the model's name, shown while it is not trainable (then it has no spec to count). */
  size?: string;
}

/** config.json facts of each model (fields that shape the network). */
export const KNOWN_CONFIGS: Record<string, KnownConfig> = {
  'HuggingFaceTB/SmolLM2-135M-Instruct': {
    family: 'chatml',
    template: 'smollm2',
    gated: false,
    config: {
      ...LLAMA,
      bos_token_id: 1,
      eos_token_id: 2,
      pad_token_id: 2,
      hidden_size: 576,
      intermediate_size: 1536,
      max_position_embeddings: 8192,
      num_attention_heads: 9,
      num_hidden_layers: 30,
      num_key_value_heads: 3,
      rms_norm_eps: 1e-5,
      rope_scaling: null,
      rope_theta: 100000,
      tie_word_embeddings: true,
      torch_dtype: 'bfloat16',
      vocab_size: 49152,
    },
  },
  'HuggingFaceTB/SmolLM2-360M-Instruct': {
    family: 'chatml',
    template: 'smollm2',
    gated: false,
    config: {
      ...LLAMA,
      bos_token_id: 1,
      eos_token_id: 2,
      pad_token_id: 2,
      hidden_size: 960,
      intermediate_size: 2560,
      max_position_embeddings: 8192,
      num_attention_heads: 15,
      num_hidden_layers: 32,
      num_key_value_heads: 5,
      rms_norm_eps: 1e-5,
      rope_scaling: null,
      rope_theta: 100000,
      tie_word_embeddings: true,
      torch_dtype: 'bfloat16',
      vocab_size: 49152,
    },
  },
  'Qwen/Qwen2.5-0.5B-Instruct': {
    family: 'chatml',
    template: 'qwen2_5',
    gated: false,
    config: {
      ...QWEN2,
      bos_token_id: 151643,
      eos_token_id: 151645,
      hidden_size: 896,
      intermediate_size: 4864,
      max_position_embeddings: 32768,
      max_window_layers: 21,
      num_attention_heads: 14,
      num_hidden_layers: 24,
      num_key_value_heads: 2,
      rms_norm_eps: 1e-6,
      rope_theta: 1000000.0,
      sliding_window: 32768,
      tie_word_embeddings: true,
      torch_dtype: 'bfloat16',
      vocab_size: 151936,
    },
  },
  'Qwen/Qwen2.5-1.5B-Instruct': {
    family: 'chatml',
    template: 'qwen2_5',
    gated: false,
    config: {
      ...QWEN2,
      bos_token_id: 151643,
      eos_token_id: 151645,
      hidden_size: 1536,
      intermediate_size: 8960,
      max_position_embeddings: 32768,
      max_window_layers: 21,
      num_attention_heads: 12,
      num_hidden_layers: 28,
      num_key_value_heads: 2,
      rms_norm_eps: 1e-6,
      rope_theta: 1000000.0,
      sliding_window: 32768,
      tie_word_embeddings: true,
      torch_dtype: 'bfloat16',
      vocab_size: 151936,
    },
  },
  'Qwen/Qwen3-0.6B': {
    family: 'chatml',
    template: 'qwen3',
    gated: false,
    storesTiedHead: true,
    config: {
      architectures: ['Qwen3ForCausalLM'],
      model_type: 'qwen3',
      attention_bias: false,
      bos_token_id: 151643,
      eos_token_id: 151645,
      head_dim: 128,
      hidden_act: 'silu',
      hidden_size: 1024,
      intermediate_size: 3072,
      max_position_embeddings: 40960,
      max_window_layers: 28,
      num_attention_heads: 16,
      num_hidden_layers: 28,
      num_key_value_heads: 8,
      rms_norm_eps: 1e-6,
      rope_scaling: null,
      rope_theta: 1000000,
      sliding_window: null,
      tie_word_embeddings: true,
      torch_dtype: 'bfloat16',
      use_sliding_window: false,
      vocab_size: 151936,
    },
  },
  'meta-llama/Llama-3.2-1B-Instruct': {
    family: 'llama3',
    template: 'llama3_2',
    gated: true,
    config: {
      ...LLAMA,
      bos_token_id: 128000,
      eos_token_id: [128001, 128008, 128009],
      head_dim: 64,
      hidden_size: 2048,
      intermediate_size: 8192,
      max_position_embeddings: 131072,
      num_attention_heads: 32,
      num_hidden_layers: 16,
      num_key_value_heads: 8,
      rms_norm_eps: 1e-5,
      rope_scaling: {
        factor: 32.0,
        high_freq_factor: 4.0,
        low_freq_factor: 1.0,
        original_max_position_embeddings: 8192,
        rope_type: 'llama3',
      },
      rope_theta: 500000.0,
      tie_word_embeddings: true,
      torch_dtype: 'bfloat16',
      vocab_size: 128256,
    },
  },
  // A standard LlamaForCausalLM (model card: 1,080,632,832 parameters, 24 layers, 16 query / 2 KV heads);
  // ms-swift registers it with the llama loader. Token ids are left out (not re-read from the Hub).
  'openbmb/MiniCPM5-1B': {
    family: 'chatml',
    template: 'minicpm5',
    gated: false,
    config: {
      ...LLAMA,
      head_dim: 128,
      hidden_size: 1536,
      intermediate_size: 4608,
      max_position_embeddings: 131072,
      num_attention_heads: 16,
      num_hidden_layers: 24,
      num_key_value_heads: 2,
      rms_norm_eps: 1e-6,
      rope_scaling: null,
      rope_theta: 5000000,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
      vocab_size: 130560,
    },
  },
  // SmolLM3ForCausalLM: a Llama whose every 4th layer has no RoPE (no_rope_layers).
  'HuggingFaceTB/SmolLM3-3B': {
    family: 'chatml',
    template: 'smollm3',
    gated: false,
    config: {
      architectures: ['SmolLM3ForCausalLM'],
      model_type: 'smollm3',
      attention_bias: false,
      mlp_bias: false,
      hidden_act: 'silu',
      bos_token_id: 128000,
      eos_token_id: 128012,
      pad_token_id: 128004,
      hidden_size: 2048,
      intermediate_size: 11008,
      max_position_embeddings: 65536,
      num_attention_heads: 16,
      num_hidden_layers: 36,
      num_key_value_heads: 4,
      no_rope_layer_interval: 4,
      no_rope_layers: Array.from({ length: 36 }, (_, i) => ((i + 1) % 4 === 0 ? 0 : 1)),
      rms_norm_eps: 1e-6,
      rope_scaling: null,
      rope_theta: 5000000.0,
      tie_word_embeddings: true,
      torch_dtype: 'bfloat16',
      use_sliding_window: false,
      sliding_window: null,
      vocab_size: 128256,
    },
  },
  // Gemma3ForCausalLM, 268,098,176 parameters (the Hub's count): 5 sliding-window layers (512) to 1
  // global one, head_dim 256 with 4 query / 1 KV heads, a 262,144-row vocabulary; gated (license).
  'google/gemma-3-270m-it': {
    family: 'gemma',
    template: 'gemma3',
    gated: true,
    config: {
      architectures: ['Gemma3ForCausalLM'],
      model_type: 'gemma3_text',
      attention_bias: false,
      bos_token_id: 2,
      pad_token_id: 0,
      head_dim: 256,
      hidden_activation: 'gelu_pytorch_tanh',
      hidden_size: 640,
      intermediate_size: 2048,
      layer_types: Array.from({ length: 18 }, (_, i) => ((i + 1) % 6 === 0 ? 'full_attention' : 'sliding_attention')),
      max_position_embeddings: 32768,
      num_attention_heads: 4,
      num_hidden_layers: 18,
      num_key_value_heads: 1,
      query_pre_attn_scalar: 256,
      rms_norm_eps: 1e-6,
      rope_local_base_freq: 10000.0,
      rope_scaling: null,
      rope_theta: 1000000.0,
      sliding_window: 512,
      final_logit_softcapping: null,
      attn_logit_softcapping: null,
      tie_word_embeddings: true,
      torch_dtype: 'bfloat16',
      vocab_size: 262144,
    },
  },
  // Gemma3ForCausalLM, 999,885,952 parameters: 26 layers (every 6th global), hidden 1152.
  'google/gemma-3-1b-it': {
    family: 'gemma',
    template: 'gemma3',
    gated: true,
    config: {
      architectures: ['Gemma3ForCausalLM'],
      model_type: 'gemma3_text',
      attention_bias: false,
      bos_token_id: 2,
      pad_token_id: 0,
      head_dim: 256,
      hidden_activation: 'gelu_pytorch_tanh',
      hidden_size: 1152,
      intermediate_size: 6912,
      max_position_embeddings: 32768,
      num_attention_heads: 4,
      num_hidden_layers: 26,
      num_key_value_heads: 1,
      query_pre_attn_scalar: 256,
      rms_norm_eps: 1e-6,
      rope_local_base_freq: 10000.0,
      rope_scaling: null,
      rope_theta: 1000000.0,
      sliding_window: 512,
      sliding_window_pattern: 6,
      final_logit_softcapping: null,
      attn_logit_softcapping: null,
      tie_word_embeddings: true,
      torch_dtype: 'bfloat16',
      vocab_size: 262144,
    },
  },
  // InternLM2ForCausalLM (remote code), 1,889,110,016 parameters: wqkv packed per KV group, untied
  // output head, dynamic NTK RoPE (factor 2) past 32,768 positions.
  'internlm/internlm2_5-1_8b-chat': {
    family: 'chatml',
    template: 'internlm2',
    gated: false,
    config: {
      architectures: ['InternLM2ForCausalLM'],
      model_type: 'internlm2',
      bias: false,
      bos_token_id: 1,
      eos_token_id: 2,
      pad_token_id: 2,
      hidden_act: 'silu',
      hidden_size: 2048,
      intermediate_size: 8192,
      max_position_embeddings: 32768,
      num_attention_heads: 16,
      num_hidden_layers: 24,
      num_key_value_heads: 8,
      pretraining_tp: 1,
      rms_norm_eps: 1e-5,
      rope_scaling: { type: 'dynamic', factor: 2.0 },
      rope_theta: 1000000,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
      vocab_size: 92544,
    },
  },
  // Phi3ForCausalLM, 3,836,021,760 parameters: fused qkv_proj / gate_up_proj, 3/4 of each head
  // rotated, LongRoPE past 4,096 positions (long factors as published), 200,064-row tied vocabulary.
  'microsoft/Phi-4-mini-instruct': {
    family: 'phi',
    template: 'phi4_mini',
    gated: false,
    config: {
      architectures: ['Phi3ForCausalLM'],
      model_type: 'phi3',
      attention_bias: false,
      bos_token_id: 199999,
      eos_token_id: 199999,
      pad_token_id: 199999,
      hidden_act: 'silu',
      hidden_size: 3072,
      intermediate_size: 8192,
      max_position_embeddings: 131072,
      original_max_position_embeddings: 4096,
      num_attention_heads: 24,
      num_hidden_layers: 32,
      num_key_value_heads: 8,
      partial_rotary_factor: 0.75,
      rms_norm_eps: 1e-5,
      rope_scaling: {
        type: 'longrope',
        long_factor: [
          1, 1.118320672, 1.250641126, 1.398617824, 1.564103225, 1.74916897, 1.956131817, 2.187582649, 2.446418898,
          2.735880826, 3.059592084, 3.421605075, 3.826451687, 4.279200023, 4.785517845, 5.351743533, 5.984965424,
          6.693110555, 7.485043894, 8.370679318, 9.36110372, 10.4687158, 11.70738129, 13.09260651, 14.64173252,
          16.37415215, 18.31155283, 20.47818807, 22.90118105, 25.61086418, 28.64115884, 32.03, 32.1, 32.13, 32.23, 32.6,
          32.61, 32.64, 32.66, 32.7, 32.71, 32.93, 32.97, 33.28, 33.49, 33.5, 44.16, 47.77,
        ],
        short_factor: Array.from({ length: 48 }, () => 1.0),
      },
      rope_theta: 10000.0,
      sliding_window: 262144,
      tie_word_embeddings: true,
      torch_dtype: 'bfloat16',
      vocab_size: 200064,
    },
  },
};

/** A model of a current family that this build's engine cannot train yet, and why. */
export interface NotYetTrainable {
  id: string;
  /** The Prism template of its official chat template. */
  template: string;
  /** config.json `architectures[0]`. */
  architecture: string;
  /** The size in the model's name (the Hub's rounding), for the picker. */
  size: string;
  /** What the engine lacks for it. */
  reason: string;
}

const QWEN3_5_ARCH = 'Qwen3_5ForConditionalGeneration';
const QWEN3_5 =
  'Qwen3_5ForConditionalGeneration: 3 of every 4 layers are Gated DeltaNet linear attention (a recurrent state, ' +
  'not softmax attention), the others gated attention, plus a vision encoder; the engine runs softmax-attention ' +
  'decoders only';
const GRANITE_MULTIPLIERS =
  'Granite scales embeddings, attention scores, residual branches and logits by config multipliers ' +
  '(embedding_multiplier, attention_multiplier, residual_multiplier, logits_scaling) the engine does not apply';
const GRANITE4_HYBRID = 'most layers are Mamba-2 state-space blocks, which the engine does not have';

/** Listed in the picker, not selectable: the families' small models the engine cannot train yet. */
const NOT_YET: NotYetTrainable[] = [
  { id: 'Qwen/Qwen3.5-0.8B', template: 'qwen3_5', architecture: QWEN3_5_ARCH, size: '0.8B', reason: QWEN3_5 },
  { id: 'Qwen/Qwen3.5-2B', template: 'qwen3_5', architecture: QWEN3_5_ARCH, size: '2B', reason: QWEN3_5 },
  { id: 'Qwen/Qwen3.5-4B', template: 'qwen3_5', architecture: QWEN3_5_ARCH, size: '4B', reason: QWEN3_5 },
  {
    id: 'ibm-granite/granite-3.3-2b-instruct',
    template: 'granite3_3',
    architecture: 'GraniteForCausalLM',
    size: '2B',
    reason: `GraniteForCausalLM: a Llama-shaped decoder, but ${GRANITE_MULTIPLIERS}`,
  },
  {
    id: 'ibm-granite/granite-4.0-micro',
    template: 'granite4',
    architecture: 'GraniteMoeHybridForCausalLM',
    size: '3B',
    reason: `GraniteMoeHybridForCausalLM with attention layers only; ${GRANITE_MULTIPLIERS}`,
  },
  {
    id: 'ibm-granite/granite-4.0-h-micro',
    template: 'granite4',
    architecture: 'GraniteMoeHybridForCausalLM',
    size: '3B',
    reason: `GraniteMoeHybridForCausalLM: ${GRANITE4_HYBRID}; ${GRANITE_MULTIPLIERS}`,
  },
  {
    id: 'ibm-granite/granite-4.0-h-1b',
    template: 'granite4',
    architecture: 'GraniteMoeHybridForCausalLM',
    size: '1B',
    reason: `GraniteMoeHybridForCausalLM: ${GRANITE4_HYBRID}; ${GRANITE_MULTIPLIERS}`,
  },
  {
    id: 'LiquidAI/LFM2.5-1.2B-Instruct',
    template: 'lfm2_5',
    architecture: 'Lfm2ForCausalLM',
    size: '1.2B',
    reason:
      'Lfm2ForCausalLM is a hybrid: most of its layers are gated short convolutions (a causal conv1d with input and ' +
      'output gates), not attention; the engine has attention layers only',
  },
];

const STORAGE: Record<ModelSpec['torch_dtype'], 'F32' | 'BF16' | 'F16'> = {
  float32: 'F32',
  bfloat16: 'BF16',
  float16: 'F16',
};

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

/** The spec of a known config, or why the engine cannot run it (an unsupported architecture). */
function specOrReason(id: string, k: KnownConfig): ModelSpec | string {
  try {
    return parseConfig(k.config);
  } catch (e) {
    // Only an architecture the engine lacks may fall through; a typo in a config above must fail loudly.
    if (!(e instanceof ConfigError) || !/^unsupported (architecture|model_type)/.test(e.message)) throw e;
    return k.notYet ?? `${String((k.config.architectures as string[] | undefined)?.[0] ?? id)}: ${e.message}`;
  }
}

const parsed = Object.entries(KNOWN_CONFIGS).map(([id, k]) => ({ id, k, spec: specOrReason(id, k) }));

/** The known models this build cannot train yet (listed, not selectable), with the reason. */
export const NOT_YET_TRAINABLE: NotYetTrainable[] = [
  ...parsed.flatMap(({ id, k, spec }) =>
    typeof spec === 'string'
      ? [
          {
            id,
            template: k.template,
            architecture: String((k.config.architectures as string[])[0]),
            size: k.size ?? '',
            reason: spec,
          },
        ]
      : [],
  ),
  ...NOT_YET,
];

export const KNOWN_MODELS: KnownModel[] = parsed.flatMap(({ id, k, spec }) => {
  if (typeof spec === 'string') return [];
  const stores = k.storesTiedHead ?? false;
  return [
    {
      id,
      arch: spec.arch,
      family: k.family,
      template: k.template,
      gated: k.gated,
      spec,
      params: paramCount(stores ? { ...spec, tie_word_embeddings: false } : spec),
      storesTiedHead: stores,
      downloadBytes: checkpointBytes(spec, stores),
    },
  ];
});

/** Bytes per parameter of a spec's storage dtype. */
export function bytesPerParam(spec: ModelSpec): number {
  return DTYPE_BITS[STORAGE[spec.torch_dtype]] / 8;
}

import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.ts';
import { KNOWN_CONFIGS, KNOWN_MODELS, NOT_YET_TRAINABLE } from './known-models.ts';
import { checkTensors, expectedTensors, paramCount } from './tensors.ts';

// Real config.json files, hand-copied from the Hub (the fields as published).
const SMOLLM2_135M_INSTRUCT = {
  architectures: ['LlamaForCausalLM'],
  attention_bias: false,
  attention_dropout: 0.0,
  bos_token_id: 1,
  eos_token_id: 2,
  hidden_act: 'silu',
  hidden_size: 576,
  initializer_range: 0.041666666666666664,
  intermediate_size: 1536,
  is_llama_config: true,
  max_position_embeddings: 8192,
  mlp_bias: false,
  model_type: 'llama',
  num_attention_heads: 9,
  num_hidden_layers: 30,
  num_key_value_heads: 3,
  pad_token_id: 2,
  pretraining_tp: 1,
  rms_norm_eps: 1e-5,
  rope_interleaved: false,
  rope_scaling: null,
  rope_theta: 100000,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  transformers_version: '4.42.3',
  use_cache: true,
  vocab_size: 49152,
};
const QWEN25_05B_INSTRUCT = {
  architectures: ['Qwen2ForCausalLM'],
  attention_dropout: 0.0,
  bos_token_id: 151643,
  eos_token_id: 151645,
  hidden_act: 'silu',
  hidden_size: 896,
  initializer_range: 0.02,
  intermediate_size: 4864,
  max_position_embeddings: 32768,
  max_window_layers: 21,
  model_type: 'qwen2',
  num_attention_heads: 14,
  num_hidden_layers: 24,
  num_key_value_heads: 2,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000.0,
  sliding_window: 32768,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  transformers_version: '4.43.1',
  use_cache: true,
  use_sliding_window: false,
  vocab_size: 151936,
};
const QWEN3_06B = {
  architectures: ['Qwen3ForCausalLM'],
  attention_bias: false,
  attention_dropout: 0.0,
  bos_token_id: 151643,
  eos_token_id: 151645,
  head_dim: 128,
  hidden_act: 'silu',
  hidden_size: 1024,
  initializer_range: 0.02,
  intermediate_size: 3072,
  max_position_embeddings: 40960,
  max_window_layers: 28,
  model_type: 'qwen3',
  num_attention_heads: 16,
  num_hidden_layers: 28,
  num_key_value_heads: 8,
  rms_norm_eps: 1e-6,
  rope_scaling: null,
  rope_theta: 1000000,
  sliding_window: null,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  transformers_version: '4.51.0',
  use_cache: true,
  use_sliding_window: false,
  vocab_size: 151936,
};
const LLAMA32_1B_INSTRUCT = {
  architectures: ['LlamaForCausalLM'],
  attention_bias: false,
  attention_dropout: 0.0,
  bos_token_id: 128000,
  eos_token_id: [128001, 128008, 128009],
  head_dim: 64,
  hidden_act: 'silu',
  hidden_size: 2048,
  initializer_range: 0.02,
  intermediate_size: 8192,
  max_position_embeddings: 131072,
  mlp_bias: false,
  model_type: 'llama',
  num_attention_heads: 32,
  num_hidden_layers: 16,
  num_key_value_heads: 8,
  pretraining_tp: 1,
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
  transformers_version: '4.45.0.dev0',
  use_cache: true,
  vocab_size: 128256,
};
// The same Qwen3-0.6B as transformers 5.x saves it: `dtype`, `rope_parameters`.
const QWEN3_06B_V5 = (() => {
  const { rope_theta: _t, rope_scaling: _s, torch_dtype: _d, ...rest } = QWEN3_06B;
  return {
    ...rest,
    dtype: 'bfloat16',
    rope_parameters: { rope_theta: 1000000, rope_type: 'default' },
    transformers_version: '5.0.0',
  };
})();
const MISTRAL_7B_V03 = {
  architectures: ['MistralForCausalLM'],
  attention_dropout: 0.0,
  bos_token_id: 1,
  eos_token_id: 2,
  hidden_act: 'silu',
  hidden_size: 4096,
  initializer_range: 0.02,
  intermediate_size: 14336,
  max_position_embeddings: 32768,
  model_type: 'mistral',
  num_attention_heads: 32,
  num_hidden_layers: 32,
  num_key_value_heads: 8,
  rms_norm_eps: 1e-5,
  rope_theta: 1000000.0,
  sliding_window: null,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
  transformers_version: '4.42.0.dev0',
  use_cache: true,
  vocab_size: 32768,
};

const SMOLLM3_3B = {
  architectures: ['SmolLM3ForCausalLM'],
  attention_bias: false,
  attention_dropout: 0.0,
  bos_token_id: null,
  eos_token_id: 128012,
  hidden_act: 'silu',
  hidden_size: 2048,
  initializer_range: 0.02,
  intermediate_size: 11008,
  layer_types: Array(36).fill('full_attention'),
  max_position_embeddings: 65536,
  max_window_layers: 28,
  mlp_bias: false,
  model_type: 'smollm3',
  no_rope_layer_interval: 4,
  no_rope_layers: Array.from({ length: 36 }, (_, i) => ((i + 1) % 4 ? 1 : 0)),
  num_attention_heads: 16,
  num_hidden_layers: 36,
  num_key_value_heads: 4,
  pad_token_id: 128004,
  pretraining_tp: 2,
  rms_norm_eps: 1e-6,
  rope_scaling: null,
  rope_theta: 5000000.0,
  sliding_window: null,
  torch_dtype: 'bfloat16',
  transformers_version: '4.54.0.dev0',
  use_cache: false,
  use_sliding_window: false,
  vocab_size: 128256,
};

// Phi-4-mini-instruct's config.json; its 48 LongRoPE factors are replaced by stand-ins of the
// same length (the values do not shape the network).
const PHI4_MINI = {
  architectures: ['Phi3ForCausalLM'],
  attention_bias: false,
  attention_dropout: 0.0,
  bos_token_id: 199999,
  embd_pdrop: 0.0,
  eos_token_id: 199999,
  full_attn_mod: 1,
  hidden_act: 'silu',
  hidden_size: 3072,
  initializer_range: 0.02,
  intermediate_size: 8192,
  interpolate_factor: 1,
  lm_head_bias: false,
  max_position_embeddings: 131072,
  mlp_bias: false,
  model_type: 'phi3',
  num_attention_heads: 24,
  num_hidden_layers: 32,
  num_key_value_heads: 8,
  original_max_position_embeddings: 4096,
  pad_token_id: 199999,
  partial_rotary_factor: 0.75,
  resid_pdrop: 0.0,
  rms_norm_eps: 1e-5,
  rope_scaling: {
    long_factor: Array.from({ length: 48 }, (_, i) => 1 + i / 8),
    short_factor: Array(48).fill(1),
    type: 'longrope',
  },
  rope_theta: 10000.0,
  sliding_window: 262144,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  transformers_version: '4.45.0',
  use_cache: true,
  vocab_size: 200064,
};

const GEMMA2_2B_IT = {
  architectures: ['Gemma2ForCausalLM'],
  attention_bias: false,
  attention_dropout: 0.0,
  attn_logit_softcapping: 50.0,
  bos_token_id: 2,
  cache_implementation: 'hybrid',
  eos_token_id: [1, 107],
  final_logit_softcapping: 30.0,
  head_dim: 256,
  hidden_act: 'gelu_pytorch_tanh',
  hidden_activation: 'gelu_pytorch_tanh',
  hidden_size: 2304,
  initializer_range: 0.02,
  intermediate_size: 9216,
  max_position_embeddings: 8192,
  model_type: 'gemma2',
  num_attention_heads: 8,
  num_hidden_layers: 26,
  num_key_value_heads: 4,
  pad_token_id: 0,
  query_pre_attn_scalar: 256,
  rms_norm_eps: 1e-6,
  rope_theta: 10000.0,
  sliding_window: 4096,
  torch_dtype: 'float32',
  transformers_version: '4.42.4',
  use_cache: true,
  vocab_size: 256000,
};

const GEMMA3_1B_IT = {
  architectures: ['Gemma3ForCausalLM'],
  attention_bias: false,
  attention_dropout: 0.0,
  attn_logit_softcapping: null,
  bos_token_id: 2,
  cache_implementation: 'hybrid',
  eos_token_id: [1, 106],
  final_logit_softcapping: null,
  head_dim: 256,
  hidden_activation: 'gelu_pytorch_tanh',
  hidden_size: 1152,
  initializer_range: 0.02,
  intermediate_size: 6912,
  max_position_embeddings: 32768,
  model_type: 'gemma3_text',
  num_attention_heads: 4,
  num_hidden_layers: 26,
  num_key_value_heads: 1,
  pad_token_id: 0,
  query_pre_attn_scalar: 256,
  rms_norm_eps: 1e-6,
  rope_local_base_freq: 10000,
  rope_scaling: null,
  rope_theta: 1000000,
  sliding_window: 512,
  sliding_window_pattern: 6,
  torch_dtype: 'bfloat16',
  transformers_version: '4.50.0.dev0',
  use_cache: true,
  vocab_size: 262144,
};
// gemma-3-4b-it: the text_config lists only what differs from Gemma3TextConfig's defaults.
const GEMMA3_4B_IT = {
  architectures: ['Gemma3ForConditionalGeneration'],
  boi_token_index: 255999,
  eoi_token_index: 256000,
  eos_token_id: [1, 106],
  image_token_index: 262144,
  initializer_range: 0.02,
  mm_tokens_per_image: 256,
  model_type: 'gemma3',
  text_config: {
    hidden_size: 2560,
    intermediate_size: 10240,
    model_type: 'gemma3_text',
    num_hidden_layers: 34,
    rope_scaling: { factor: 8.0, rope_type: 'linear' },
    sliding_window: 1024,
  },
  torch_dtype: 'bfloat16',
  transformers_version: '4.50.0.dev0',
  vision_config: {
    hidden_size: 1152,
    image_size: 896,
    intermediate_size: 4304,
    model_type: 'siglip_vision_model',
    num_attention_heads: 16,
    num_hidden_layers: 27,
    patch_size: 14,
    vision_use_head: false,
  },
};

describe('parseConfig on real Hub configs', () => {
  it('gemma-3-1b-it (q/k norm, local RoPE base on 5 of 6 layers, window 512, 262k vocabulary)', () => {
    const s = parseConfig(GEMMA3_1B_IT);
    expect(s).toMatchObject({
      arch: 'gemma3',
      qk_norm: true,
      sandwich_norms: true,
      norm_unit_offset: true,
      rope_theta: 1e6,
      rope_local_theta: 10000,
      rope_scaling: null,
      sliding_window: 512,
      attn_logit_softcapping: null,
      final_logit_softcapping: null,
      tie_word_embeddings: true,
      vocab_size: 262144,
      weight_prefix: 'model.',
    });
    expect(s.layer_types.map((t) => (t === 'full_attention' ? 'F' : 's')).join('')).toBe('sssssFsssssFsssssFsssssFss');
    expect(paramCount(s)).toBe(999_885_952);
    expect(() => parseConfig({ ...GEMMA3_1B_IT, use_bidirectional_attention: true })).toThrow(
      /not a causal language model/,
    );
  });
  it('gemma-3-4b-it (Gemma3ForConditionalGeneration): the language model from text_config, class defaults', () => {
    const s = parseConfig(GEMMA3_4B_IT);
    expect(s).toMatchObject({
      arch: 'gemma3',
      architecture: 'Gemma3ForConditionalGeneration',
      weight_prefix: 'language_model.model.',
      hidden_size: 2560,
      num_hidden_layers: 34,
      num_attention_heads: 8,
      num_key_value_heads: 4,
      head_dim: 256,
      vocab_size: 262208,
      sliding_window: 1024,
      rope_scaling: { rope_type: 'linear', factor: 8 },
      rope_local_theta: 10000,
      torch_dtype: 'bfloat16',
      eos_token_id: [1, 106],
      tie_word_embeddings: true,
      final_logit_softcapping: null,
    });
    const names = expectedTensors(s).map((t) => t.name);
    expect(names[0]).toBe('language_model.model.embed_tokens.weight');
    expect(names).toContain('language_model.model.layers.33.self_attn.k_norm.weight');
    expect(names.some((n) => n.includes('vision'))).toBe(false);
    // The language model's parameters (the vision tower's are not the decoder's).
    expect(paramCount(s)).toBe(3_880_263_168);
  });
  it('gemma-2-2b-it (sandwich norms, soft caps, GELU-tanh, sliding window on even layers)', () => {
    const s = parseConfig(GEMMA2_2B_IT);
    expect(s).toMatchObject({
      arch: 'gemma2',
      head_dim: 256,
      hidden_act: 'gelu_pytorch_tanh',
      norm_unit_offset: true,
      sandwich_norms: true,
      tie_word_embeddings: true,
      attn_logit_softcapping: 50,
      final_logit_softcapping: 30,
      sliding_window: 4096,
      qk_norm: false,
      attn_scale: 1 / 16,
    });
    expect(s.embed_scale).toBe(Math.fround(Math.sqrt(2304)));
    expect(s.layer_types.slice(0, 4)).toEqual([
      'sliding_attention',
      'full_attention',
      'sliding_attention',
      'full_attention',
    ]);
    const names = expectedTensors(s).map((t) => t.name);
    expect(names).toContain('model.layers.0.pre_feedforward_layernorm.weight');
    expect(names).toContain('model.layers.0.post_feedforward_layernorm.weight');
    expect(paramCount(s)).toBe(2_614_341_888);
    // A full-attention-only model (layer_types) has no window to speak of.
    expect(
      parseConfig({ ...GEMMA2_2B_IT, num_hidden_layers: 1, layer_types: ['full_attention'] }).sliding_window,
    ).toBeNull();
    expect(() => parseConfig({ ...GEMMA2_2B_IT, hidden_activation: 'gelu' })).toThrow(
      /hidden_activation "gelu" is not supported/,
    );
  });
  it('Phi-4-mini-instruct (fused qkv/gate_up, partial rotary 0.75, LongRoPE, window on every layer)', () => {
    const s = parseConfig(PHI4_MINI);
    expect(s).toMatchObject({
      arch: 'phi3',
      head_dim: 128,
      rotary_dim: 96,
      tie_word_embeddings: true,
      sliding_window: 262144,
      rms_norm_eps: 1e-5,
    });
    expect(s.layer_types.every((t) => t === 'sliding_attention')).toBe(true);
    const r = s.rope_scaling!;
    expect(r.rope_type).toBe('longrope');
    // factor = 131072 / 4096 = 32: attention factor √(1 + ln 32 / ln 4096).
    if (r.rope_type === 'longrope')
      expect(r.attention_factor).toBeCloseTo(Math.sqrt(1 + Math.log(32) / Math.log(4096)), 12);
    const byName = new Map(expectedTensors(s).map((t) => [t.name, t.shape]));
    expect(byName.get('model.layers.0.self_attn.qkv_proj.weight')).toEqual([3072 + 2 * 1024, 3072]);
    expect(byName.get('model.layers.0.mlp.gate_up_proj.weight')).toEqual([2 * 8192, 3072]);
    expect(byName.has('model.layers.0.self_attn.q_proj.weight')).toBe(false);
    expect(paramCount(s)).toBe(3_836_021_760);
    expect(() =>
      parseConfig({ ...PHI4_MINI, rope_scaling: { ...PHI4_MINI.rope_scaling, short_factor: [1, 2] } }),
    ).toThrow(/short_factor" must be a list of 48/);
    expect(() => parseConfig({ ...PHI4_MINI, resid_pdrop: 0.1 })).toThrow(
      /dropout inside the base model is not implemented/,
    );
    expect(() => parseConfig({ ...PHI4_MINI, rope_scaling: { type: 'yarn', factor: 4 } })).toThrow(
      /"yarn" is not supported/,
    );
  });
  it('SmolLM3-3B (NoPE every 4th layer, tied by default)', () => {
    const s = parseConfig(SMOLLM3_3B);
    expect(s).toMatchObject({
      arch: 'smollm3',
      head_dim: 128,
      rotary_dim: 128,
      tie_word_embeddings: true,
      rope_theta: 5e6,
      sliding_window: null,
    });
    expect(s.no_rope_layers!.slice(0, 8)).toEqual([1, 1, 1, 0, 1, 1, 1, 0]);
    // Without no_rope_layers SmolLM3Config derives the same list from the interval.
    const { no_rope_layers: _n, ...rest } = SMOLLM3_3B;
    expect(parseConfig(rest).no_rope_layers).toEqual(s.no_rope_layers);
    expect(() =>
      parseConfig({ ...SMOLLM3_3B, use_sliding_window: true, sliding_window: 4096, layer_types: undefined }),
    ).toThrow(/use_sliding_window=true is not supported/);
  });
  it('SmolLM2-135M-Instruct (Llama, tied, GQA 3)', () => {
    const s = parseConfig(JSON.stringify(SMOLLM2_135M_INSTRUCT));
    expect(s).toMatchObject({
      arch: 'llama',
      hidden_size: 576,
      head_dim: 64,
      num_attention_heads: 9,
      num_key_value_heads: 3,
      rope_theta: 100000,
      rope_scaling: null,
      tie_word_embeddings: true,
      attention_bias: false,
      o_proj_bias: false,
      qk_norm: false,
      bos_token_id: 1,
      eos_token_id: 2,
      pad_token_id: 2,
      rms_norm_eps: 1e-5,
      torch_dtype: 'bfloat16',
      max_position_embeddings: 8192,
      sliding_window: null,
    });
  });
  it('Qwen2.5-0.5B-Instruct (q/k/v bias, no o bias, no sliding window)', () => {
    const s = parseConfig(QWEN25_05B_INSTRUCT);
    expect(s).toMatchObject({
      arch: 'qwen2',
      head_dim: 64,
      attention_bias: true,
      o_proj_bias: false,
      sliding_window: null,
      rope_theta: 1e6,
    });
    const names = expectedTensors(s).map((t) => t.name);
    expect(names).toContain('model.layers.23.self_attn.k_proj.bias');
    expect(names).not.toContain('model.layers.0.self_attn.o_proj.bias');
    expect(expectedTensors(s).find((t) => t.name === 'model.layers.0.self_attn.k_proj.weight')!.shape).toEqual([
      128, 896,
    ]);
  });
  it('Qwen3-0.6B (explicit head_dim 128 ≠ hidden/heads, q/k norm)', () => {
    const s = parseConfig(QWEN3_06B);
    expect(s).toMatchObject({
      arch: 'qwen3',
      head_dim: 128,
      qk_norm: true,
      attention_bias: false,
      max_position_embeddings: 40960,
    });
    const byName = new Map(expectedTensors(s).map((t) => [t.name, t.shape]));
    expect(byName.get('model.layers.0.self_attn.q_proj.weight')).toEqual([2048, 1024]);
    expect(byName.get('model.layers.0.self_attn.o_proj.weight')).toEqual([1024, 2048]);
    expect(byName.get('model.layers.27.self_attn.k_norm.weight')).toEqual([128]);
    expect(byName.has('lm_head.weight')).toBe(false);
  });
  it('Qwen3-0.6B in transformers 5 spelling reads the same', () => {
    expect(parseConfig(QWEN3_06B_V5)).toEqual(parseConfig(QWEN3_06B));
  });
  it('Llama-3.2-1B-Instruct (llama3 rope scaling, eos list)', () => {
    const s = parseConfig(LLAMA32_1B_INSTRUCT);
    expect(s.rope_scaling).toEqual({
      rope_type: 'llama3',
      factor: 32,
      low_freq_factor: 1,
      high_freq_factor: 4,
      original_max_position_embeddings: 8192,
    });
    expect(s.eos_token_id).toEqual([128001, 128008, 128009]);
    expect(s.head_dim).toBe(64);
  });
  it('Mistral-7B-v0.3 (untied, no window)', () => {
    const s = parseConfig(MISTRAL_7B_V03);
    expect(s).toMatchObject({ arch: 'mistral', head_dim: 128, sliding_window: null, tie_word_embeddings: false });
    expect(expectedTensors(s).at(-1)).toEqual({ name: 'lm_head.weight', shape: [32768, 4096] });
    expect(parseConfig({ ...MISTRAL_7B_V03, sliding_window: 4096 }).sliding_window).toBe(4096);
  });
  it('fills transformers defaults for omitted fields', () => {
    const s = parseConfig({
      model_type: 'llama',
      hidden_size: 64,
      intermediate_size: 128,
      num_attention_heads: 4,
      num_hidden_layers: 1,
      vocab_size: 10,
    });
    expect(s).toMatchObject({
      architecture: 'LlamaForCausalLM',
      num_key_value_heads: 4,
      rms_norm_eps: 1e-6,
      rope_theta: 10000,
      max_position_embeddings: 2048,
      tie_word_embeddings: false,
      torch_dtype: 'float32',
      eos_token_id: null,
    });
  });
});

describe('parseConfig errors', () => {
  const bad: [string, unknown, RegExp][] = [
    [
      'unsupported architecture',
      { ...QWEN3_06B, architectures: ['GemmaForCausalLM'] },
      new RegExp(
        /unsupported architecture GemmaForCausalLM: Prism runs /.source +
          /LlamaForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM, MistralForCausalLM/.source,
      ),
    ],
    ['unsupported model_type', { model_type: 'gpt2' }, /unsupported model_type "gpt2"/],
    ['missing field', (({ hidden_size: _h, ...r }) => r)(QWEN3_06B), /missing field "hidden_size"/],
    [
      'invalid field',
      { ...QWEN3_06B, num_hidden_layers: '28' },
      /"num_hidden_layers" must be a positive integer, got "28"/,
    ],
    ['zero field', { ...QWEN3_06B, vocab_size: 0 }, /"vocab_size" must be a positive integer/],
    [
      'heads not a multiple of kv heads',
      { ...QWEN3_06B, num_key_value_heads: 3 },
      /"num_attention_heads" \(16\) must be a multiple of "num_key_value_heads" \(3\)/,
    ],
    [
      'hidden not divisible by heads',
      { ...SMOLLM2_135M_INSTRUCT, num_attention_heads: 7, num_key_value_heads: 7 },
      /not divisible by "num_attention_heads"/,
    ],
    [
      'unsupported rope scaling',
      { ...LLAMA32_1B_INSTRUCT, rope_scaling: { type: 'yarn', factor: 4 } },
      /rope_scaling type "yarn" is not supported/,
    ],
    [
      'incomplete llama3 scaling',
      { ...LLAMA32_1B_INSTRUCT, rope_scaling: { rope_type: 'llama3', factor: 8 } },
      /rope_scaling is missing field "low_freq_factor"/,
    ],
    ['bad eos', { ...QWEN3_06B, eos_token_id: [1, 'x'] }, /"eos_token_id" must be a token id or a list/],
    ['bad dtype', { ...QWEN3_06B, torch_dtype: 'int8' }, /"torch_dtype" "int8" is not supported/],
    ['activation', { ...QWEN3_06B, hidden_act: 'gelu' }, /hidden_act "gelu" is not supported/],
    [
      'qwen sliding window',
      { ...QWEN25_05B_INSTRUCT, use_sliding_window: true },
      /use_sliding_window=true is not supported/,
    ],
    ['not JSON', '{"a":', /config.json is not valid JSON/],
  ];
  for (const [what, cfg, message] of bad) {
    it(what, () => {
      expect(() => parseConfig(cfg)).toThrow(ConfigError);
      expect(() => parseConfig(cfg)).toThrow(message);
    });
  }
});

describe('expectedTensors and checkTensors', () => {
  it('counts tensors per architecture', () => {
    expect(expectedTensors(parseConfig(SMOLLM2_135M_INSTRUCT))).toHaveLength(1 + 30 * 9 + 1);
    expect(expectedTensors(parseConfig(QWEN25_05B_INSTRUCT))).toHaveLength(1 + 24 * 12 + 1);
    expect(expectedTensors(parseConfig(QWEN3_06B))).toHaveLength(1 + 28 * 11 + 1);
    expect(expectedTensors(parseConfig(MISTRAL_7B_V03))).toHaveLength(1 + 32 * 9 + 2);
  });
  it('finds missing, misshapen and unexpected tensors; tolerates a stored tied head', () => {
    const spec = parseConfig({ ...QWEN3_06B, num_hidden_layers: 1 });
    const found = new Map(expectedTensors(spec).map((t) => [t.name, t.shape]));
    found.delete('model.layers.0.self_attn.q_norm.weight');
    found.set('model.norm.weight', [7]);
    found.set('lm_head.weight', [151936, 1024]);
    found.set('extra.weight', [1]);
    expect(checkTensors(spec, found)).toEqual({
      missing: ['model.layers.0.self_attn.q_norm.weight'],
      wrongShape: [{ name: 'model.norm.weight', expected: [1024], found: [7] }],
      unexpected: ['extra.weight'],
    });
  });
});

describe('KNOWN_MODELS', () => {
  // Parameter counts and model.safetensors sizes as the Hub lists them (bytes: null where the Hub's file
  // size was not re-read; MiniCPM5-1B's count is its model card's).
  const published: Record<string, { params: number; bytes: number | null }> = {
    'HuggingFaceTB/SmolLM2-135M-Instruct': { params: 134_515_008, bytes: 269_060_552 },
    'HuggingFaceTB/SmolLM2-360M-Instruct': { params: 361_821_120, bytes: 723_674_912 },
    'Qwen/Qwen2.5-0.5B-Instruct': { params: 494_032_768, bytes: 988_097_824 },
    'Qwen/Qwen2.5-1.5B-Instruct': { params: 1_543_714_304, bytes: 3_087_467_144 },
    'Qwen/Qwen3-0.6B': { params: 751_632_384, bytes: 1_503_300_328 },
    'meta-llama/Llama-3.2-1B-Instruct': { params: 1_235_814_400, bytes: 2_471_645_608 },
    'openbmb/MiniCPM5-1B': { params: 1_080_632_832, bytes: null },
    // Issue 15's families (sharded or not re-read: sizes only).
    'google/gemma-3-270m-it': { params: 268_098_176, bytes: null },
    'google/gemma-3-1b-it': { params: 999_885_952, bytes: null },
    'internlm/internlm2_5-1_8b-chat': { params: 1_889_110_016, bytes: null },
    'microsoft/Phi-4-mini-instruct': { params: 3_836_021_760, bytes: null },
    'HuggingFaceTB/SmolLM3-3B': { params: 3_075_098_624, bytes: null },
  };
  it('lists every known config, trainable or not yet (with the reason)', () => {
    const trainable = KNOWN_MODELS.map((m) => m.id);
    const notYet = NOT_YET_TRAINABLE.map((m) => m.id);
    expect([...trainable, ...notYet].filter((id) => id in KNOWN_CONFIGS).sort()).toEqual(
      Object.keys(KNOWN_CONFIGS).sort(),
    );
    expect(trainable.filter((id) => notYet.includes(id))).toEqual([]);
    for (const id of Object.keys(published)) expect(trainable).toContain(id);
    for (const m of NOT_YET_TRAINABLE) {
      expect(m.reason, m.id).toMatch(new RegExp(m.architecture));
      expect(m.size, m.id).toMatch(/^\d+(\.\d+)?B$/);
    }
    // The families' small models this build cannot train are all listed.
    const families = [
      'HuggingFaceTB/SmolLM3-3B',
      'Qwen/Qwen3.5-0.8B',
      'ibm-granite/granite-3.3-2b-instruct',
      'LiquidAI/LFM2.5-1.2B-Instruct',
    ];
    for (const id of families) {
      expect([...trainable, ...notYet]).toContain(id);
    }
  });
  for (const [id, p] of Object.entries(published)) {
    it(`${id}: params and download size from the spec equal the Hub's`, () => {
      const m = KNOWN_MODELS.find((k) => k.id === id)!;
      expect(m.params).toBe(p.params);
      if (p.bytes !== null) expect(m.downloadBytes).toBe(p.bytes);
    });
  }
  it('Qwen3-0.6B stores a tied lm_head; the spec still ties it', () => {
    const m = KNOWN_MODELS.find((k) => k.id === 'Qwen/Qwen3-0.6B')!;
    expect(m.storesTiedHead).toBe(true);
    expect(paramCount(m.spec)).toBe(751_632_384 - 151936 * 1024);
  });
  it('agrees with the hand-copied configs', () => {
    expect(KNOWN_MODELS.find((k) => k.id === 'Qwen/Qwen3-0.6B')!.spec).toEqual(parseConfig(QWEN3_06B));
    expect(KNOWN_MODELS.find((k) => k.id === 'meta-llama/Llama-3.2-1B-Instruct')!.spec).toEqual(
      parseConfig(LLAMA32_1B_INSTRUCT),
    );
    expect(KNOWN_MODELS.find((k) => k.id === 'Qwen/Qwen2.5-0.5B-Instruct')!.spec).toEqual(
      parseConfig(QWEN25_05B_INSTRUCT),
    );
  });
});

// Gemma2ForCausalLM: RMSNorm scaling by (1 + w), embeddings times √hidden, norms before and after
// attention and the MLP, GELU-tanh, attention scale query_pre_attn_scalar^-0.5, attention-logit
// and final-logit soft caps, a sliding window on every other layer (the first slides).
// Proof: ./proof.ts. The caps here are tight (3 and 4) so they shape every score and logit.
import { archProofSuite, caseConfig, packedBatch } from './proof.ts';

const ALL = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
const cfg = (layers: number, extra: Record<string, unknown> = {}) =>
  caseConfig('Gemma2ForCausalLM', 'gemma2', layers, {
    hidden_size: 32,
    intermediate_size: 48,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    head_dim: 8,
    query_pre_attn_scalar: 24,
    hidden_act: 'gelu_pytorch_tanh',
    hidden_activation: 'gelu_pytorch_tanh',
    sliding_window: 6,
    attn_logit_softcapping: 3.0,
    final_logit_softcapping: 4.0,
    tie_word_embeddings: true,
    ...extra,
  });

archProofSuite({
  arch: 'gemma2',
  cases: [
    {
      name: '1 sliding layer (window 6 of 20), soft caps 3/4, f32',
      config: cfg(1),
      dtype: 'F32',
      lora: { r: 4, alpha: 8, rslora: false, targets: [...ALL] },
      batch: packedBatch(41, 1, 20, 12),
    },
    {
      name: '1 full layer (layer_types), untied, f32',
      config: cfg(1, { layer_types: ['full_attention'], tie_word_embeddings: false }),
      dtype: 'F32',
      lora: { r: 4, alpha: 8, rslora: false, targets: [...ALL] },
      batch: packedBatch(42, 1, 20, 7),
    },
    {
      name: '2 layers (sliding, full), bf16, 2 rows packed, MQA 4/1',
      config: cfg(2, { num_key_value_heads: 1, torch_dtype: 'bfloat16' }),
      dtype: 'BF16',
      lora: { r: 3, alpha: 6, rslora: true, targets: [...ALL] },
      batch: packedBatch(43, 2, 18, 8),
    },
  ],
  tinyFlags: [
    '--hidden',
    '32',
    '--layers',
    '2',
    '--heads',
    '4',
    '--kv-heads',
    '2',
    '--intermediate',
    '48',
    '--seed',
    '5',
  ],
  ids: [2, 17, 42, 99, 3, 250, 7, 64, 128, 5, 200, 33, 9, 14, 81, 6, 160, 44, 71, 8],
  learn: { hidden: 64, layers: 2, heads: 4, kvHeads: 2, intermediate: 128, seed: 1, dtype: 'float32' },
});

// Phi3ForCausalLM (Phi-3.5-mini, Phi-4-mini): fused qkv_proj (q | k | v rows) and gate_up_proj
// (gate | up), RoPE on the first head_dim·partial_rotary_factor dims, LongRoPE (short factors up
// to original_max_position_embeddings, long ones beyond, cos/sin times the attention factor),
// and the sliding window on every layer when set. Proof: ./proof.ts.
import { archProofSuite, caseConfig, packedBatch } from './proof.ts';

const ALL = ['qkv_proj', 'o_proj', 'gate_up_proj', 'down_proj'] as const;
// head_dim 8, rotary dim 4: two LongRoPE factors each; trained length 16, max 64 (factor 4).
const cfg = (layers: number, window: number | null, extra: Record<string, unknown> = {}) =>
  caseConfig('Phi3ForCausalLM', 'phi3', layers, {
    hidden_size: 32,
    intermediate_size: 48,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    partial_rotary_factor: 0.5,
    max_position_embeddings: 64,
    original_max_position_embeddings: 16,
    rms_norm_eps: 1e-5,
    sliding_window: window,
    rope_scaling: { type: 'longrope', short_factor: [1.05, 1.4], long_factor: [1.3, 5.5] },
    ...extra,
  });

archProofSuite({
  arch: 'phi3',
  cases: [
    {
      name: '1 layer, LongRoPE short factors (positions < 16), GQA 4/2, f32',
      config: cfg(1, null),
      dtype: 'F32',
      lora: { r: 4, alpha: 8, rslora: false, targets: [...ALL] },
      batch: packedBatch(31, 1, 14, 6),
    },
    {
      name: '1 layer, LongRoPE long factors (positions to 27), sliding window 10, f32',
      config: cfg(1, 10),
      dtype: 'F32',
      lora: { r: 4, alpha: 8, rslora: false, targets: [...ALL] },
      batch: packedBatch(32, 1, 28, 6),
    },
    {
      name: '2 layers, bf16, window 12, 2 rows packed, MQA 4/1',
      config: cfg(2, 12, { num_key_value_heads: 1, torch_dtype: 'bfloat16' }),
      dtype: 'BF16',
      lora: { r: 3, alpha: 6, rslora: true, targets: ['qkv_proj', 'gate_up_proj', 'down_proj'] },
      batch: packedBatch(33, 2, 22, 9),
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
    '4',
    '--sliding-window',
    '12',
  ],
  ids: [1, 17, 42, 99, 3, 250, 7, 64, 128, 5, 200, 33, 9, 14, 81, 2, 160, 44, 71, 8],
  kvLength: 16,
  // Tied, as Phi-4-mini is: an untied random head (std 0.15) caps how far the loss can fall.
  learn: {
    hidden: 64,
    layers: 2,
    heads: 4,
    kvHeads: 2,
    intermediate: 128,
    seed: 1,
    dtype: 'float32',
    tieEmbeddings: true,
  },
});

// SmolLM3ForCausalLM: Llama with RoPE only on the layers whose no_rope_layers entry is 1
// (SmolLM3-3B: every 4th layer has none). Proof: ./proof.ts.
import { archProofSuite, caseConfig, packedBatch } from './proof.ts';

const ALL = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
const cfg = (layers: number, noRope: number[], extra: Record<string, unknown> = {}) =>
  caseConfig('SmolLM3ForCausalLM', 'smollm3', layers, {
    hidden_size: 32,
    intermediate_size: 48,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    rope_theta: 5000,
    no_rope_layers: noRope,
    use_sliding_window: false,
    ...extra,
  });

archProofSuite({
  arch: 'smollm3',
  cases: [
    {
      name: '1 RoPE layer, GQA 4/2, f32',
      config: cfg(1, [1]),
      dtype: 'F32',
      lora: { r: 4, alpha: 8, rslora: false, targets: [...ALL] },
      batch: packedBatch(21, 1, 24, 10),
    },
    {
      name: '1 NoPE layer, tied, f32',
      config: cfg(1, [0], { tie_word_embeddings: true }),
      dtype: 'F32',
      lora: { r: 4, alpha: 8, rslora: false, targets: [...ALL] },
      batch: packedBatch(22, 1, 24, 9),
    },
    {
      name: '2 layers (RoPE, NoPE), bf16, 2 rows packed',
      config: cfg(2, [1, 0], { torch_dtype: 'bfloat16' }),
      dtype: 'BF16',
      lora: { r: 3, alpha: 6, rslora: true, targets: [...ALL] },
      batch: packedBatch(23, 2, 20, 8),
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
    '3',
  ],
  ids: [1, 17, 42, 99, 3, 250, 7, 64, 128, 5, 200, 33, 9, 14],
  learn: { hidden: 64, layers: 2, heads: 4, kvHeads: 2, intermediate: 128, seed: 1, dtype: 'float32' },
});

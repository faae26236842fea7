// InternLM2ForCausalLM (the checkpoints' remote modeling_internlm2.py): wqkv packed per kv head
// (that head's query heads, then its key, then its value), wo, feed_forward.w1 (gate) / w3 (up)
// / w2 (down), attention_norm / ffn_norm, tok_embeddings / output, and dynamic NTK RoPE: the
// plain RoPE within max_position_embeddings, a base grown from max(position_ids) + 1 past it
// (the cases with max_position_embeddings 16 run rows of 20-24 tokens; the tiny model's trained
// length is 16 and `prism forward` runs 24 ids). Proof: ./proof.ts.
import { describe, expect, it } from 'vitest';
import { ropeFrequencies, ropeInvFreq } from '../../engine/kernels/rope.ts';
import { archProofSuite, caseConfig, packedBatch } from './proof.ts';

const ALL = ['wqkv', 'wo', 'w1', 'w3', 'w2'] as const;
const cfg = (layers: number, extra: Record<string, unknown> = {}) =>
  caseConfig('InternLM2ForCausalLM', 'internlm2', layers, {
    hidden_size: 32,
    intermediate_size: 48,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    bias: false,
    rms_norm_eps: 1e-5,
    rope_theta: 1000000,
    rope_scaling: { type: 'dynamic', factor: 2 },
    max_position_embeddings: 64,
    ...extra,
  });

archProofSuite({
  arch: 'internlm2',
  cases: [
    {
      name: '1 layer, wqkv in 2 groups of 2 query heads + k + v, within the trained length, f32',
      config: cfg(1),
      dtype: 'F32',
      lora: { r: 4, alpha: 8, rslora: false, targets: [...ALL] },
      batch: packedBatch(61, 1, 24, 10),
    },
    {
      name: '1 layer, MHA (4 groups of 1), tied, 24 positions past a trained length of 16 (dynamic NTK), f32',
      config: cfg(1, { num_key_value_heads: 4, tie_word_embeddings: true, max_position_embeddings: 16 }),
      dtype: 'F32',
      lora: { r: 4, alpha: 8, rslora: false, targets: [...ALL] },
      batch: packedBatch(62, 2, 24, 9),
    },
    {
      name: '2 layers, bf16, 2 rows (one packed), MQA (1 group of 4), 20 positions past 16',
      config: cfg(2, { num_key_value_heads: 1, torch_dtype: 'bfloat16', max_position_embeddings: 16 }),
      dtype: 'BF16',
      lora: { r: 3, alpha: 6, rslora: true, targets: ['wqkv', 'w1', 'w2'] },
      batch: packedBatch(63, 2, 20, 8),
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
    '7',
  ],
  // 24 ids past the tiny model's trained length (16): `prism forward` runs the grown base.
  ids: [1, 17, 42, 99, 3, 250, 7, 64, 128, 5, 200, 33, 9, 14, 77, 180, 2, 61, 240, 11, 90, 4, 150, 8],
  // Generation grows the base token by token while the cache keeps earlier rotations (as
  // transformers' generate does); one full forward, the reference, cannot: the check stops at 16.
  kvLength: 16,
  // Tied: an untied random head (std 0.15) caps how far the loss can fall. A trained length past
  // the records, so that greedy decoding rotates as training did.
  learn: {
    hidden: 64,
    layers: 2,
    heads: 4,
    kvHeads: 2,
    intermediate: 128,
    seed: 1,
    dtype: 'float32',
    tieEmbeddings: true,
    maxPositionEmbeddings: 512,
  },
});

describe('internlm2: dynamic NTK RoPE', () => {
  const p = {
    dim: 8,
    theta: 10000,
    scaling: { rope_type: 'dynamic' as const, factor: 2 },
    maxPositionEmbeddings: 16,
  };
  it('is the default RoPE up to max_position_embeddings and a grown base past it', () => {
    expect(ropeFrequencies(p, 15).invFreq).toEqual(ropeInvFreq(8, 10000));
    // seqLen 32: base = 10000 · (2·32/16 − 1)^(8/6) = 10000 · 3^(4/3), worked by hand.
    const want = ropeInvFreq(8, 10000 * Math.pow(3, 4 / 3));
    const got = ropeFrequencies(p, 31).invFreq;
    for (let i = 0; i < 4; i++) expect(got[i]).toBeCloseTo(want[i], 7);
    expect(got[3]).toBeLessThan(ropeInvFreq(8, 10000)[3]);
  });
});

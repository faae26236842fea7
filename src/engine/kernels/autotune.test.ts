// The products autotune measures for a model: every shape class a LoRA training step of
// Qwen2.5-0.5B (hidden 896, 14 heads × 64, 2 kv heads, intermediate 4864, bf16) runs at 512
// tokens, rank 8 — listed by hand from the decoder layer's products (forward X·Wᵀ, input
// gradient dY·W, LoRA's x·Aᵀ, h·Bᵀ, dy·B, dh·A, dyᵀ·h, dhᵀ·x) — each class once.
import { describe, expect, it } from 'vitest';
import { modelGemmShapes, weightDtype } from './autotune.ts';
import { shapeClass } from './tuner.ts';

const QWEN = {
  hidden_size: 896,
  intermediate_size: 4864,
  num_attention_heads: 14,
  num_key_value_heads: 2,
  head_dim: 64,
  vocab_size: 151936,
};

describe('modelGemmShapes', () => {
  it('a LoRA training step: every class once', () => {
    const shapes = modelGemmShapes(QWEN, { tokens: [512], dtype: 'bf16', training: true, loraRank: 8 });
    const classes = shapes.map(shapeClass);
    expect(new Set(classes).size).toBe(classes.length);
    expect(classes.sort()).toEqual(
      [
        // frozen weights: forward and input gradient
        'NT bf16 M:mid N:s K:s',
        'NT bf16 M:mid N:l K:s',
        'NT bf16 M:mid N:s K:l',
        'NN bf16 M:mid N:s K:s',
        'NN bf16 M:mid N:s K:l',
        'NN bf16 M:mid N:l K:s',
        // LoRA (rank 8: the xs bucket): x·Aᵀ, h·Bᵀ, then the backward's dy·B and dh·A
        'NT f32 M:mid N:xs K:s',
        'NT f32 M:mid N:xs K:l',
        'NT f32 M:mid N:s K:xs',
        'NT f32 M:mid N:l K:xs',
        'NN f32 M:mid N:xs K:s',
        'NN f32 M:mid N:xs K:l',
        'NN f32 M:mid N:s K:xs',
        'NN f32 M:mid N:l K:xs',
        // dB = dyᵀ·h (M = out: 896, 128, 4864) and dA = dhᵀ·x (M = rank)
        'TN f32 M:long N:xs K:s',
        'TN f32 M:mid N:xs K:s',
        'TN f32 M:vec N:s K:s',
        'TN f32 M:vec N:l K:s',
      ].sort(),
    );
  });

  it('inference: the prompt, decode steps and the LM head; no gradients', () => {
    const classes = modelGemmShapes(QWEN, { tokens: [40, 1], dtype: 'f16', head: true }).map(shapeClass);
    expect(classes.sort()).toEqual(
      [
        'NT f16 M:short N:s K:s',
        'NT f16 M:short N:l K:s',
        'NT f16 M:short N:s K:l',
        'NT f16 M:vec N:s K:s',
        'NT f16 M:vec N:l K:s',
        'NT f16 M:vec N:s K:l',
      ].sort(),
    );
  });

  it('times long runs and large vocabularies at a bounded size, in the same classes', () => {
    const long = modelGemmShapes(QWEN, { tokens: [32768], dtype: 'bf16', training: true, loraRank: 8, head: true });
    // Rows are tokens except in dA, dB (transposed A: M = rank or out).
    expect(Math.max(...long.filter((s) => !s.transA).map((s) => s.M))).toBe(4096);
    // The head's class is gate/up's here; with a narrower MLP it is its own, timed on 16384 rows.
    const head = modelGemmShapes({ ...QWEN, intermediate_size: 2048 }, { tokens: [1], dtype: 'bf16', head: true });
    expect(head.find((s) => shapeClass(s) === 'NT bf16 M:vec N:l K:s')).toMatchObject({ M: 1, N: 16384, K: 896 });
    expect(long.map(shapeClass)).toContain('NT bf16 M:long N:l K:s');
    expect(long.map(shapeClass)).toContain('TN f32 M:vec N:l K:l'); // dA = dhᵀ·x over ≥ 4096 tokens
  });

  it('names the checkpoint dtype as the engine does', () => {
    expect([weightDtype('bfloat16'), weightDtype('float16'), weightDtype('float32')]).toEqual(['bf16', 'f16', 'f32']);
  });
});

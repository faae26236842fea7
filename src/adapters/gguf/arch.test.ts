// Names, the llama q/k permutation and the architecture mapping, against llama.cpp's definitions
// (convert_hf_to_gguf.py LlamaModel.permute, tensor_mapping.py, llama_model_smollm3) worked by hand.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../model/config.ts';
import { makeTinyModel } from '../../model/tiny.ts';
import { ggufArch, ggufTensorName, permuteRows } from './arch.ts';
import { GgufError } from './format.ts';

describe('permuteRows', () => {
  it('interleaves the two halves of each head: reshape(n_head, 2, hd/2).swapaxes(1, 2)', () => {
    // Two heads of 4 rows, one column: head rows [a0 a1 | b0 b1] become [a0 b0 a1 b1].
    expect([...permuteRows(Float32Array.of(0, 1, 2, 3, 10, 11, 12, 13), 1, 4)]).toEqual([0, 2, 1, 3, 10, 12, 11, 13]);
    // Rows move whole (2 columns).
    expect([...permuteRows(Float32Array.of(0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5), 2, 4)]).toEqual([
      0, 0.5, 2, 2.5, 1, 1.5, 3, 3.5,
    ]);
  });
});

describe('ggufTensorName', () => {
  it("maps Hugging Face names to llama.cpp's", () => {
    expect(ggufTensorName('model.embed_tokens.weight')).toBe('token_embd.weight');
    expect(ggufTensorName('lm_head.weight')).toBe('output.weight');
    expect(ggufTensorName('model.norm.weight')).toBe('output_norm.weight');
    expect(ggufTensorName('model.layers.3.self_attn.o_proj.weight')).toBe('blk.3.attn_output.weight');
    expect(ggufTensorName('model.layers.0.self_attn.k_proj.bias')).toBe('blk.0.attn_k.bias');
    expect(ggufTensorName('model.layers.1.post_attention_layernorm.weight')).toBe('blk.1.ffn_norm.weight');
    expect(ggufTensorName('model.layers.1.self_attn.q_norm.weight')).toBe('blk.1.attn_q_norm.weight');
    expect(ggufTensorName('model.layers.1.mlp.down_proj.weight')).toBe('blk.1.ffn_down.weight');
    expect(ggufTensorName('model.rotary_emb.inv_freq')).toBeNull();
  });
});

describe('ggufArch', () => {
  const spec = (arch: 'smollm3' | 'llama', layers: number) =>
    makeTinyModel({
      arch,
      hidden: 32,
      layers,
      heads: 2,
      kvHeads: 1,
      intermediate: 64,
      seed: 1,
      dtype: 'float32',
      tokenizer: 'bytes',
    }).spec;
  it('refuses a SmolLM3 whose NoPE layers are not every 4th (llama.cpp hard-codes that)', () => {
    expect(() => ggufArch(spec('smollm3', 2))).toThrow(GgufError);
    expect(() => ggufArch(spec('smollm3', 2))).toThrow(
      /skips RoPE in layers 1, but llama\.cpp's smollm3 always skips it in every 4th layer/,
    );
    const cfg = JSON.parse(
      new TextDecoder().decode(
        makeTinyModel({
          arch: 'smollm3',
          hidden: 32,
          layers: 4,
          heads: 2,
          kvHeads: 1,
          intermediate: 64,
          seed: 1,
          dtype: 'float32',
          tokenizer: 'bytes',
        }).files['config.json'],
      ),
    );
    expect(ggufArch(parseConfig({ ...cfg, no_rope_layer_interval: 4, no_rope_layers: [1, 1, 1, 0] }))).toBe('smollm3');
    expect(ggufArch(spec('llama', 2))).toBe('llama');
  });
});

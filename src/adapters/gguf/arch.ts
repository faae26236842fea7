// Hugging Face decoder → llama.cpp's architecture, tensor names and hyperparameters, as
// convert_hf_to_gguf.py writes them (llama.cpp conversion/llama.py, conversion/qwen.py,
// conversion/base.py TextModel.set_gguf_parameters; names from gguf-py constants.py TENSOR_NAMES
// and tensor_mapping.py):
// - LlamaForCausalLM and MistralForCausalLM → "llama"; Qwen2ForCausalLM → "qwen2";
//   Qwen3ForCausalLM → "qwen3"; SmolLM3ForCausalLM → "smollm3" (a LlamaModel subclass there).
// - "llama" uses GPT-J style (interleaved) RoPE in llama.cpp, so q_proj/k_proj rows (and biases)
//   are permuted from Hugging Face's rotate-half order: LlamaModel.permute =
//   w.reshape(n_head, 2, rows/n_head/2, …).swapaxes(1, 2); k uses the kv head count. qwen2/qwen3
//   use NEOX RoPE: no permutation.
// - Llama 3 rope scaling is not a KV but the `rope_freqs` tensor of per-frequency factors
//   (LlamaModel.generate_extra_tensors).
import type { ModelSpec } from '../../model/types.ts';
import { GgufError, GGML_QUANT_VERSION, type GgufValue } from './format.ts';

export type GgufArch = 'llama' | 'qwen2' | 'qwen3' | 'smollm3';

/**
 * llama.cpp's smollm3 skips RoPE in every 4th layer (llama_model_smollm3: n_no_rope_layer_step = 4), whatever
 * config.json says.
 */
const SMOLLM3_NO_ROPE_STEP = 4;

/** llama.cpp's architecture for a spec; an error for anything we have no mapping for. */
export function ggufArch(spec: ModelSpec): GgufArch {
  switch (spec.architecture) {
    case 'LlamaForCausalLM':
    case 'MistralForCausalLM':
      return 'llama';
    case 'Qwen2ForCausalLM':
      return 'qwen2';
    case 'Qwen3ForCausalLM':
      return 'qwen3';
    case 'SmolLM3ForCausalLM': {
      // SmolLM3Model(LlamaModel) in convert_hf_to_gguf.py: llama's tensors and permutation, arch "smollm3".
      const want = Array.from({ length: spec.num_hidden_layers }, (_, i) =>
        (i + 1) % SMOLLM3_NO_ROPE_STEP === 0 ? 0 : 1,
      );
      const got = spec.no_rope_layers ?? want.map(() => 1);
      if (got.some((v, i) => v !== want[i])) {
        throw new GgufError(
          `this SmolLM3 skips RoPE in layers ` +
            `${got.flatMap((v, i) => (v ? [] : [i])).join(', ') || 'none'}, but llama.cpp's smollm3 ` +
            `always skips it in every ${SMOLLM3_NO_ROPE_STEP}th layer; a GGUF of it would compute something else`,
        );
      }
      return 'smollm3';
    }
    default:
      throw new GgufError(
        `no GGUF mapping for ${spec.architecture} (Prism writes llama, mistral, qwen2, qwen3 and smollm3 models)`,
      );
  }
}

const LAYER_NAMES: Record<string, string> = {
  input_layernorm: 'attn_norm',
  'self_attn.q_proj': 'attn_q',
  'self_attn.k_proj': 'attn_k',
  'self_attn.v_proj': 'attn_v',
  'self_attn.o_proj': 'attn_output',
  'self_attn.q_norm': 'attn_q_norm',
  'self_attn.k_norm': 'attn_k_norm',
  post_attention_layernorm: 'ffn_norm',
  'mlp.gate_proj': 'ffn_gate',
  'mlp.up_proj': 'ffn_up',
  'mlp.down_proj': 'ffn_down',
};

/**
 * The GGUF name of a Hugging Face tensor (e.g. model.layers.3.self_attn.q_proj.weight → blk.3.attn_q.weight); null =
 * not exported.
 */
export function ggufTensorName(hf: string): string | null {
  if (hf === 'model.embed_tokens.weight') return 'token_embd.weight';
  if (hf === 'model.norm.weight') return 'output_norm.weight';
  if (hf === 'lm_head.weight') return 'output.weight';
  const m = /^model\.layers\.(\d+)\.(.+)\.(weight|bias)$/.exec(hf);
  if (!m) return null;
  const base = LAYER_NAMES[m[2]];
  return base ? `blk.${m[1]}.${base}.${m[3]}` : null;
}

/** Whether a tensor's rows are permuted for llama's RoPE, and with how many heads. */
export function permuteHeads(arch: GgufArch, spec: ModelSpec, hf: string): number | null {
  if (arch !== 'llama' && arch !== 'smollm3') return null;
  if (/\.self_attn\.q_proj\.(weight|bias)$/.test(hf)) return spec.num_attention_heads;
  if (/\.self_attn\.k_proj\.(weight|bias)$/.test(hf)) return spec.num_key_value_heads;
  return null;
}

/**
 * LlamaModel.permute on rows [r0, r0 + n) (whole heads) of a tensor with `cols` values per row:
 * within each head of hd rows, new row 2i + j takes old row j·hd/2 + i.
 */
export function permuteRows(x: Float32Array, cols: number, headDim: number): Float32Array {
  const rows = x.length / cols;
  if (rows % headDim) throw new GgufError(`permute: ${rows} rows are not whole heads of ${headDim}`);
  const out = new Float32Array(x.length);
  const half = headDim / 2;
  for (let h = 0; h < rows; h += headDim) {
    for (let i = 0; i < half; i++) {
      for (let j = 0; j < 2; j++) {
        const src = (h + j * half + i) * cols;
        out.set(x.subarray(src, src + cols), (h + 2 * i + j) * cols);
      }
    }
  }
  return out;
}

/** Llama 3 rope_freqs (LlamaModel.generate_extra_tensors), in float32 as torch computes it. */
export function llama3RopeFreqs(spec: ModelSpec): Float32Array | null {
  const s = spec.rope_scaling;
  if (!s || s.rope_type !== 'llama3') return null;
  const dim = spec.head_dim;
  const fr = Math.fround;
  const lowWavelen = s.original_max_position_embeddings / s.low_freq_factor;
  const highWavelen = s.original_max_position_embeddings / s.high_freq_factor;
  const out = new Float32Array(dim / 2);
  for (let k = 0; k < dim / 2; k++) {
    // freqs = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=float32) / dim)), all float32 tensors.
    const freq = fr(1 / fr(fr(spec.rope_theta) ** fr(fr(2 * k) / dim)));
    const wavelen = (2 * Math.PI) / freq;
    if (wavelen < highWavelen) out[k] = 1;
    else if (wavelen > lowWavelen) out[k] = s.factor;
    else {
      const smooth =
        (s.original_max_position_embeddings / wavelen - s.low_freq_factor) / (s.high_freq_factor - s.low_freq_factor);
      out[k] = 1 / ((1 - smooth) / s.factor + smooth);
    }
  }
  return out;
}

/** The hyperparameter KVs (TextModel.set_gguf_parameters and the arch's additions), in convert's order. */
export function archKv(
  arch: GgufArch,
  spec: ModelSpec,
  config: Record<string, unknown>,
  fileType: number,
): [string, GgufValue][] {
  const a = (k: string) => `${arch}.${k}`;
  const kv: [string, GgufValue][] = [
    [a('block_count'), { type: 'u32', value: spec.num_hidden_layers }],
    [a('context_length'), { type: 'u32', value: spec.max_position_embeddings }],
    [a('embedding_length'), { type: 'u32', value: spec.hidden_size }],
    [a('feed_forward_length'), { type: 'u32', value: spec.intermediate_size }],
    [a('attention.head_count'), { type: 'u32', value: spec.num_attention_heads }],
    [a('attention.head_count_kv'), { type: 'u32', value: spec.num_key_value_heads }],
    [a('rope.freq_base'), { type: 'f32', value: spec.rope_theta }],
    [a('attention.layer_norm_rms_epsilon'), { type: 'f32', value: spec.rms_norm_eps }],
  ];
  // convert writes key/value_length only when config.json names head_dim.
  if (typeof config.head_dim === 'number') {
    kv.push(
      [a('attention.key_length'), { type: 'u32', value: spec.head_dim }],
      [a('attention.value_length'), { type: 'u32', value: spec.head_dim }],
    );
  }
  kv.push(['general.file_type', { type: 'u32', value: fileType }]);
  if (arch === 'llama' || arch === 'smollm3') {
    kv.push(
      [a('vocab_size'), { type: 'u32', value: spec.vocab_size }],
      [a('rope.dimension_count'), { type: 'u32', value: spec.head_dim }],
    );
  }
  kv.push(['general.quantization_version', { type: 'u32', value: GGML_QUANT_VERSION }]);
  return kv;
}

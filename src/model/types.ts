// What the rest of Prism knows about a model: its shape (ModelSpec, from config.json), the
// tensors its checkpoint must hold, and the byte sources weights stream from. Plain data, so a
// spec crosses worker boundaries as JSON.

/** The decoder families we run. Each maps to one Hugging Face `*ForCausalLM` class (Gemma 3 also to the
 * language model of `Gemma3ForConditionalGeneration`). */
export type Arch = 'llama' | 'qwen2' | 'qwen3' | 'mistral' | 'smollm3' | 'phi3' | 'gemma2' | 'gemma3' | 'internlm2';

/** Llama 3.x frequency-dependent RoPE scaling (`rope_type: "llama3"` in config.json). */
export interface Llama3RopeScaling {
  rope_type: 'llama3';
  factor: number;
  low_freq_factor: number;
  high_freq_factor: number;
  original_max_position_embeddings: number;
}

/** Position interpolation: positions divided by `factor` (`rope_type: "linear"`, Gemma 3's global layers). */
export interface LinearRopeScaling {
  rope_type: 'linear';
  factor: number;
}

/**
 * Phi-3's LongRoPE (`rope_type: "longrope"`): per-frequency divisors, `short_factor` while the
 * sequence fits `original_max_position_embeddings`, `long_factor` beyond; cos/sin scaled by
 * `attention_factor`.
 */
export interface LongRopeScaling {
  rope_type: 'longrope';
  short_factor: number[];
  long_factor: number[];
  original_max_position_embeddings: number;
  attention_factor: number;
}

/** Dynamic NTK (`rope_type: "dynamic"`): the base grows once a sequence passes max_position_embeddings. */
export interface DynamicRopeScaling {
  rope_type: 'dynamic';
  factor: number;
}

export type RopeScaling = Llama3RopeScaling | LinearRopeScaling | LongRopeScaling | DynamicRopeScaling;

/** transformers' `layer_types` entries. */
export type LayerType = 'full_attention' | 'sliding_attention';

export type HiddenAct = 'silu' | 'gelu_pytorch_tanh';

/** Storage dtype named the way config.json names it (`torch_dtype` / `dtype`). */
export type TorchDtype = 'float32' | 'bfloat16' | 'float16';

export interface ModelSpec {
  arch: Arch;
  /** The `architectures[0]` class name, e.g. `Qwen2ForCausalLM`. */
  architecture: string;
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  /** Per-head width: config's `head_dim` when given, else hidden_size / num_attention_heads. */
  head_dim: number;
  vocab_size: number;
  rms_norm_eps: number;
  rope_theta: number;
  /** The scaling of the (global) RoPE; Gemma 3's sliding layers never scale. */
  rope_scaling: RopeScaling | null;
  /** Gemma 3: RoPE base of the sliding-window layers (`rope_local_base_freq`); null elsewhere. */
  rope_local_theta: number | null;
  /** Leading dims of each head that RoPE rotates (`partial_rotary_factor`·head_dim; Phi-3). */
  rotary_dim: number;
  /** SmolLM3's `no_rope_layers`: 1 = the layer applies RoPE, 0 = it does not; null = every layer does. */
  no_rope_layers: number[] | null;
  /** Per layer: full causal attention, or within `sliding_window` tokens. */
  layer_types: LayerType[];
  tie_word_embeddings: boolean;
  /** Bias on q_proj, k_proj and v_proj (always on for Qwen2). */
  attention_bias: boolean;
  /** Bias on o_proj (Llama/Qwen3 `attention_bias: true`; never for Qwen2). */
  o_proj_bias: boolean;
  /** RMSNorm over each head of q and k before RoPE (Qwen3). */
  qk_norm: boolean;
  /** Attention window of the `sliding_attention` layers in tokens (query i sees keys j > i − window). */
  sliding_window: number | null;
  /** The MLP's gate activation. */
  hidden_act: HiddenAct;
  /** Gemma: RMSNorm scales by (1 + weight), so norm weights are stored around 0. */
  norm_unit_offset: boolean;
  /** Gemma: the embeddings are multiplied by √hidden_size (in float32). */
  embed_scale: number;
  /** Gemma 2/3: RMSNorm after attention and after the MLP too (pre/post "sandwich" norms). */
  sandwich_norms: boolean;
  /** Softmax scale of attention: query_pre_attn_scalar^-0.5 (Gemma) or head_dim^-0.5. */
  attn_scale: number;
  /** Gemma 2: scores become cap·tanh(scores/cap) before the mask and softmax. */
  attn_logit_softcapping: number | null;
  /** Gemma 2 (and Gemma 3 when set): logits become cap·tanh(logits/cap). */
  final_logit_softcapping: number | null;
  /**
   * Where the decoder's weights live in the checkpoint: `model.` for `*ForCausalLM`,
   * `language_model.model.` (or, as newer transformers saves it, `model.language_model.`) for
   * the language model of Gemma 3's multimodal checkpoints.
   */
  weight_prefix: string;
  max_position_embeddings: number;
  bos_token_id: number | null;
  /** One id or several (Llama 3.x Instruct lists three). */
  eos_token_id: number | number[] | null;
  pad_token_id: number | null;
  torch_dtype: TorchDtype;
}

/** One tensor a checkpoint of a given spec must contain. */
export interface TensorSpec {
  name: string;
  shape: number[];
}

/**
 * Random access to the bytes of one file, wherever it lives (a `File`, the disk, HTTP).
 * `read` returns exactly `length` bytes or throws.
 */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A Hugging Face model folder: config.json, tokenizer files, weights. Paths are relative. */
export interface ModelSource {
  /** Where it comes from, for messages (`Qwen/Qwen3-0.6B@main`, `/models/tiny`). */
  readonly label: string;
  exists(path: string): Promise<boolean>;
  readText(path: string): Promise<string>;
  open(path: string): Promise<ByteSource>;
}

/** Download progress of one file: bytes received so far and the file's size. */
export interface ProgressEvent {
  path: string;
  loaded: number;
  total: number;
}

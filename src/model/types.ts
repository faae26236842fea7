// What the rest of Prism knows about a model: its shape (ModelSpec, from config.json), the
// tensors its checkpoint must hold, and the byte sources weights stream from. Plain data, so a
// spec crosses worker boundaries as JSON.

/** The decoder families we run. Each maps to one Hugging Face `*ForCausalLM` class. */
export type Arch = 'llama' | 'qwen2' | 'qwen3' | 'mistral';

/** Llama 3.x frequency-dependent RoPE scaling (`rope_type: "llama3"` in config.json). */
export interface Llama3RopeScaling {
  rope_type: 'llama3';
  factor: number;
  low_freq_factor: number;
  high_freq_factor: number;
  original_max_position_embeddings: number;
}

export type RopeScaling = Llama3RopeScaling;

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
  rope_scaling: RopeScaling | null;
  tie_word_embeddings: boolean;
  /** Bias on q_proj, k_proj and v_proj (always on for Qwen2). */
  attention_bias: boolean;
  /** Bias on o_proj (Llama/Qwen3 `attention_bias: true`; never for Qwen2). */
  o_proj_bias: boolean;
  /** RMSNorm over each head of q and k before RoPE (Qwen3). */
  qk_norm: boolean;
  /** Mistral's attention window in tokens; null when attention is full. */
  sliding_window: number | null;
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

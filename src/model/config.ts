// Hugging Face config.json → ModelSpec. Defaults are transformers' own for each config class,
// so a config that leaves a field out means what it means to transformers. Both the 4.x
// spelling (`rope_theta`, `rope_scaling`, `torch_dtype`) and the 5.x one (`rope_parameters`,
// `dtype`) are read.
import type { Arch, ModelSpec, RopeScaling, TorchDtype } from './types.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** `architectures[0]` → our family. The only classes we run. */
export const SUPPORTED_ARCHITECTURES: Record<string, Arch> = {
  LlamaForCausalLM: 'llama',
  Qwen2ForCausalLM: 'qwen2',
  Qwen3ForCausalLM: 'qwen3',
  MistralForCausalLM: 'mistral',
};

const MODEL_TYPES: Record<string, Arch> = { llama: 'llama', qwen2: 'qwen2', qwen3: 'qwen3', mistral: 'mistral' };

/** transformers' defaults per config class, for fields a config.json may omit. */
const DEFAULTS: Record<Arch, { rms_norm_eps: number; rope_theta: number; max_position_embeddings: number }> = {
  llama: { rms_norm_eps: 1e-6, rope_theta: 10000, max_position_embeddings: 2048 },
  qwen2: { rms_norm_eps: 1e-6, rope_theta: 10000, max_position_embeddings: 32768 },
  qwen3: { rms_norm_eps: 1e-6, rope_theta: 10000, max_position_embeddings: 32768 },
  mistral: { rms_norm_eps: 1e-6, rope_theta: 10000, max_position_embeddings: 4096 * 32 },
};

type Json = Record<string, unknown>;

function supportedList(): string {
  return Object.keys(SUPPORTED_ARCHITECTURES).join(', ');
}

function positiveInt(cfg: Json, field: string, fallback?: number): number {
  const v = cfg[field] ?? fallback;
  if (v === undefined || v === null) throw new ConfigError(`config.json: missing field "${field}"`);
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new ConfigError(`config.json: "${field}" must be a positive integer, got ${JSON.stringify(v)}`);
  }
  return v;
}

function positiveNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(`config.json: "${field}" must be a positive number, got ${JSON.stringify(value)}`);
  }
  return value;
}

function bool(cfg: Json, field: string, fallback: boolean): boolean {
  const v = cfg[field];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw new ConfigError(`config.json: "${field}" must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function tokenId(cfg: Json, field: string): number | null {
  const v = cfg[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new ConfigError(`config.json: "${field}" must be a token id, got ${JSON.stringify(v)}`);
  }
  return v;
}

function eosIds(cfg: Json): number | number[] | null {
  const v = cfg.eos_token_id;
  if (Array.isArray(v)) {
    if (v.length === 0 || !v.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)) {
      throw new ConfigError(`config.json: "eos_token_id" must be a token id or a list of them, got ${JSON.stringify(v)}`);
    }
    return v as number[];
  }
  return tokenId(cfg, 'eos_token_id');
}

function archOf(cfg: Json): { arch: Arch; architecture: string } {
  const archs = cfg.architectures;
  if (archs !== undefined && archs !== null) {
    if (!Array.isArray(archs) || archs.length === 0 || typeof archs[0] !== 'string') {
      throw new ConfigError(`config.json: "architectures" must be a list of class names, got ${JSON.stringify(archs)}`);
    }
    const name = archs[0] as string;
    const arch = SUPPORTED_ARCHITECTURES[name];
    if (!arch) throw new ConfigError(`unsupported architecture ${name}: Prism runs ${supportedList()}`);
    return { arch, architecture: name };
  }
  const type = cfg.model_type;
  if (typeof type !== 'string') throw new ConfigError('config.json: missing field "architectures" (and no "model_type")');
  const arch = MODEL_TYPES[type];
  if (!arch) throw new ConfigError(`unsupported model_type "${type}": Prism runs ${supportedList()}`);
  const architecture = Object.keys(SUPPORTED_ARCHITECTURES).find((k) => SUPPORTED_ARCHITECTURES[k] === arch)!;
  return { arch, architecture };
}

function dtypeOf(cfg: Json): TorchDtype {
  const v = cfg.torch_dtype ?? cfg.dtype ?? 'float32';
  if (v === 'float32' || v === 'bfloat16' || v === 'float16') return v;
  throw new ConfigError(`config.json: "torch_dtype" ${JSON.stringify(v)} is not supported (float32, bfloat16, float16)`);
}

/** rope_theta and rope_scaling, from 4.x top-level fields or 5.x `rope_parameters`. */
function ropeOf(cfg: Json, fallbackTheta: number): { rope_theta: number; rope_scaling: RopeScaling | null } {
  const params = cfg.rope_parameters;
  if (params !== undefined && params !== null && (typeof params !== 'object' || Array.isArray(params))) {
    throw new ConfigError(`config.json: "rope_parameters" must be an object, got ${JSON.stringify(params)}`);
  }
  const p = (params ?? {}) as Json;
  const theta = cfg.rope_theta ?? p.rope_theta ?? fallbackTheta;
  const rope_theta = positiveNumber(theta, 'rope_theta');
  const scaling = cfg.rope_scaling ?? (params ? p : null);
  if (scaling === null || scaling === undefined) return { rope_theta, rope_scaling: null };
  if (typeof scaling !== 'object' || Array.isArray(scaling)) {
    throw new ConfigError(`config.json: "rope_scaling" must be an object or null, got ${JSON.stringify(scaling)}`);
  }
  const s = scaling as Json;
  const type = s.rope_type ?? s.type ?? 'default';
  if (type === 'default') return { rope_theta, rope_scaling: null };
  if (type !== 'llama3') {
    throw new ConfigError(`config.json: rope_scaling type ${JSON.stringify(type)} is not supported (only "llama3" or none)`);
  }
  const need = (k: string) => {
    if (s[k] === undefined) throw new ConfigError(`config.json: rope_scaling is missing field "${k}"`);
    return positiveNumber(s[k], `rope_scaling.${k}`);
  };
  return {
    rope_theta,
    rope_scaling: {
      rope_type: 'llama3',
      factor: need('factor'),
      low_freq_factor: need('low_freq_factor'),
      high_freq_factor: need('high_freq_factor'),
      original_max_position_embeddings: need('original_max_position_embeddings'),
    },
  };
}

function slidingWindowOf(cfg: Json, arch: Arch): number | null {
  if (arch === 'mistral') {
    const w = cfg.sliding_window;
    if (w === undefined || w === null) return null;
    return positiveInt(cfg, 'sliding_window');
  }
  // Qwen2/Qwen3 name a window but use it only with use_sliding_window, which no released
  // checkpoint turns on; its per-layer rule (max_window_layers) is not implemented here.
  if (arch === 'qwen2' || arch === 'qwen3') {
    if (cfg.use_sliding_window === true) {
      throw new ConfigError(`config.json: use_sliding_window=true is not supported for ${arch}`);
    }
  }
  return null;
}

/** Parse a config.json (text or parsed object) into a ModelSpec, or throw a ConfigError. */
export function parseConfig(input: string | unknown): ModelSpec {
  let cfg: unknown = input;
  if (typeof input === 'string') {
    try {
      cfg = JSON.parse(input);
    } catch (err) {
      throw new ConfigError(`config.json is not valid JSON: ${(err as Error).message}`);
    }
  }
  if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg)) throw new ConfigError('config.json must be a JSON object');
  const c = cfg as Json;
  const { arch, architecture } = archOf(c);
  const d = DEFAULTS[arch];

  const act = c.hidden_act ?? 'silu';
  if (act !== 'silu') throw new ConfigError(`config.json: hidden_act ${JSON.stringify(act)} is not supported (only "silu")`);
  if (c.mlp_bias === true) throw new ConfigError('config.json: mlp_bias=true is not supported');

  const hidden_size = positiveInt(c, 'hidden_size');
  const num_attention_heads = positiveInt(c, 'num_attention_heads');
  const num_key_value_heads = positiveInt(c, 'num_key_value_heads', num_attention_heads);
  if (num_attention_heads % num_key_value_heads !== 0) {
    throw new ConfigError(
      `config.json: "num_attention_heads" (${num_attention_heads}) must be a multiple of "num_key_value_heads" (${num_key_value_heads})`,
    );
  }
  let head_dim: number;
  if (c.head_dim !== undefined && c.head_dim !== null) head_dim = positiveInt(c, 'head_dim');
  else {
    if (hidden_size % num_attention_heads !== 0) {
      throw new ConfigError(
        `config.json: "hidden_size" (${hidden_size}) is not divisible by "num_attention_heads" (${num_attention_heads}) and there is no "head_dim"`,
      );
    }
    head_dim = hidden_size / num_attention_heads;
  }
  if (head_dim % 2 !== 0) throw new ConfigError(`config.json: "head_dim" must be even for RoPE, got ${head_dim}`);

  const rmsEps = c.rms_norm_eps ?? d.rms_norm_eps;
  const { rope_theta, rope_scaling } = ropeOf(c, d.rope_theta);
  const biasFlag = arch === 'mistral' ? false : bool(c, 'attention_bias', false);

  return {
    arch,
    architecture,
    hidden_size,
    intermediate_size: positiveInt(c, 'intermediate_size'),
    num_hidden_layers: positiveInt(c, 'num_hidden_layers'),
    num_attention_heads,
    num_key_value_heads,
    head_dim,
    vocab_size: positiveInt(c, 'vocab_size'),
    rms_norm_eps: positiveNumber(rmsEps, 'rms_norm_eps'),
    rope_theta,
    rope_scaling,
    tie_word_embeddings: bool(c, 'tie_word_embeddings', false),
    // transformers' Qwen2Attention hard-codes bias on q/k/v and none on o.
    attention_bias: arch === 'qwen2' ? true : biasFlag,
    o_proj_bias: arch === 'qwen2' ? false : biasFlag,
    qk_norm: arch === 'qwen3',
    sliding_window: slidingWindowOf(c, arch),
    max_position_embeddings: positiveInt(c, 'max_position_embeddings', d.max_position_embeddings),
    bos_token_id: tokenId(c, 'bos_token_id'),
    eos_token_id: eosIds(c),
    pad_token_id: tokenId(c, 'pad_token_id'),
    torch_dtype: dtypeOf(c),
  };
}

/** The eos ids as a list (empty when the config names none). */
export function eosList(spec: ModelSpec): number[] {
  const e = spec.eos_token_id;
  return e === null ? [] : Array.isArray(e) ? e : [e];
}

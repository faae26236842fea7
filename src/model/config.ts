// Hugging Face config.json → ModelSpec. Defaults are transformers' own for each config class,
// so a config that leaves a field out means what it means to transformers. Both the 4.x
// spelling (`rope_theta`, `rope_scaling`, `torch_dtype`) and the 5.x one (`rope_parameters`,
// flat or nested per layer type, `dtype`) are read. Anything the engine cannot run exactly
// (yarn, an unknown rope type, bidirectional attention, dropout in the base model) is refused
// with the reason, never approximated.
import type { Arch, HiddenAct, LayerType, ModelSpec, RopeScaling, TorchDtype } from './types.ts';

/**
 * Why a config is refused: `architecture` (a class or model_type the engine does not run),
 * `unsupported` (a class it runs, with a feature it cannot run exactly: yarn, biases, a sliding
 * window where none is implemented…) or `invalid` (a malformed field). The capability check
 * words its verdict from this.
 */
export type ConfigRefusal = 'architecture' | 'unsupported' | 'invalid';

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    message: string,
    readonly refusal: ConfigRefusal = 'invalid',
  ) {
    super(message);
  }
}

/** `architectures[0]` → our family. The only classes we run. */
export const SUPPORTED_ARCHITECTURES: Record<string, Arch> = {
  LlamaForCausalLM: 'llama',
  Qwen2ForCausalLM: 'qwen2',
  Qwen3ForCausalLM: 'qwen3',
  MistralForCausalLM: 'mistral',
  SmolLM3ForCausalLM: 'smollm3',
  Phi3ForCausalLM: 'phi3',
  Gemma2ForCausalLM: 'gemma2',
  Gemma3ForCausalLM: 'gemma3',
  InternLM2ForCausalLM: 'internlm2',
};

const MODEL_TYPES: Record<string, Arch> = {
  llama: 'llama',
  qwen2: 'qwen2',
  qwen3: 'qwen3',
  mistral: 'mistral',
  smollm3: 'smollm3',
  phi3: 'phi3',
  gemma2: 'gemma2',
  gemma3_text: 'gemma3',
  internlm2: 'internlm2',
};

/** Multimodal classes whose language model we train: where its config and weights live. */
const LANGUAGE_MODEL_OF: Record<string, { arch: Arch; textClass: string }> = {
  // Text-only training of its language model; the vision tower is neither loaded nor adapted.
  Gemma3ForConditionalGeneration: { arch: 'gemma3', textClass: 'Gemma3ForCausalLM' },
};

interface ArchDefaults {
  rms_norm_eps: number;
  rope_theta: number;
  max_position_embeddings: number;
  tie_word_embeddings: boolean;
  /** Fields some classes default when config.json omits them (Gemma 3's text config omits many). */
  extra?: Record<string, unknown>;
}

/** transformers' defaults per config class, for fields a config.json may omit. */
const DEFAULTS: Record<Arch, ArchDefaults> = {
  llama: { rms_norm_eps: 1e-6, rope_theta: 10000, max_position_embeddings: 2048, tie_word_embeddings: false },
  qwen2: { rms_norm_eps: 1e-6, rope_theta: 10000, max_position_embeddings: 32768, tie_word_embeddings: false },
  qwen3: { rms_norm_eps: 1e-6, rope_theta: 10000, max_position_embeddings: 32768, tie_word_embeddings: false },
  mistral: { rms_norm_eps: 1e-6, rope_theta: 10000, max_position_embeddings: 4096 * 32, tie_word_embeddings: false },
  // SmolLM3Config: rope_theta 2e6 (5.x default_theta), tied embeddings.
  smollm3: { rms_norm_eps: 1e-6, rope_theta: 2000000, max_position_embeddings: 32768, tie_word_embeddings: true },
  phi3: { rms_norm_eps: 1e-5, rope_theta: 10000, max_position_embeddings: 4096, tie_word_embeddings: false },
  gemma2: {
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    max_position_embeddings: 8192,
    tie_word_embeddings: true,
    extra: {
      head_dim: 256,
      query_pre_attn_scalar: 256,
      sliding_window: 4096,
      final_logit_softcapping: 30.0,
      attn_logit_softcapping: 50.0,
      vocab_size: 256000,
    },
  },
  gemma3: {
    rms_norm_eps: 1e-6,
    rope_theta: 1000000,
    max_position_embeddings: 131072,
    tie_word_embeddings: true,
    extra: {
      head_dim: 256,
      query_pre_attn_scalar: 256,
      sliding_window: 4096,
      rope_local_base_freq: 10000,
      sliding_window_pattern: 6,
      vocab_size: 262208,
      hidden_size: 2304,
      intermediate_size: 9216,
      num_hidden_layers: 26,
      num_attention_heads: 8,
      num_key_value_heads: 4,
    },
  },
  internlm2: { rms_norm_eps: 1e-6, rope_theta: 10000, max_position_embeddings: 2048, tie_word_embeddings: false },
};

type Json = Record<string, unknown>;

function supportedList(): string {
  return [
    ...Object.keys(SUPPORTED_ARCHITECTURES),
    ...Object.keys(LANGUAGE_MODEL_OF).map((k) => `${k} (its language model)`),
  ].join(', ');
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

function optionalPositive(cfg: Json, field: string): number | null {
  const v = cfg[field];
  return v === undefined || v === null ? null : positiveNumber(v, field);
}

function bool(cfg: Json, field: string, fallback: boolean): boolean {
  const v = cfg[field];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean')
    throw new ConfigError(`config.json: "${field}" must be true or false, got ${JSON.stringify(v)}`);
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
      throw new ConfigError(
        `config.json: "eos_token_id" must be a token id or a list of them, got ${JSON.stringify(v)}`,
      );
    }
    return v as number[];
  }
  return tokenId(cfg, 'eos_token_id');
}

interface ArchOf {
  arch: Arch;
  architecture: string;
  /** The language model's config (the nested text_config of a multimodal checkpoint). */
  text: Json;
  weight_prefix: string;
}

function archOf(cfg: Json): ArchOf {
  const archs = cfg.architectures;
  if (archs !== undefined && archs !== null) {
    if (!Array.isArray(archs) || archs.length === 0 || typeof archs[0] !== 'string') {
      throw new ConfigError(`config.json: "architectures" must be a list of class names, got ${JSON.stringify(archs)}`);
    }
    const name = archs[0] as string;
    const lm = LANGUAGE_MODEL_OF[name];
    if (lm)
      return { arch: lm.arch, architecture: name, text: textConfigOf(cfg), weight_prefix: 'language_model.model.' };
    const arch = SUPPORTED_ARCHITECTURES[name];
    if (!arch) throw new ConfigError(`unsupported architecture ${name}: Prism runs ${supportedList()}`, 'architecture');
    return { arch, architecture: name, text: cfg, weight_prefix: 'model.' };
  }
  const type = cfg.model_type;
  if (typeof type !== 'string')
    throw new ConfigError('config.json: missing field "architectures" (and no "model_type")');
  const arch = MODEL_TYPES[type];
  if (!arch) throw new ConfigError(`unsupported model_type "${type}": Prism runs ${supportedList()}`, 'architecture');
  const architecture = Object.keys(SUPPORTED_ARCHITECTURES).find((k) => SUPPORTED_ARCHITECTURES[k] === arch)!;
  return { arch, architecture, text: cfg, weight_prefix: 'model.' };
}

/** A multimodal config's `text_config`, with the top level's token ids and dtype where it has none. */
function textConfigOf(cfg: Json): Json {
  const t = cfg.text_config;
  if (t === undefined || t === null) return { ...cfg };
  if (typeof t !== 'object' || Array.isArray(t))
    throw new ConfigError(`config.json: "text_config" must be an object, got ${JSON.stringify(t)}`);
  const out: Json = { ...(t as Json) };
  for (const k of ['torch_dtype', 'dtype', 'bos_token_id', 'eos_token_id', 'pad_token_id', 'tie_word_embeddings']) {
    if (out[k] === undefined && cfg[k] !== undefined) out[k] = cfg[k];
  }
  return out;
}

function dtypeOf(cfg: Json): TorchDtype {
  const v = cfg.torch_dtype ?? cfg.dtype ?? 'float32';
  if (v === 'float32' || v === 'bfloat16' || v === 'float16') return v;
  throw new ConfigError(
    `config.json: "torch_dtype" ${JSON.stringify(v)} is not supported (float32, bfloat16, float16)`,
    'unsupported',
  );
}

function obj(v: unknown, field: string): Json | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v))
    throw new ConfigError(`config.json: "${field}" must be an object, got ${JSON.stringify(v)}`);
  return v as Json;
}

function numberList(v: unknown, field: string, length: number): number[] {
  if (
    !Array.isArray(v) ||
    v.length !== length ||
    !v.every((x) => typeof x === 'number' && Number.isFinite(x) && x > 0)
  ) {
    throw new ConfigError(
      `config.json: "${field}" must be a list of ${length} positive numbers (rotary dim / 2), ` +
        `got ${JSON.stringify(v)?.slice(0, 80)}`,
    );
  }
  return v as number[];
}

interface RopeContext {
  arch: Arch;
  max_position_embeddings: number;
  /** Phi-3: the pretrained length LongRoPE scales from. */
  original_max_position_embeddings: number | null;
  rotary_dim: number;
}

/** One rope dict (4.x `rope_scaling`, or one 5.x `rope_parameters` entry) → our scaling, or null for default. */
function scalingOf(s: Json, where: string, ctx: RopeContext): RopeScaling | null {
  const type = s.rope_type ?? s.type ?? 'default';
  const need = (k: string) => {
    if (s[k] === undefined || s[k] === null) throw new ConfigError(`config.json: ${where} is missing field "${k}"`);
    return positiveNumber(s[k], `${where}.${k}`);
  };
  switch (type) {
    case 'default':
      return null;
    case 'llama3':
      return {
        rope_type: 'llama3',
        factor: need('factor'),
        low_freq_factor: need('low_freq_factor'),
        high_freq_factor: need('high_freq_factor'),
        original_max_position_embeddings: need('original_max_position_embeddings'),
      };
    case 'linear':
      return { rope_type: 'linear', factor: need('factor') };
    case 'dynamic':
      return { rope_type: 'dynamic', factor: need('factor') };
    case 'longrope': {
      // transformers' _compute_longrope_parameters: with original_max_position_embeddings on the
      // config, factor = max_position_embeddings / original; attention_factor defaults to
      // √(1 + ln(factor) / ln(original)) (1 when factor ≤ 1).
      const half = ctx.rotary_dim / 2;
      const originalField =
        ctx.original_max_position_embeddings ?? (s.original_max_position_embeddings as number | undefined) ?? null;
      const original =
        originalField === null
          ? ctx.max_position_embeddings
          : positiveNumber(originalField, 'original_max_position_embeddings');
      const factor =
        originalField === null
          ? s.factor === undefined || s.factor === null
            ? 1
            : positiveNumber(s.factor, `${where}.factor`)
          : ctx.max_position_embeddings / original;
      const af = s.attention_factor;
      const attention_factor =
        af !== undefined && af !== null
          ? positiveNumber(af, `${where}.attention_factor`)
          : factor <= 1
            ? 1
            : Math.sqrt(1 + Math.log(factor) / Math.log(original));
      return {
        rope_type: 'longrope',
        short_factor: numberList(s.short_factor, `${where}.short_factor`, half),
        long_factor: numberList(s.long_factor, `${where}.long_factor`, half),
        original_max_position_embeddings: original,
        attention_factor,
      };
    }
    case 'yarn':
      throw new ConfigError(
        `config.json: ${where} type "yarn" is not supported: YaRN's frequency blend and attention scaling are not ` +
          `implemented, and running without them would change the model`,
        'unsupported',
      );
    default:
      throw new ConfigError(
        `config.json: ${where} type ${JSON.stringify(type)} is not supported (default, ` +
          `linear, llama3, longrope, dynamic)`,
        'unsupported',
      );
  }
}

interface RopeOf {
  rope_theta: number;
  rope_scaling: RopeScaling | null;
  rope_local_theta: number | null;
}

/**
 * rope_theta and the scaling, from 4.x top-level fields or 5.x `rope_parameters` (one dict, or
 * one per layer type as Gemma 3 writes it: full_attention → the global rope, sliding_attention
 * → the local one, which must be unscaled).
 */
function ropeOf(cfg: Json, d: ArchDefaults, ctx: RopeContext): RopeOf {
  const params = obj(cfg.rope_parameters, 'rope_parameters');
  const nested = params && (params.full_attention !== undefined || params.sliding_attention !== undefined);
  const global = nested ? (obj(params.full_attention, 'rope_parameters.full_attention') ?? {}) : (params ?? {});
  const theta = cfg.rope_theta ?? global.rope_theta ?? d.rope_theta;
  const rope_theta = positiveNumber(theta, 'rope_theta');
  const scalingDict = obj(cfg.rope_scaling, 'rope_scaling') ?? (params ? global : null);
  const rope_scaling = scalingDict
    ? scalingOf(scalingDict, cfg.rope_scaling ? 'rope_scaling' : 'rope_parameters', ctx)
    : null;
  let rope_local_theta: number | null = null;
  if (ctx.arch === 'gemma3') {
    const local = nested ? obj(params.sliding_attention, 'rope_parameters.sliding_attention') : null;
    if (local && scalingOf(local, 'rope_parameters.sliding_attention', ctx) !== null) {
      throw new ConfigError(
        "config.json: a scaled rope on Gemma 3's sliding-window layers is not supported " +
          '(transformers never scales them)',
        'unsupported',
      );
    }
    rope_local_theta = positiveNumber(
      cfg.rope_local_base_freq ?? local?.rope_theta ?? d.extra!.rope_local_base_freq,
      'rope_local_base_freq',
    );
  }
  return { rope_theta, rope_scaling, rope_local_theta };
}

function hiddenActOf(c: Json, arch: Arch): HiddenAct {
  const gemma = arch === 'gemma2' || arch === 'gemma3';
  // Gemma's MLP reads `hidden_activation` (its configs also carry hidden_act).
  const act = (gemma ? (c.hidden_activation ?? c.hidden_act) : c.hidden_act) ?? (gemma ? 'gelu_pytorch_tanh' : 'silu');
  if (act === 'silu' || act === 'gelu_pytorch_tanh') return act;
  throw new ConfigError(
    `config.json: ${gemma ? 'hidden_activation' : 'hidden_act'} ${JSON.stringify(act)} is not ` +
      `supported (silu, gelu_pytorch_tanh)`,
    'unsupported',
  );
}

function layerTypesField(c: Json, layers: number): LayerType[] | null {
  const v = c.layer_types;
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v) || v.length < layers || !v.every((x) => x === 'full_attention' || x === 'sliding_attention')) {
    throw new ConfigError(
      `config.json: "layer_types" must list "full_attention" or "sliding_attention" for each of the ${layers} layers`,
    );
  }
  return v.slice(0, layers) as LayerType[];
}

/** Per-layer attention kind and the window, as each architecture decides them. */
function layerTypesOf(
  c: Json,
  arch: Arch,
  layers: number,
  noRope: number[] | null,
): { layer_types: LayerType[]; sliding_window: number | null } {
  const full = (): LayerType[] => Array(layers).fill('full_attention');
  const given = layerTypesField(c, layers);
  switch (arch) {
    // Mistral and Phi-3 (Phi3Model: create_sliding_window_causal_mask whenever sliding_window is set)
    // window every layer.
    case 'mistral':
    case 'phi3': {
      const w = c.sliding_window;
      if (w === undefined || w === null) return { layer_types: full(), sliding_window: null };
      return { layer_types: Array(layers).fill('sliding_attention'), sliding_window: positiveInt(c, 'sliding_window') };
    }
    case 'qwen2':
    case 'qwen3':
      // Qwen2/Qwen3 name a window but use it only with use_sliding_window, which no released
      // checkpoint turns on; its per-layer rule (max_window_layers) is not implemented here.
      if (c.use_sliding_window === true)
        throw new ConfigError(`config.json: use_sliding_window=true is not supported for ${arch}`, 'unsupported');
      return { layer_types: full(), sliding_window: null };
    case 'smollm3': {
      // SmolLM3Attention: a window only with use_sliding_window and a sliding_attention layer
      // (by default the NoPE layers, when a sliding_window is set).
      const w = c.sliding_window;
      if (c.use_sliding_window !== true || w === undefined || w === null)
        return { layer_types: full(), sliding_window: null };
      const types =
        given ??
        Array.from({ length: layers }, (_, i) => (noRope![i] ? 'full_attention' : 'sliding_attention') as LayerType);
      if (types.includes('sliding_attention')) {
        throw new ConfigError(
          'config.json: SmolLM3 with use_sliding_window=true is not supported yet (sliding-window layers)',
          'unsupported',
        );
      }
      return { layer_types: types, sliding_window: null };
    }
    case 'gemma2':
    case 'gemma3': {
      // Gemma2Config: layer i slides when (i + 1) % 2 != 0; Gemma3TextConfig: when
      // (i + 1) % sliding_window_pattern != 0 — unless config.json lists layer_types.
      const pattern = arch === 'gemma2' ? 2 : positiveInt(c, 'sliding_window_pattern');
      const types =
        given ??
        Array.from(
          { length: layers },
          (_, i) => ((i + 1) % pattern ? 'sliding_attention' : 'full_attention') as LayerType,
        );
      if (!types.includes('sliding_attention')) return { layer_types: types, sliding_window: null };
      return { layer_types: types, sliding_window: positiveInt(c, 'sliding_window') };
    }
    default:
      return { layer_types: given ?? full(), sliding_window: null };
  }
}

function noRopeOf(c: Json, arch: Arch, layers: number): number[] | null {
  if (arch !== 'smollm3') return null;
  const v = c.no_rope_layers;
  if (v === undefined || v === null) {
    // SmolLM3Config: a NoPE layer every no_rope_layer_interval layers.
    const interval = positiveInt(c, 'no_rope_layer_interval', 4);
    return Array.from({ length: layers }, (_, i) => ((i + 1) % interval !== 0 ? 1 : 0));
  }
  if (!Array.isArray(v) || v.length < layers || !v.every((x) => x === 0 || x === 1)) {
    throw new ConfigError(`config.json: "no_rope_layers" must hold a 0 or 1 for each of the ${layers} layers`);
  }
  return (v as number[]).slice(0, layers);
}

/** config.json text parsed, or a ConfigError. */
export function readConfigJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config.json is not valid JSON: ${(err as Error).message}`);
  }
}

function configObject(cfg: unknown): Json {
  if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg))
    throw new ConfigError('config.json must be a JSON object');
  return cfg as Json;
}

/**
 * num_hidden_layers as config.json gives it (unchecked) and the prefix of the layers' tensors,
 * without building anything per layer: openModel compares it with the checkpoint before
 * parseConfig allocates per-layer lists (a config claiming 1e9 layers must cost nothing).
 */
export function declaredLayers(input: unknown): { num_hidden_layers: unknown; weight_prefix: string } {
  const { text, weight_prefix } = archOf(configObject(input));
  return { num_hidden_layers: text.num_hidden_layers, weight_prefix };
}

/** Parse a config.json (text or parsed object) into a ModelSpec, or throw a ConfigError. */
export function parseConfig(input: string | unknown): ModelSpec {
  const cfg = configObject(typeof input === 'string' ? readConfigJson(input) : input);
  const { arch, architecture, text, weight_prefix } = archOf(cfg);
  const d = DEFAULTS[arch];
  // A field config.json leaves out takes the class default; an explicit null stays null.
  const c: Json = { ...d.extra, ...text };

  const hidden_act = hiddenActOf(c, arch);
  if (c.mlp_bias === true) throw new ConfigError('config.json: mlp_bias=true is not supported', 'unsupported');
  for (const f of ['resid_pdrop', 'embd_pdrop']) {
    const v = c[f];
    if (v !== undefined && v !== null && v !== 0) {
      throw new ConfigError(
        `config.json: "${f}" ${JSON.stringify(v)}: dropout inside the base model is not implemented (only 0)`,
        'unsupported',
      );
    }
  }
  if (c.use_bidirectional_attention === true)
    throw new ConfigError(
      'config.json: use_bidirectional_attention=true (an embedding model) is not a causal language model',
      'unsupported',
    );

  const hidden_size = positiveInt(c, 'hidden_size');
  const num_attention_heads = positiveInt(c, 'num_attention_heads');
  const num_key_value_heads = positiveInt(c, 'num_key_value_heads', num_attention_heads);
  const num_hidden_layers = positiveInt(c, 'num_hidden_layers');
  if (num_attention_heads % num_key_value_heads !== 0) {
    throw new ConfigError(
      `config.json: "num_attention_heads" (${num_attention_heads}) must be a multiple of ` +
        `"num_key_value_heads" (${num_key_value_heads})`,
    );
  }
  let head_dim: number;
  if (c.head_dim !== undefined && c.head_dim !== null) head_dim = positiveInt(c, 'head_dim');
  else {
    if (hidden_size % num_attention_heads !== 0) {
      throw new ConfigError(
        `config.json: "hidden_size" (${hidden_size}) is not divisible by "num_attention_heads" ` +
          `(${num_attention_heads}) and there is no "head_dim"`,
      );
    }
    head_dim = hidden_size / num_attention_heads;
  }
  if (head_dim % 2 !== 0) throw new ConfigError(`config.json: "head_dim" must be even for RoPE, got ${head_dim}`);
  const prf = c.partial_rotary_factor ?? obj(c.rope_parameters, 'rope_parameters')?.partial_rotary_factor ?? 1;
  const partial = positiveNumber(prf, 'partial_rotary_factor');
  if (partial > 1) throw new ConfigError(`config.json: "partial_rotary_factor" must be at most 1, got ${partial}`);
  // transformers: dim = int(head_dim · partial_rotary_factor).
  const rotary_dim = Math.floor(head_dim * partial);
  if (rotary_dim % 2 !== 0 || rotary_dim < 2)
    throw new ConfigError(
      `config.json: the rotary dimension head_dim·partial_rotary_factor = ${rotary_dim} must be even`,
    );

  const max_position_embeddings = positiveInt(c, 'max_position_embeddings', d.max_position_embeddings);
  const omp = c.original_max_position_embeddings;
  const { rope_theta, rope_scaling, rope_local_theta } = ropeOf(c, d, {
    arch,
    max_position_embeddings,
    rotary_dim,
    original_max_position_embeddings:
      omp === undefined || omp === null ? null : positiveInt(c, 'original_max_position_embeddings'),
  });
  if (rope_scaling?.rope_type === 'longrope' && arch !== 'phi3') {
    throw new ConfigError(`config.json: rope type "longrope" is supported for Phi-3 only`, 'unsupported');
  }

  const biasFlag = arch === 'mistral' ? false : bool(c, 'attention_bias', false);
  if (arch === 'internlm2' && bool(c, 'bias', true)) {
    throw new ConfigError(
      'config.json: InternLM2 with "bias": true (biases on wqkv and wo) is not supported; ' +
        'released checkpoints set it false',
      'unsupported',
    );
  }
  if (arch === 'phi3' && biasFlag)
    throw new ConfigError(
      'config.json: Phi-3 with attention_bias=true (a bias on the fused qkv_proj) is not supported',
      'unsupported',
    );
  const no_rope_layers = noRopeOf(c, arch, num_hidden_layers);
  const { layer_types, sliding_window } = layerTypesOf(c, arch, num_hidden_layers, no_rope_layers);
  const gemma = arch === 'gemma2' || arch === 'gemma3';
  const attnScalar = gemma ? positiveNumber(c.query_pre_attn_scalar, 'query_pre_attn_scalar') : head_dim;
  // Gemma3ForConditionalGeneration's forward never caps the final logits (only Gemma3ForCausalLM does).
  const finalCap = weight_prefix === 'model.' ? optionalPositive(c, 'final_logit_softcapping') : null;

  return {
    arch,
    architecture,
    hidden_size,
    intermediate_size: positiveInt(c, 'intermediate_size'),
    num_hidden_layers,
    num_attention_heads,
    num_key_value_heads,
    head_dim,
    vocab_size: positiveInt(c, 'vocab_size'),
    rms_norm_eps: positiveNumber(c.rms_norm_eps ?? d.rms_norm_eps, 'rms_norm_eps'),
    rope_theta,
    rope_scaling,
    rope_local_theta,
    rotary_dim,
    no_rope_layers,
    layer_types,
    tie_word_embeddings: bool(c, 'tie_word_embeddings', d.tie_word_embeddings),
    // transformers' Qwen2Attention hard-codes bias on q/k/v and none on o.
    attention_bias: arch === 'qwen2' ? true : biasFlag,
    o_proj_bias: arch === 'qwen2' ? false : biasFlag,
    qk_norm: arch === 'qwen3' || arch === 'gemma3',
    sliding_window,
    hidden_act,
    norm_unit_offset: gemma,
    embed_scale: gemma ? Math.fround(Math.sqrt(hidden_size)) : 1,
    sandwich_norms: gemma,
    attn_scale: attnScalar ** -0.5,
    attn_logit_softcapping:
      arch === 'gemma2' || arch === 'gemma3' ? optionalPositive(c, 'attn_logit_softcapping') : null,
    final_logit_softcapping: gemma ? finalCap : null,
    weight_prefix,
    max_position_embeddings,
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

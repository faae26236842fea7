// Where each weight of a decoder lives in a Hugging Face checkpoint, per architecture, and the
// linear modules LoRA can adapt, by the names the modelling code gives them (so a PEFT adapter
// saved from Prism loads into that model class as-is):
//   Llama, Qwen2/3, Mistral, SmolLM3, Gemma 2/3: self_attn.{q,k,v,o}_proj, mlp.{gate,up,down}_proj
//   Phi-3 (modeling_phi3.py): self_attn.qkv_proj (q|k|v rows), self_attn.o_proj, mlp.gate_up_proj
//     (gate|up rows), mlp.down_proj
//   InternLM2 (the checkpoints' remote modeling_internlm2.py): attention.wqkv (rows grouped per
//     kv head: that group's query heads, then its key head, then its value head), attention.wo,
//     feed_forward.w1 (gate), w3 (up), w2 (down); model.tok_embeddings, attention_norm,
//     ffn_norm, output
// "all-linear" is PEFT's: every nn.Linear of the model except the output layer, i.e. these lists.
import type { Arch, ModelSpec } from './types.ts';

/** Every linear-module name LoRA can target, across the architectures. */
export const TARGET_MODULES = [
  'q_proj',
  'k_proj',
  'v_proj',
  'o_proj',
  'gate_proj',
  'up_proj',
  'down_proj',
  'qkv_proj',
  'gate_up_proj',
  'wqkv',
  'wo',
  'w1',
  'w3',
  'w2',
] as const;
export type TargetModule = (typeof TARGET_MODULES)[number];

/** What a projection computes in the decoder layer, whatever its checkpoint name. */
export type ProjRole = 'q' | 'k' | 'v' | 'qkv' | 'o' | 'gate' | 'up' | 'gate_up' | 'down';

/** The submodule holding a projection (`model.layers.N.<parent>.<name>`). */
export type ProjParent = 'self_attn' | 'mlp' | 'attention' | 'feed_forward';

export interface LinearLayout {
  name: TargetModule;
  role: ProjRole;
  parent: ProjParent;
}

const LLAMA_LINEARS: LinearLayout[] = [
  { name: 'q_proj', role: 'q', parent: 'self_attn' },
  { name: 'k_proj', role: 'k', parent: 'self_attn' },
  { name: 'v_proj', role: 'v', parent: 'self_attn' },
  { name: 'o_proj', role: 'o', parent: 'self_attn' },
  { name: 'gate_proj', role: 'gate', parent: 'mlp' },
  { name: 'up_proj', role: 'up', parent: 'mlp' },
  { name: 'down_proj', role: 'down', parent: 'mlp' },
];
const PHI3_LINEARS: LinearLayout[] = [
  { name: 'qkv_proj', role: 'qkv', parent: 'self_attn' },
  { name: 'o_proj', role: 'o', parent: 'self_attn' },
  { name: 'gate_up_proj', role: 'gate_up', parent: 'mlp' },
  { name: 'down_proj', role: 'down', parent: 'mlp' },
];
const INTERNLM2_LINEARS: LinearLayout[] = [
  { name: 'wqkv', role: 'qkv', parent: 'attention' },
  { name: 'wo', role: 'o', parent: 'attention' },
  { name: 'w1', role: 'gate', parent: 'feed_forward' },
  { name: 'w3', role: 'up', parent: 'feed_forward' },
  { name: 'w2', role: 'down', parent: 'feed_forward' },
];

/** The linear modules of one decoder layer, in the order the modelling code registers them. */
export function linearLayouts(arch: Arch): readonly LinearLayout[] {
  if (arch === 'phi3') return PHI3_LINEARS;
  if (arch === 'internlm2') return INTERNLM2_LINEARS;
  return LLAMA_LINEARS;
}

/** PEFT's "all-linear" for the architecture, as module names. */
export function allLinear(arch: Arch): TargetModule[] {
  return linearLayouts(arch).map((l) => l.name);
}

/** The parent submodule of a module name (names are unique across architectures). */
export function parentOf(module: TargetModule): ProjParent {
  for (const list of [LLAMA_LINEARS, PHI3_LINEARS, INTERNLM2_LINEARS]) {
    const hit = list.find((l) => l.name === module);
    if (hit) return hit.parent;
  }
  throw new Error(`unknown linear module ${module}`);
}

export function layoutOf(arch: Arch, module: TargetModule): LinearLayout {
  const hit = linearLayouts(arch).find((l) => l.name === module);
  if (!hit) throw new Error(`${module} is not a linear module of ${arch} (its modules: ${allLinear(arch).join(', ')})`);
  return hit;
}

/** Checkpoint names of one layer's tensors, by role (absent roles are undefined). */
export interface LayerTensorNames {
  q?: string;
  k?: string;
  v?: string;
  qkv?: string;
  o: string;
  gate?: string;
  up?: string;
  gateUp?: string;
  down: string;
  qBias?: string;
  kBias?: string;
  vBias?: string;
  oBias?: string;
  qNorm?: string;
  kNorm?: string;
  /** Before attention (input_layernorm / attention_norm). */
  inputNorm: string;
  /** Before the MLP (post_attention_layernorm, or Gemma's pre_feedforward_layernorm, or ffn_norm). */
  mlpNorm: string;
  /** Gemma: on the attention output (post_attention_layernorm) and on the MLP output. */
  postAttnNorm?: string;
  postMlpNorm?: string;
}

/** The decoder layers' path in PEFT keys for most checkpoints. */
export const DEFAULT_LAYERS_PATH = 'model.layers';

/**
 * The saved PEFT key of one LoRA matrix: `base_model.model.<layersPath>.N.<parent>.<module>.lora_A.weight`
 * (the adapter name "default" dropped, as PEFT's get_peft_model_state_dict does). `layersPath`
 * is layersPath(spec) for a model, 'model.layers' unless it is a Gemma 3 multimodal checkpoint.
 */
export function peftKey(layer: number, module: TargetModule, which: 'A' | 'B', path = DEFAULT_LAYERS_PATH): string {
  return `base_model.model.${path}.${layer}.${parentOf(module)}.${module}.lora_${which}.weight`;
}

/** `model.layers` as PEFT keys spell the path to the decoder layers (`base_model.model.<this>.N…`). */
export function layersPath(spec: Pick<ModelSpec, 'weight_prefix'>): string {
  // Gemma 3 multimodal checkpoints store `language_model.model.layers`; transformers (≥ 4.52)
  // names the module `model.language_model.layers`, which is what PEFT saves and loads.
  return spec.weight_prefix === 'model.' ? 'model.layers' : 'model.language_model.layers';
}

export function layerTensorNames(spec: ModelSpec, i: number): LayerTensorNames {
  const p = `${spec.weight_prefix}layers.${i}`;
  if (spec.arch === 'internlm2') {
    // InternLM2 with `bias: true` (a bias on wqkv and wo) is refused by parseConfig.
    return {
      qkv: `${p}.attention.wqkv.weight`,
      o: `${p}.attention.wo.weight`,
      gate: `${p}.feed_forward.w1.weight`,
      up: `${p}.feed_forward.w3.weight`,
      down: `${p}.feed_forward.w2.weight`,
      inputNorm: `${p}.attention_norm.weight`,
      mlpNorm: `${p}.ffn_norm.weight`,
    };
  }
  const out: LayerTensorNames = {
    o: `${p}.self_attn.o_proj.weight`,
    down: `${p}.mlp.down_proj.weight`,
    inputNorm: `${p}.input_layernorm.weight`,
    mlpNorm: spec.sandwich_norms ? `${p}.pre_feedforward_layernorm.weight` : `${p}.post_attention_layernorm.weight`,
  };
  if (spec.arch === 'phi3') {
    out.qkv = `${p}.self_attn.qkv_proj.weight`;
    out.gateUp = `${p}.mlp.gate_up_proj.weight`;
  } else {
    out.q = `${p}.self_attn.q_proj.weight`;
    out.k = `${p}.self_attn.k_proj.weight`;
    out.v = `${p}.self_attn.v_proj.weight`;
    out.gate = `${p}.mlp.gate_proj.weight`;
    out.up = `${p}.mlp.up_proj.weight`;
  }
  if (spec.attention_bias && out.q) {
    out.qBias = `${p}.self_attn.q_proj.bias`;
    out.kBias = `${p}.self_attn.k_proj.bias`;
    out.vBias = `${p}.self_attn.v_proj.bias`;
  }
  if (spec.o_proj_bias) out.oBias = `${p}.self_attn.o_proj.bias`;
  if (spec.qk_norm) {
    out.qNorm = `${p}.self_attn.q_norm.weight`;
    out.kNorm = `${p}.self_attn.k_norm.weight`;
  }
  if (spec.sandwich_norms) {
    out.postAttnNorm = `${p}.post_attention_layernorm.weight`;
    out.postMlpNorm = `${p}.post_feedforward_layernorm.weight`;
  }
  return out;
}

/** The embedding, final norm and LM head names (the head is the embedding when tied). */
export function modelTensorNames(spec: ModelSpec): { embed: string; norm: string; lmHead: string } {
  const embed = `${spec.weight_prefix}${spec.arch === 'internlm2' ? 'tok_embeddings' : 'embed_tokens'}.weight`;
  let lmHead = 'lm_head.weight';
  if (spec.arch === 'internlm2') lmHead = 'output.weight';
  else if (spec.weight_prefix === 'language_model.model.') lmHead = 'language_model.lm_head.weight';
  return { embed, norm: `${spec.weight_prefix}norm.weight`, lmHead: spec.tie_word_embeddings ? embed : lmHead };
}

/** Rows of a fused projection's output, as [part, start, rows] runs: which of q/k/v (or gate/up) each row feeds. */
export interface FusedSplit {
  /** Width of each destination (q, k, v or gate, up). */
  widths: number[];
  /** Per group: rows of each part, in order; the groups repeat `groups` times. */
  groups: number;
  perGroup: number[];
}

/** How a fused projection's output columns split into its parts. */
export function fusedSplit(spec: ModelSpec, role: 'qkv' | 'gate_up'): FusedSplit {
  const hd = spec.head_dim;
  const nh = spec.num_attention_heads;
  const nkv = spec.num_key_value_heads;
  if (role === 'gate_up') {
    return {
      widths: [spec.intermediate_size, spec.intermediate_size],
      groups: 1,
      perGroup: [spec.intermediate_size, spec.intermediate_size],
    };
  }
  if (spec.arch === 'internlm2') {
    return { widths: [nh * hd, nkv * hd, nkv * hd], groups: nkv, perGroup: [(nh / nkv) * hd, hd, hd] };
  }
  return { widths: [nh * hd, nkv * hd, nkv * hd], groups: 1, perGroup: [nh * hd, nkv * hd, nkv * hd] };
}

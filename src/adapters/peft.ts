// A LoRA adapter as the two files Hugging Face PEFT saves (`save_pretrained`):
// - adapter_model.safetensors: `base_model.model.model.layers.{i}.self_attn.{q,k,v,o}_proj.lora_{A,B}.weight`
//   and `…mlp.{gate,up,down}_proj.lora_{A,B}.weight` (Phi-3: self_attn.qkv_proj, mlp.gate_up_proj;
//   InternLM2: attention.{wqkv,wo}, feed_forward.{w1,w3,w2}; the language model of a Gemma 3
//   multimodal checkpoint: base_model.model.model.language_model.layers.{i}…), A [r, in], B [out, r],
//   metadata {"format": "pt"}
//   (the adapter name "default" is dropped from saved keys, as PEFT's get_peft_model_state_dict does);
// - adapter_config.json: LoraConfig.to_dict() dumped with json.dumps(indent=2, sort_keys=True)
//   (peft/config.py PeftConfigMixin.save_pretrained); `runtime_config` is not saved (LoraConfig.to_dict
//   pops it, and from_json_file warns when it is present).
// Readers: PEFT (from_pretrained), vLLM (PEFTHelper: r, lora_alpha, use_rslora, target_modules,
// bias, modules_to_save, use_dora) and llama.cpp convert_lora_to_gguf.py (lora_alpha only, plus tensor
// names ending in .lora_A.weight / .lora_B.weight; any other tensor is an error there).
import {
  allLinear,
  DEFAULT_LAYERS_PATH,
  layersPath,
  parentOf as parentOfModule,
  peftKey,
  TARGET_MODULES,
  type TargetModule,
} from '../model/layout.ts';
import type { Arch } from '../model/types.ts';
import { pyJsonDumps } from '../templates/pyjson.ts';
import { SafetensorsError } from '../model/safetensors/header.ts';
import { headerLength, parseHeader } from '../model/safetensors/header.ts';
import { writeSafetensors, type TensorToWrite } from '../model/safetensors/writer.ts';
import { fromFloat32, toFloat32 } from '../model/safetensors/float.ts';
import { layerTensors } from '../model/tensors.ts';
import type { ModelSpec } from '../model/types.ts';

export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';
export const ADAPTER_CONFIG_FILE = 'adapter_config.json';

/** The submodule that holds a linear layer (self_attn/mlp; InternLM2: attention/feed_forward). */
export const parentOf = parentOfModule;

export { DEFAULT_LAYERS_PATH, peftKey } from '../model/layout.ts';

const KEY_RE =
  /^base_model\.model\.([a-z_.]+)\.(\d+)\.(self_attn|mlp|attention|feed_forward)\.([a-z0-9_]+)\.lora_(A|B)\.weight$/;
const ARCH_GROUPS: Arch[] = ['llama', 'phi3', 'internlm2'];

/** One adapted linear layer: y += scale · B(A x). */
export interface LoraTensor {
  layer: number;
  module: TargetModule;
  in_features: number;
  out_features: number;
  /** [r, in_features], row-major. */
  A: Float32Array;
  /** [out_features, r], row-major. */
  B: Float32Array;
}

/** adapter_config.json for LoRA, the fields PEFT (≈0.15) writes, in its types. */
export interface PeftLoraConfig {
  alpha_pattern: Record<string, number>;
  auto_mapping: null | Record<string, unknown>;
  base_model_name_or_path: string | null;
  bias: 'none' | 'all' | 'lora_only';
  corda_config: null | Record<string, unknown>;
  eva_config: null | Record<string, unknown>;
  exclude_modules: null | string | string[];
  fan_in_fan_out: boolean;
  inference_mode: boolean;
  init_lora_weights: boolean | string;
  layer_replication: null | number[][];
  layers_pattern: null | string | string[];
  layers_to_transform: null | number | number[];
  loftq_config: Record<string, unknown>;
  lora_alpha: number;
  lora_bias: boolean;
  lora_dropout: number;
  megatron_config: null | Record<string, unknown>;
  megatron_core: string | null;
  modules_to_save: null | string[];
  peft_type: 'LORA';
  r: number;
  rank_pattern: Record<string, number>;
  revision: string | null;
  /** A list, or (as PEFT allows) a regex string. */
  target_modules: string[] | string | null;
  task_type: 'CAUSAL_LM';
  trainable_token_indices: null | number[] | Record<string, number[]>;
  use_dora: boolean;
  use_rslora: boolean;
}

export interface AdapterConfigInit {
  /** The Hub id of the base model; null when unknown (PEFT's LoraConfig allows None; never a local path). */
  base_model_name_or_path: string | null;
  revision?: string | null;
  r: number;
  lora_alpha: number;
  lora_dropout: number;
  /** Module names, or (PEFT allows it) one regex that must match a module's full name. */
  target_modules: readonly TargetModule[] | string;
  use_rslora: boolean;
}

/** The config PEFT would save for a LoraConfig with these settings and defaults elsewhere. */
export function buildAdapterConfig(init: AdapterConfigInit): PeftLoraConfig {
  return {
    alpha_pattern: {},
    auto_mapping: null,
    base_model_name_or_path: init.base_model_name_or_path,
    bias: 'none',
    corda_config: null,
    eva_config: null,
    exclude_modules: null,
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    layer_replication: null,
    layers_pattern: null,
    layers_to_transform: null,
    loftq_config: {},
    lora_alpha: init.lora_alpha,
    lora_bias: false,
    lora_dropout: init.lora_dropout,
    megatron_config: null,
    megatron_core: 'megatron.core',
    modules_to_save: null,
    peft_type: 'LORA',
    r: init.r,
    rank_pattern: {},
    revision: init.revision ?? null,
    // PEFT keeps a set and saves list(set): any order is valid; sorted is reproducible.
    target_modules: typeof init.target_modules === 'string' ? init.target_modules : [...init.target_modules].sort(),
    task_type: 'CAUSAL_LM',
    trainable_token_indices: null,
    use_dora: false,
    use_rslora: init.use_rslora,
  };
}

/** Python writes floats with a decimal point (0.0, 32.0): keep lora_dropout a float for strict readers. */
function pyFloat(x: number): { __pyfloat: number } {
  return { __pyfloat: x };
}

/** adapter_config.json text as PEFT writes it: json.dumps(d, indent=2, sort_keys=True). */
export function adapterConfigJson(config: PeftLoraConfig): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (v && typeof v === 'object' && !('__pyfloat' in v)) {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  const withFloats = { ...config, lora_dropout: pyFloat(config.lora_dropout) };
  const text = pyJsonDumps(sorted(withFloats), { indent: 2 })
    // pyJsonDumps knows nothing of our float marker: render it as Python's repr(float).
    .replace(/\{\s*"__pyfloat":\s*([^\s}]+)\s*\}/g, (_, n: string) => (/[.eEn]/.test(n) ? n : `${n}.0`));
  // json.dumps defaults to ensure_ascii=True: non-ASCII (only ever inside strings) as \uXXXX.
  return text.replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export class AdapterFormatError extends Error {
  override name = 'AdapterFormatError';
}

export type AdapterDtype = 'F32' | 'BF16';

export interface ExportOptions {
  /** Storage dtype of the weights (default F32, what Prism trains in). */
  dtype?: AdapterDtype;
  /** Where the decoder layers sit in the model (default `model.layers`). */
  layersPath?: string;
}

/** Gemma 3's multimodal checkpoints: only the language model's modules (ms-swift's freeze_vit regex). */
export function languageModelTargets(modules: readonly TargetModule[]): string {
  return `^model\\.language_model\\.layers\\.\\d+\\.(self_attn|mlp)\\.(${[...modules].sort().join('|')})$`;
}

function checkTensors(tensors: readonly LoraTensor[], r: number): TargetModule[] {
  if (tensors.length === 0) throw new AdapterFormatError('an adapter needs at least one LoRA layer');
  const seen = new Set<string>();
  const modules = new Set<TargetModule>();
  const layers = new Set<number>();
  for (const t of tensors) {
    const where = `layer ${t.layer} ${t.module}`;
    if (!(TARGET_MODULES as readonly string[]).includes(t.module))
      throw new AdapterFormatError(`${where}: unknown module (expected one of ${TARGET_MODULES.join(', ')})`);
    if (!Number.isSafeInteger(t.layer) || t.layer < 0)
      throw new AdapterFormatError(`${where}: layer must be a whole number ≥ 0`);
    if (seen.has(`${t.layer}.${t.module}`)) throw new AdapterFormatError(`${where}: listed twice`);
    seen.add(`${t.layer}.${t.module}`);
    if (t.A.length !== r * t.in_features)
      throw new AdapterFormatError(`${where}: lora_A has ${t.A.length} values, expected r×in = ${r}×${t.in_features}`);
    if (t.B.length !== t.out_features * r)
      throw new AdapterFormatError(
        `${where}: lora_B has ${t.B.length} values, expected out×r = ${t.out_features}×${r}`,
      );
    modules.add(t.module);
    layers.add(t.layer);
  }
  // PEFT applies target_modules to every matching layer: each layer must carry every module.
  for (const l of layers) {
    for (const m of modules) {
      if (!seen.has(`${l}.${m}`))
        throw new AdapterFormatError(
          `layer ${l} has no ${m} although other layers do (PEFT adapts every layer of a target module)`,
        );
    }
  }
  const group = ARCH_GROUPS.find((a) => [...modules].every((m) => allLinear(a).includes(m)));
  if (!group) throw new AdapterFormatError(`modules ${[...modules].join(', ')} do not belong to one architecture`);
  return allLinear(group).filter((m) => modules.has(m));
}

/** The two PEFT files for these LoRA weights. */
export function exportAdapter(
  tensors: readonly LoraTensor[],
  init: Omit<AdapterConfigInit, 'target_modules'>,
  options: ExportOptions = {},
): Map<string, Uint8Array> {
  if (!Number.isSafeInteger(init.r) || init.r < 1)
    throw new AdapterFormatError(`r must be a whole number ≥ 1, got ${init.r}`);
  const modules = checkTensors(tensors, init.r);
  const dtype = options.dtype ?? 'F32';
  const path = options.layersPath ?? DEFAULT_LAYERS_PATH;
  const entries: TensorToWrite[] = [];
  for (const t of tensors) {
    entries.push({
      name: peftKey(t.layer, t.module, 'A', path),
      dtype,
      shape: [init.r, t.in_features],
      data: fromFloat32(dtype, t.A),
    });
    entries.push({
      name: peftKey(t.layer, t.module, 'B', path),
      dtype,
      shape: [t.out_features, init.r],
      data: fromFloat32(dtype, t.B),
    });
  }
  // Inside a multimodal model a plain name list would also match the vision tower's q/k/v_proj.
  const target_modules = path === DEFAULT_LAYERS_PATH ? modules : languageModelTargets(modules);
  const config = buildAdapterConfig({ ...init, target_modules });
  return new Map([
    [ADAPTER_WEIGHTS_FILE, writeSafetensors(entries, { format: 'pt' })],
    [ADAPTER_CONFIG_FILE, new TextEncoder().encode(adapterConfigJson(config))],
  ]);
}

export interface ImportExpectations {
  num_hidden_layers?: number;
  /** in/out features of each module in the base model. */
  shapes?: Partial<Record<TargetModule, { in_features: number; out_features: number }>>;
  /** The base model, for messages (e.g. "Qwen/Qwen2.5-0.5B-Instruct"). */
  base?: string;
  /** The base model's architecture: its modules are the only ones allowed. */
  arch?: Arch;
  /** Where the base model's decoder layers sit (default `model.layers`). */
  layersPath?: string;
}

/**
 * What an adapter of this base model must look like: its layer count, its architecture's module
 * names and every module's in/out features, and where its layers sit in PEFT's keys.
 */
export function adapterExpectations(spec: ModelSpec, base?: string): ImportExpectations {
  const shapes: ImportExpectations['shapes'] = {};
  const modules: readonly string[] = allLinear(spec.arch);
  for (const t of layerTensors(spec, 0)) {
    const m = /\.([a-z0-9_]+)\.weight$/.exec(t.name);
    if (m && modules.includes(m[1]))
      shapes[m[1] as TargetModule] = { in_features: t.shape[1], out_features: t.shape[0] };
  }
  return { num_hidden_layers: spec.num_hidden_layers, shapes, base, arch: spec.arch, layersPath: layersPath(spec) };
}

export interface ImportedAdapter {
  config: PeftLoraConfig;
  /** Where the adapter's keys put the decoder layers. */
  layersPath: string;
  tensors: LoraTensor[];
  /** Storage dtype found in the file. */
  dtype: string;
  metadata: Record<string, string> | null;
}

/** Find a file by name, at the root or inside one folder (zips often wrap everything in one). */
export function findFile(files: Map<string, Uint8Array>, name: string): Uint8Array | undefined {
  const direct = files.get(name);
  if (direct) return direct;
  const hits = [...files.keys()].filter((k) => k === name || k.endsWith(`/${name}`));
  if (hits.length > 1)
    throw new AdapterFormatError(`found ${name} more than once (${hits.join(', ')}); import one adapter at a time`);
  return hits.length ? files.get(hits[0]) : undefined;
}

/** A config value for a message: JSON, with what JSON cannot say (1e400 parses to Infinity) spelled out. */
function show(v: unknown): string {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v);
}

type FieldRule = [check: (v: unknown) => boolean, want: string];
const isBool = (v: unknown) => typeof v === 'boolean';
const isStr = (v: unknown) => typeof v === 'string';
const isNullOr = (f: (v: unknown) => boolean) => (v: unknown) => v === null || f(v);
const isStrList = (v: unknown) => Array.isArray(v) && v.every(isStr);
const isLayer = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * The types (and ranges) of the fields the math or the export reads, as PEFT's LoraConfig
 * declares them; a field left out takes PEFT's default. PEFT itself would only fail later, deep
 * in torch (nn.Dropout(p="x")), or silently treat "yes" as true: refused here, naming the field.
 */
const FIELD_RULES: Record<string, FieldRule> = {
  lora_dropout: [(v) => typeof v === 'number' && v >= 0 && v < 1, 'a number in [0, 1)'],
  use_rslora: [isBool, 'true or false'],
  use_dora: [isBool, 'true or false'],
  fan_in_fan_out: [isBool, 'true or false'],
  lora_bias: [isBool, 'true or false'],
  inference_mode: [isBool, 'true or false'],
  bias: [isStr, 'a string ("none")'],
  base_model_name_or_path: [isNullOr(isStr), 'a string or null'],
  revision: [isNullOr(isStr), 'a string or null'],
  target_modules: [isNullOr((v) => isStr(v) || isStrList(v)), 'a list of module names, a regex string, or null'],
  modules_to_save: [isNullOr(isStrList), 'a list of module names or null'],
  layers_to_transform: [
    isNullOr((v) => isLayer(v) || (Array.isArray(v) && v.every(isLayer))),
    'a layer index, a list of them, or null',
  ],
  layer_replication: [(v) => v === null, 'null (layer replication is not supported)'],
  rank_pattern: [isNullOr((v) => typeof v === 'object' && !Array.isArray(v)), 'an object'],
  alpha_pattern: [isNullOr((v) => typeof v === 'object' && !Array.isArray(v)), 'an object'],
};

function checkConfigTypes(c: Record<string, unknown>): void {
  for (const [field, [ok, want]] of Object.entries(FIELD_RULES)) {
    if (field in c && !ok(c[field]))
      throw new AdapterFormatError(`${ADAPTER_CONFIG_FILE}: ${field} must be ${want}, got ${show(c[field])}`);
  }
}

function parseConfig(bytes: Uint8Array): PeftLoraConfig {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new AdapterFormatError(`${ADAPTER_CONFIG_FILE} is not valid JSON (${(err as Error).message})`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw new AdapterFormatError(`${ADAPTER_CONFIG_FILE} must be a JSON object`);
  const c = json as Record<string, unknown>;
  const where = ADAPTER_CONFIG_FILE;
  if (c.peft_type !== 'LORA')
    throw new AdapterFormatError(
      `${where}: peft_type is ${JSON.stringify(c.peft_type)}; Prism imports LoRA adapters only ("LORA")`,
    );
  if (c.task_type !== undefined && c.task_type !== null && c.task_type !== 'CAUSAL_LM') {
    throw new AdapterFormatError(
      `${where}: task_type ${JSON.stringify(c.task_type)} is not a causal language model adapter (CAUSAL_LM)`,
    );
  }
  if (typeof c.r !== 'number' || !Number.isSafeInteger(c.r) || c.r < 1)
    throw new AdapterFormatError(`${where}: r must be a whole number ≥ 1, got ${show(c.r)}`);
  if (typeof c.lora_alpha !== 'number' || !Number.isFinite(c.lora_alpha) || !(c.lora_alpha > 0)) {
    throw new AdapterFormatError(`${where}: lora_alpha must be a number > 0, got ${show(c.lora_alpha)}`);
  }
  checkConfigTypes(c);
  if (c.use_dora === true) throw new AdapterFormatError(`${where}: DoRA adapters (use_dora) are not supported`);
  if (c.bias !== undefined && c.bias !== 'none')
    throw new AdapterFormatError(`${where}: bias ${JSON.stringify(c.bias)} is not supported (only "none")`);
  if (c.lora_bias === true) throw new AdapterFormatError(`${where}: lora_bias adapters are not supported`);
  if (c.fan_in_fan_out === true)
    throw new AdapterFormatError(`${where}: fan_in_fan_out (GPT-2 Conv1D layout) is not supported`);
  if (Array.isArray(c.modules_to_save) && c.modules_to_save.length > 0) {
    throw new AdapterFormatError(
      `${where}: modules_to_save (${c.modules_to_save.join(', ')}) are full weights, not LoRA; not supported`,
    );
  }
  for (const f of ['rank_pattern', 'alpha_pattern'] as const) {
    const v = c[f];
    if (v && typeof v === 'object' && Object.keys(v).length > 0)
      throw new AdapterFormatError(`${where}: per-module ${f} is not supported`);
  }
  const defaults = buildAdapterConfig({
    base_model_name_or_path: '',
    r: c.r,
    lora_alpha: c.lora_alpha,
    lora_dropout: 0,
    target_modules: [],
    use_rslora: false,
  });
  return {
    ...defaults,
    base_model_name_or_path: null,
    target_modules: null,
    ...(c as Partial<PeftLoraConfig>),
  } as PeftLoraConfig;
}

/**
 * Read and check a PEFT LoRA adapter (files by name; a single top folder is allowed): config
 * fields typed, tensor names, dtypes, rank, finite values, and — given the base model's
 * expectations, or a function that picks them from the adapter's config — layers and shapes.
 */
export function importAdapter(
  files: Map<string, Uint8Array>,
  expectations: ImportExpectations | ((config: PeftLoraConfig) => ImportExpectations) = {},
): ImportedAdapter {
  const cfgBytes = findFile(files, ADAPTER_CONFIG_FILE);
  if (!cfgBytes)
    throw new AdapterFormatError(
      `no ${ADAPTER_CONFIG_FILE}: a PEFT adapter has ${ADAPTER_CONFIG_FILE} and ${ADAPTER_WEIGHTS_FILE}`,
    );
  const weights = findFile(files, ADAPTER_WEIGHTS_FILE);
  if (!weights) {
    const bin = findFile(files, 'adapter_model.bin');
    throw new AdapterFormatError(
      bin
        ? `adapter_model.bin (pickle) is not supported: re-save the adapter with safe_serialization=True`
        : `no ${ADAPTER_WEIGHTS_FILE}`,
    );
  }
  const config = parseConfig(cfgBytes);
  const r = config.r;
  const expect = typeof expectations === 'function' ? expectations(config) : expectations;

  let header;
  try {
    const n = headerLength(weights.subarray(0, 8), weights.length, ADAPTER_WEIGHTS_FILE);
    header = parseHeader(weights.subarray(8, 8 + n), weights.length, ADAPTER_WEIGHTS_FILE);
  } catch (err) {
    if (err instanceof SafetensorsError) throw new AdapterFormatError(err.message);
    throw err;
  }
  const targets = Array.isArray(config.target_modules) ? new Set(config.target_modules) : null;

  const pairs = new Map<
    string,
    {
      layer: number;
      module: TargetModule;
      A?: { shape: number[]; values: Float32Array };
      B?: { shape: number[]; values: Float32Array };
    }
  >();
  const dtypes = new Set<string>();
  const wantPath = expect.layersPath ?? DEFAULT_LAYERS_PATH;
  const allowed: readonly string[] = expect.arch ? allLinear(expect.arch) : TARGET_MODULES;
  let layersPath: string | null = null;
  for (const t of header.tensors) {
    const m = KEY_RE.exec(t.name);
    if (!m) {
      throw new AdapterFormatError(
        `${ADAPTER_WEIGHTS_FILE}: unexpected tensor "${t.name}"; expected names like ` +
          `"${peftKey(0, expect.arch ? allLinear(expect.arch)[0] : 'q_proj', 'A', wantPath)}"`,
      );
    }
    const [, path, layerText, parent, moduleName, which] = m;
    if (path !== 'model.layers' && path !== 'model.language_model.layers') {
      throw new AdapterFormatError(
        `${ADAPTER_WEIGHTS_FILE}: tensor "${t.name}": decoder layers at "${path}", expected "${wantPath}"`,
      );
    }
    if (layersPath !== null && path !== layersPath)
      throw new AdapterFormatError(`${ADAPTER_WEIGHTS_FILE}: tensors name both "${layersPath}" and "${path}"`);
    layersPath = path;
    if (expect.layersPath !== undefined && path !== expect.layersPath) {
      throw new AdapterFormatError(
        `${ADAPTER_WEIGHTS_FILE}: tensor "${t.name}" puts the layers at "${path}", but this base model's are at ` +
          `"${expect.layersPath}": the adapter was trained on another kind of model`,
      );
    }
    if (!allowed.includes(moduleName)) {
      throw new AdapterFormatError(
        `${ADAPTER_WEIGHTS_FILE}: tensor "${t.name}" adapts "${moduleName}", which is not one ` +
          `of ${allowed.join(', ')}${expect.arch ? ` (the base model's linear modules)` : ''}`,
      );
    }
    const module = moduleName as TargetModule;
    if (parent !== parentOf(module))
      throw new AdapterFormatError(
        `${ADAPTER_WEIGHTS_FILE}: tensor "${t.name}": ${module} belongs under ${parentOf(module)}, not ${parent}`,
      );
    if (targets && !targets.has(module))
      throw new AdapterFormatError(
        `${ADAPTER_WEIGHTS_FILE}: tensor "${t.name}" adapts ${module}, which target_modules ` +
          `(${[...targets].join(', ')}) does not list`,
      );
    if (t.dtype !== 'F32' && t.dtype !== 'F16' && t.dtype !== 'BF16')
      throw new AdapterFormatError(
        `${ADAPTER_WEIGHTS_FILE}: tensor "${t.name}" has dtype ${t.dtype}; expected F32, F16 or BF16`,
      );
    dtypes.add(t.dtype);
    if (t.shape.length !== 2)
      throw new AdapterFormatError(
        `${ADAPTER_WEIGHTS_FILE}: tensor "${t.name}" has shape [${t.shape}]; LoRA matrices are 2-D`,
      );
    const layer = Number(layerText);
    const baseName = expect.base ? `the base model (${expect.base})` : 'the base model';
    if (expect.num_hidden_layers !== undefined && layer >= expect.num_hidden_layers) {
      throw new AdapterFormatError(
        `${ADAPTER_WEIGHTS_FILE}: tensor "${t.name}" is for layer ${layer}, but ${baseName} ` +
          `has ${expect.num_hidden_layers} layers (0–${expect.num_hidden_layers - 1})`,
      );
    }
    const [d0, d1] = t.shape;
    if (which === 'A' && d0 !== r)
      throw new AdapterFormatError(
        `${ADAPTER_WEIGHTS_FILE}: tensor "${t.name}" has shape [${t.shape}]; lora_A must be [r, in] with r ` +
          `= ${r} (adapter_config.json)`,
      );
    if (which === 'B' && d1 !== r)
      throw new AdapterFormatError(
        `${ADAPTER_WEIGHTS_FILE}: tensor "${t.name}" has shape [${t.shape}]; lora_B must be [out, r] with r ` +
          `= ${r} (adapter_config.json)`,
      );
    const want = expect.shapes?.[module];
    if (want) {
      const got = which === 'A' ? d1 : d0;
      const exp = which === 'A' ? want.in_features : want.out_features;
      if (got !== exp) {
        const expShape = which === 'A' ? [r, exp] : [exp, r];
        throw new AdapterFormatError(
          `${ADAPTER_WEIGHTS_FILE}: tensor "${t.name}" has shape [${t.shape}], expected ` +
            `[${expShape}]: ${baseName}'s ${module} has ` +
            `${which === 'A' ? 'in' : 'out'}_features ${exp} (was the adapter trained on another model?)`,
        );
      }
    }
    const key = `${layer}.${module}`;
    const entry = pairs.get(key) ?? { layer, module };
    const values = toFloat32(
      t.dtype,
      weights.subarray(8 + header.headerLength + t.begin, 8 + header.headerLength + t.end),
    );
    // One NaN or Inf in A or B makes every output of the model NaN: refuse it here, named.
    const bad = values.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) {
      throw new AdapterFormatError(
        `${ADAPTER_WEIGHTS_FILE}: tensor "${t.name}" holds ${values[bad]} at [${Math.floor(bad / d1)}, ${bad % d1}]; ` +
          'an adapter must be finite (was it saved from a diverged run?)',
      );
    }
    entry[which as 'A' | 'B'] = { shape: t.shape, values };
    pairs.set(key, entry);
  }
  if (pairs.size === 0) throw new AdapterFormatError(`${ADAPTER_WEIGHTS_FILE} holds no LoRA tensors`);

  const tensors: LoraTensor[] = [];
  const dims = new Map<TargetModule, { in_features: number; out_features: number; layer: number }>();
  for (const p of pairs.values()) {
    if (!p.A || !p.B)
      throw new AdapterFormatError(
        `${ADAPTER_WEIGHTS_FILE}: ${peftKey(p.layer, p.module, p.A ? 'B' : 'A')} is missing ` +
          `(every lora_A needs its lora_B)`,
      );
    const in_features = p.A.shape[1];
    const out_features = p.B.shape[0];
    const prev = dims.get(p.module);
    if (prev && (prev.in_features !== in_features || prev.out_features !== out_features)) {
      throw new AdapterFormatError(
        `${ADAPTER_WEIGHTS_FILE}: ${p.module} is ${in_features}→${out_features} in layer ${p.layer} ` +
          `but ${prev.in_features}→${prev.out_features} in layer ${prev.layer}`,
      );
    }
    if (!prev) dims.set(p.module, { in_features, out_features, layer: p.layer });
    tensors.push({ layer: p.layer, module: p.module, in_features, out_features, A: p.A.values, B: p.B.values });
  }
  tensors.sort((a, b) => a.layer - b.layer || TARGET_MODULES.indexOf(a.module) - TARGET_MODULES.indexOf(b.module));
  return {
    config,
    layersPath: layersPath ?? wantPath,
    tensors,
    dtype: [...dtypes].sort().join('+'),
    metadata: header.metadata,
  };
}

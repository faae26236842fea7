// GGUF files for llama.cpp (and Ollama, LM Studio): the model, with an adapter merged when given,
// and the LoRA-only adapter that llama.cpp loads with `--lora` over a base GGUF.
// Model: what convert_hf_to_gguf.py writes (llama.cpp conversion/base.py prepare_tensors): 1-D
// tensors and *_norm.weight in F32; the other weights in the file type's type (F16, or Q8_0 when
// a row fills whole 32-value blocks, else F16 as convert falls back); names and hyperparameters
// from arch.ts, the vocabulary from vocab.ts.
// Adapter: what convert_lora_to_gguf.py writes: general.type "adapter", adapter.type "lora",
// adapter.lora.alpha, and per adapted weight `<gguf name>.lora_a` (PEFT's A, [r, in]) and
// `.lora_b` (B, [out, r]), with B's rows permuted like the weight's for llama's q/k. llama.cpp
// scales by alpha / r (llama-adapter.h get_scale), so an rsLoRA adapter (alpha/√r) is written
// with alpha·√r to keep its scale.
import { parseConfig } from '../../model/config.ts';
import type { ModelSource, ModelSpec } from '../../model/types.ts';
import { numel } from '../../model/tensors.ts';
import { openMergedWeights, targetWeightName, type MergedWeights } from '../merged-weights.ts';
import type { ImportedAdapter } from '../peft.ts';
import { counted, type ExportProgress, type FileSink } from '../sink.ts';
import { archKv, ggufArch, ggufTensorName, llama3RopeFreqs, permuteHeads, permuteRows } from './arch.ts';
import {
  GgufError,
  ggufLayout,
  LlamaFileType,
  type GgmlTypeName,
  type GgufTensorInfo,
  type GgufValue,
} from './format.ts';
import { encodeGgml, QK8_0 } from './quant.ts';
import { vocabKv } from './vocab.ts';

export type GgufFileType = 'f32' | 'f16' | 'q8_0';

const FILE_TYPE: Record<GgufFileType, number> = {
  f32: LlamaFileType.ALL_F32,
  f16: LlamaFileType.MOSTLY_F16,
  q8_0: LlamaFileType.MOSTLY_Q8_0,
};

export interface GgufOptions {
  type: GgufFileType;
  /** general.name (default: config.json's _name_or_path, else the source's label). */
  name?: string;
  onProgress?: (p: ExportProgress) => void;
}

/** The type convert_hf_to_gguf.py gives a tensor (prepare_tensors). */
export function tensorType(ggufName: string, shape: readonly number[], fileType: GgufFileType): GgmlTypeName {
  if (shape.length <= 1 || ggufName.endsWith('_norm.weight')) return 'F32';
  if (fileType === 'f32') return 'F32';
  if (fileType === 'f16') return 'F16';
  return shape[shape.length - 1] % QK8_0 === 0 ? 'Q8_0' : 'F16';
}

interface Planned {
  info: GgufTensorInfo;
  /** The Hugging Face tensor it comes from, or the generated values. */
  hf: string | null;
  values?: Float32Array;
  permute: number | null;
}

async function readJson(source: ModelSource, path: string): Promise<Record<string, any> | undefined> {
  if (!(await source.exists(path))) return undefined;
  const text = await source.readText(path);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new GgufError(`${path} is not valid JSON (${(err as Error).message})`);
  }
}

function nameOf(config: Record<string, unknown>, source: ModelSource, given?: string): string {
  if (given) return given;
  const n = config._name_or_path;
  if (typeof n === 'string' && n && !n.startsWith('/')) return n.split('/').pop()!;
  return source.label.split(/[\\/]/).filter(Boolean).pop() ?? 'model';
}

async function* stream(
  w: MergedWeights,
  layout: ReturnType<typeof ggufLayout>,
  planned: Planned[],
  spec: ModelSpec,
): AsyncGenerator<Uint8Array> {
  yield layout.header;
  let at = 0;
  for (let i = 0; i < planned.length; i++) {
    const p = planned[i];
    const { offset, bytes } = layout.tensors[i];
    if (offset > at) yield new Uint8Array(offset - at);
    at = offset;
    if (p.values) {
      yield encodeGgml(p.info.type, p.values);
    } else {
      const rows = p.info.shape[0];
      const cols = p.info.shape.length > 1 ? numel(p.info.shape.slice(1)) : 1;
      // Whole heads per chunk where rows are permuted; whole Q8_0 blocks always (rows are multiples of 32 there).
      let step = w.rowsPerChunk(p.hf!);
      if (p.permute !== null) step = Math.max(spec.head_dim, Math.floor(step / spec.head_dim) * spec.head_dim);
      for (let r0 = 0; r0 < rows; r0 += step) {
        let x = await w.rows(p.hf!, r0, Math.min(rows, r0 + step));
        if (p.permute !== null) x = permuteRows(x, cols, spec.head_dim);
        yield encodeGgml(p.info.type, x);
      }
    }
    at += bytes;
  }
  if (layout.size > layout.header.length + at) yield new Uint8Array(layout.size - layout.header.length - at);
}

/** Write the model (adapter merged when given) as one GGUF file named `fileName` in `sink`. */
export async function writeGguf(
  source: ModelSource,
  adapter: ImportedAdapter | null,
  sink: FileSink,
  fileName: string,
  opts: GgufOptions,
): Promise<number> {
  const w = await openMergedWeights(source, adapter);
  const { spec } = w;
  const arch = ggufArch(spec);
  const config = (await readJson(source, 'config.json'))!;
  const tokenizerJson = await readJson(source, 'tokenizer.json');
  if (!tokenizerJson) throw new GgufError(`${source.label}: no tokenizer.json (a GGUF file carries the vocabulary)`);
  const vocab = vocabKv({
    tokenizerJson,
    tokenizerConfig: (await readJson(source, 'tokenizer_config.json')) ?? {},
    config,
    chatTemplateJinja: (await source.exists('chat_template.jinja'))
      ? await source.readText('chat_template.jinja')
      : undefined,
    chatTemplateJson: await readJson(source, 'chat_template.json'),
  });

  const planned: Planned[] = [];
  const rope = arch === 'llama' || arch === 'smollm3' ? llama3RopeFreqs(spec) : null;
  if (rope)
    planned.push({
      info: { name: 'rope_freqs.weight', shape: [rope.length], type: 'F32' },
      hf: null,
      values: rope,
      permute: null,
    });
  for (const t of w.tensors) {
    // Tied embeddings: llama.cpp reuses token_embd when output.weight is absent; a stored copy is dropped.
    if (t.name === 'lm_head.weight' && spec.tie_word_embeddings) continue;
    const name = ggufTensorName(t.name);
    if (!name) throw new GgufError(`no GGUF name for tensor "${t.name}" of ${spec.architecture}`);
    planned.push({
      info: { name, shape: t.shape, type: tensorType(name, t.shape, opts.type) },
      hf: t.name,
      permute: permuteHeads(arch, spec, t.name),
    });
  }
  const kv = new Map<string, GgufValue>([
    ['general.architecture', { type: 'str', value: arch }],
    ['general.type', { type: 'str', value: 'model' }],
    ['general.name', { type: 'str', value: nameOf(config, source, opts.name) }],
    ...archKv(arch, spec, config, FILE_TYPE[opts.type]),
    ...vocab,
  ]);
  const layout = ggufLayout(
    kv,
    planned.map((p) => p.info),
  );
  let written = 0;
  await sink.writeFile(
    fileName,
    layout.size,
    counted(fileName, layout.size, stream(w, layout, planned, spec), (n) => {
      written += n;
      opts.onProgress?.({ file: fileName, written, total: layout.size });
    }),
  );
  return layout.size;
}

/** llama.cpp's adapter.lora.alpha for a PEFT config: alpha, or alpha·√r for rsLoRA (llama.cpp scales by alpha / r). */
export function ggufLoraAlpha(config: Pick<ImportedAdapter['config'], 'r' | 'lora_alpha' | 'use_rslora'>): number {
  return config.use_rslora ? config.lora_alpha * Math.sqrt(config.r) : config.lora_alpha;
}

/** Write the LoRA-only GGUF adapter; `configText` is the base model's config.json. */
export async function writeLoraGguf(
  configText: string,
  adapter: ImportedAdapter,
  sink: FileSink,
  fileName: string,
  opts: { name?: string; onProgress?: (p: ExportProgress) => void } = {},
): Promise<number> {
  const spec = parseConfig(configText);
  const arch = ggufArch(spec);
  const config = JSON.parse(configText) as Record<string, unknown>;
  const r = adapter.config.r;
  const planned: { info: GgufTensorInfo; values: Float32Array }[] = [];
  for (const t of adapter.tensors) {
    const hf = targetWeightName(spec, t);
    const name = ggufTensorName(hf);
    if (!name) throw new GgufError(`no GGUF name for ${hf}`);
    const heads = permuteHeads(arch, spec, hf);
    planned.push(
      { info: { name: `${name}.lora_a`, shape: [r, t.in_features], type: 'F32' }, values: t.A },
      {
        info: { name: `${name}.lora_b`, shape: [t.out_features, r], type: 'F32' },
        values: heads === null ? t.B : permuteRows(t.B, r, spec.head_dim),
      },
    );
  }
  const base =
    typeof config._name_or_path === 'string' && config._name_or_path ? config._name_or_path.split('/').pop()! : 'model';
  const kv = new Map<string, GgufValue>([
    ['general.architecture', { type: 'str', value: arch }],
    ['general.type', { type: 'str', value: 'adapter' }],
    ['adapter.type', { type: 'str', value: 'lora' }],
    ['general.name', { type: 'str', value: opts.name ?? `${base} LoRA` }],
    ['adapter.lora.alpha', { type: 'f32', value: ggufLoraAlpha(adapter.config) }],
    ['general.quantization_version', { type: 'u32', value: 2 }],
  ]);
  const layout = ggufLayout(
    kv,
    planned.map((p) => p.info),
  );
  async function* chunks() {
    yield layout.header;
    let at = 0;
    for (let i = 0; i < planned.length; i++) {
      const { offset, bytes } = layout.tensors[i];
      if (offset > at) yield new Uint8Array(offset - at);
      yield encodeGgml('F32', planned[i].values);
      at = offset + bytes;
    }
    if (layout.size > layout.header.length + at) yield new Uint8Array(layout.size - layout.header.length - at);
  }
  let written = 0;
  await sink.writeFile(
    fileName,
    layout.size,
    counted(fileName, layout.size, chunks(), (n) => {
      written += n;
      opts.onProgress?.({ file: fileName, written, total: layout.size });
    }),
  );
  return layout.size;
}

// The merged model: a base model folder with a LoRA adapter folded into its weights, written as
// the complete Hugging Face folder `save_pretrained` writes, so that transformers, vLLM,
// llama.cpp's convert_hf_to_gguf.py and `swift export` read it like any model on the Hub:
// - weights: transformers' sharding (huggingface_hub split_torch_state_dict_into_shards: tensors
//   in state-dict order, a new shard when the next tensor would pass max_shard_size, a tensor
//   larger than that alone in its shard), files `model-00001-of-00003.safetensors` plus
//   `model.safetensors.index.json` ({"metadata": {"total_size"}, "weight_map"}, json.dumps
//   indent=2 sort_keys=True); a single shard is `model.safetensors` with no index, as
//   transformers writes it; each shard's metadata {"format": "pt"};
// - config.json with torch_dtype set to the saved dtype; generation_config.json (copied, or what
//   GenerationConfig.from_model_config makes); the tokenizer files and the chat template as found.
// Everything streams: one tensor (or a part of one) at a time.
import { TOKENIZER_FILE_NAMES } from '../model/tiny.ts';
import { numel } from '../model/tensors.ts';
import { buildHeader } from '../model/safetensors/writer.ts';
import { byteLength, type SafetensorsDtype } from '../model/safetensors/dtypes.ts';
import { fromFloat32 } from '../model/safetensors/float.ts';
import { INDEX_FILE, SINGLE_FILE } from '../model/safetensors/checkpoint.ts';
import type { ModelSource, TorchDtype } from '../model/types.ts';
import { counted, ExportError, once, type ExportProgress, type FileSink } from './sink.ts';
import { isFloatDtype, openMergedWeights, type MergedWeights, type WeightInfo } from './merged-weights.ts';
import type { ImportedAdapter } from './peft.ts';

export type FloatDtype = 'F32' | 'F16' | 'BF16';

/** transformers' torch_dtype name of a safetensors float dtype. */
export const TORCH_DTYPE: Record<FloatDtype, TorchDtype> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' };
const FROM_TORCH: Record<TorchDtype, FloatDtype> = { float32: 'F32', float16: 'F16', bfloat16: 'BF16' };

/** 2 GB (decimal, as huggingface_hub parses "2GB"). */
export const DEFAULT_MAX_SHARD_BYTES = 2_000_000_000;

export interface MergeOptions {
  /** Storage dtype of the merged weights (default: the base model's torch_dtype). */
  dtype?: FloatDtype;
  maxShardBytes?: number;
  onProgress?: (p: ExportProgress) => void;
}

export interface ShardPlan {
  file: string;
  tensors: (WeightInfo & { outDtype: SafetensorsDtype; bytes: number })[];
}

/** Tensors into shards the way huggingface_hub's split_state_dict_into_shards_factory does. */
export function planShards(
  tensors: readonly (WeightInfo & { outDtype: SafetensorsDtype })[],
  maxShardBytes: number,
): ShardPlan[] {
  if (!(maxShardBytes > 0)) throw new ExportError(`max shard size must be > 0, got ${maxShardBytes}`);
  const shards: ShardPlan['tensors'][] = [];
  let cur: ShardPlan['tensors'] = [];
  let curBytes = 0;
  for (const t of tensors) {
    const bytes = byteLength(t.outDtype, numel(t.shape))!;
    const item = { ...t, bytes };
    if (bytes > maxShardBytes) {
      shards.push([item]);
      continue;
    }
    if (curBytes + bytes > maxShardBytes && cur.length) {
      shards.push(cur);
      cur = [];
      curBytes = 0;
    }
    cur.push(item);
    curBytes += bytes;
  }
  if (cur.length) shards.push(cur);
  const n = shards.length;
  const pad = (i: number) => String(i).padStart(5, '0');
  return shards.map((ts, i) => ({
    file: n === 1 ? SINGLE_FILE : `model-${pad(i + 1)}-of-${pad(n)}.safetensors`,
    tensors: ts,
  }));
}

/** config.json with the dtype changed, the rest byte for byte (both transformers 4.x and 5.x spellings). */
export function configWithDtype(text: string, dtype: TorchDtype): string {
  const re = () => /("(?:torch_dtype|dtype)"\s*:\s*)"[A-Za-z0-9_]*"/g;
  if (re().test(text)) return text.replace(re(), `$1"${dtype}"`);
  let cfg: Record<string, unknown>;
  try {
    cfg = JSON.parse(text);
  } catch (err) {
    throw new ExportError(`config.json is not valid JSON (${(err as Error).message})`);
  }
  const sorted = Object.fromEntries(
    Object.entries({ ...cfg, torch_dtype: dtype }).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return JSON.stringify(sorted, null, 2) + '\n';
}

/** GenerationConfig.from_model_config(config).to_json_string() for a config without generation_config.json. */
export function generationConfigFrom(configText: string): string {
  const c = JSON.parse(configText) as Record<string, unknown>;
  const out: Record<string, unknown> = { _from_model_config: true };
  for (const k of ['bos_token_id', 'eos_token_id', 'pad_token_id'] as const)
    if (c[k] !== undefined && c[k] !== null) out[k] = c[k];
  if (typeof c.transformers_version === 'string') out.transformers_version = c.transformers_version;
  return JSON.stringify(out, null, 2) + '\n';
}

async function* shardChunks(w: MergedWeights, shard: ShardPlan): AsyncGenerator<Uint8Array> {
  const { header, order } = buildHeader(
    shard.tensors.map((t) => ({ name: t.name, dtype: t.outDtype, shape: t.shape })),
    { format: 'pt' },
  );
  const prefix = new Uint8Array(8 + header.length);
  new DataView(prefix.buffer).setUint32(0, header.length, true);
  prefix.set(header, 8);
  yield prefix;
  for (const i of order) {
    const t = shard.tensors[i];
    if (!t.merged && t.outDtype === t.dtype) {
      yield* w.raw(t.name);
      continue;
    }
    const rows = t.shape.length === 0 ? 1 : t.shape[0];
    const step = w.rowsPerChunk(t.name);
    for (let r0 = 0; r0 < rows; r0 += step) {
      const values = await w.rows(t.name, r0, Math.min(rows, r0 + step));
      yield fromFloat32(t.outDtype, values);
    }
  }
}

/** Text files of the folder besides the weights. */
async function companionFiles(source: ModelSource, dtype: TorchDtype): Promise<Map<string, Uint8Array>> {
  const enc = new TextEncoder();
  const files = new Map<string, Uint8Array>();
  const configText = await source.readText('config.json');
  files.set('config.json', enc.encode(configWithDtype(configText, dtype)));
  files.set(
    'generation_config.json',
    (await source.exists('generation_config.json'))
      ? enc.encode(await source.readText('generation_config.json'))
      : enc.encode(generationConfigFrom(configText)),
  );
  for (const name of TOKENIZER_FILE_NAMES) {
    if (!(await source.exists(name))) continue;
    const f = await source.open(name);
    files.set(name, (await f.read(0, f.size)).slice());
  }
  return files;
}

/** Write the merged model folder to `sink`. Returns the files written (paths) in order. */
export async function writeMergedModel(
  source: ModelSource,
  adapter: ImportedAdapter,
  sink: FileSink,
  options: MergeOptions = {},
): Promise<string[]> {
  const w = await openMergedWeights(source, adapter);
  const outDtype = options.dtype ?? FROM_TORCH[w.spec.torch_dtype];
  const planned = w.tensors.map((t) => ({ ...t, outDtype: isFloatDtype(t.dtype) ? outDtype : t.dtype }));
  const shards = planShards(planned, options.maxShardBytes ?? DEFAULT_MAX_SHARD_BYTES);
  const extra = await companionFiles(source, TORCH_DTYPE[outDtype]);
  const totalSize = shards.reduce((n, s) => n + s.tensors.reduce((m, t) => m + t.bytes, 0), 0);
  if (shards.length > 1) {
    const weightMap: Record<string, string> = {};
    for (const s of shards) for (const t of s.tensors) weightMap[t.name] = s.file;
    const sortedMap = Object.fromEntries(
      Object.keys(weightMap)
        .sort()
        .map((k) => [k, weightMap[k]]),
    );
    extra.set(
      INDEX_FILE,
      new TextEncoder().encode(
        JSON.stringify({ metadata: { total_size: totalSize }, weight_map: sortedMap }, null, 2) + '\n',
      ),
    );
  }
  const shardSize = (s: ShardPlan) => {
    const { header, dataLength } = buildHeader(
      s.tensors.map((t) => ({ name: t.name, dtype: t.outDtype, shape: t.shape })),
      { format: 'pt' },
    );
    return 8 + header.length + dataLength;
  };
  const sizes = shards.map(shardSize);
  const total = sizes.reduce((a, b) => a + b, 0) + [...extra.values()].reduce((a, b) => a + b.length, 0);
  let written = 0;
  const report = (file: string) => (n: number) => {
    written += n;
    options.onProgress?.({ file, written, total });
  };
  const paths: string[] = [];
  for (const [name, bytes] of extra) {
    await sink.writeFile(name, bytes.length, counted(name, bytes.length, once(bytes), report(name)));
    paths.push(name);
  }
  for (let i = 0; i < shards.length; i++) {
    const s = shards[i];
    await sink.writeFile(s.file, sizes[i], counted(s.file, sizes[i], shardChunks(w, s), report(s.file)));
    paths.push(s.file);
  }
  return paths;
}

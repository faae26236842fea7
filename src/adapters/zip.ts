// The downloadable adapter: one zip holding the PEFT files, a README with the training summary
// and how to load the adapter elsewhere, the `swift sft` script that continues the run at scale,
// and the dataset it was trained on. Import takes such a zip, any zip of a PEFT folder, or a
// folder's files.
import { zipSync, type Zippable } from 'fflate';
import { KNOWN_MODELS } from '../model/known-models.ts';
import { formatBytes } from '../model/sources/blob-cache.ts';
import { blobSource, bytesSource } from '../model/sources/byte-source.ts';
import { layerTensors } from '../model/tensors.ts';
import type { ByteSource, ModelSpec } from '../model/types.ts';
import { effectiveLossScale, loraScaling, resolveTargetModules, type TrainConfig } from '../train/config.ts';
import { swiftScript } from '../train/swift.ts';
import { hubModelId, NO_HUB_ID_NOTE } from '../train/provenance.ts';
import { buildPrismJson, prismJsonText, PRISM_JSON_FILE } from './prism-json.ts';
import {
  adapterExpectations,
  AdapterFormatError,
  ADAPTER_CONFIG_FILE,
  ADAPTER_WEIGHTS_FILE,
  exportAdapter,
  findFile,
  importAdapter,
  type AdapterDtype,
  type ImportExpectations,
  type ImportedAdapter,
  type LoraTensor,
} from './peft.ts';
import type { LossPoint, RunRecord, TrainingSummary } from './types.ts';
import { checkEntryPath, openZip, readEntry, ZipLimitError, type ZipEntry } from './unzip.ts';

export const README_FILE = 'README.md';
export const SWIFT_SCRIPT_FILE = 'swift_sft.sh';

/** A dataset file name safe inside a zip and on a shell line. */
export function safeFileName(name: string, fallback = 'train.jsonl'): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
  return clean || fallback;
}

/** A local base model's folder name only (no path of the user's machine in a shared file). */
function localName(modelId: string): string {
  return (
    modelId
      .replace(/^local:/, '')
      .split(/[\\/]/)
      .filter(Boolean)
      .pop() ?? 'model'
  );
}

/** Prism's normalized copy of the training data (JSON Lines of `messages`), named as such. */
export const NORMALIZED_DATASET_FILE = 'dataset/prism-normalized.jsonl';

/** The user's file keeps its own name in the zip; only folders and control characters are dropped. */
export function originalFileName(name: string, fallback = 'train.jsonl'): string {
  const base = (name.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return base && base !== '.' && base !== '..' ? base : fallback;
}

/** Where the bundle keeps the data the swift script trains on: the user's own file when kept, else Prism's copy. */
export function datasetPathInZip(summary: Pick<TrainingSummary, 'dataset'>): string {
  const original = summary.dataset.original;
  return original ? `dataset/${originalFileName(original.name)}` : NORMALIZED_DATASET_FILE;
}

/** At most `rows` points, evenly spaced, always keeping the first and the last. */
export function sampleCurve(curve: readonly LossPoint[], rows = 20): LossPoint[] {
  if (curve.length <= rows) return [...curve];
  const out: LossPoint[] = [];
  for (let i = 0; i < rows; i++) out.push(curve[Math.round((i * (curve.length - 1)) / (rows - 1))]);
  return out;
}

function fmt(x: number | null | undefined, digits = 4): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits);
}

/** The smallest --max-lora-rank vLLM accepts (its allowed values) that fits rank r. */
export function vllmMaxLoraRank(r: number): number {
  return [8, 16, 32, 64, 128, 256, 320, 512].find((v) => v >= r) ?? r;
}

/** README.md: what was trained, on what, how it went, and how to load it. */
export function readmeText(summary: TrainingSummary): string {
  const c = summary.config;
  const lora = c.lora;
  const targets = resolveTargetModules(lora);
  const dataPath = datasetPathInZip(summary);
  const hub = hubModelId(c.model_id);
  // Without a Hub id, the commands name a placeholder the user replaces with the base model's folder.
  const baseRef = hub ?? 'path/to/base-model';
  const curve = sampleCurve(summary.loss_curve);
  const hasEval = curve.some((p) => p.eval_loss !== undefined);
  const hyper: [string, unknown][] = [
    ['r', lora.r],
    ['lora_alpha', lora.lora_alpha],
    ['lora_dropout', lora.lora_dropout],
    [
      'target_modules',
      lora.target_modules === 'all-linear' ? `all-linear (${targets.join(', ')})` : targets.join(', '),
    ],
    ['use_rslora', lora.use_rslora],
    ['scaling', `${loraScaling(lora)} (${lora.use_rslora ? 'lora_alpha/√r' : 'lora_alpha/r'})`],
    ['learning_rate', c.learning_rate],
    ['lr_scheduler_type', c.lr_scheduler_type],
    ['warmup_ratio', c.warmup_ratio],
    [c.max_steps > 0 ? 'max_steps' : 'num_train_epochs', c.max_steps > 0 ? c.max_steps : c.num_train_epochs],
    ['per_device_train_batch_size', c.per_device_train_batch_size],
    ['gradient_accumulation_steps', c.gradient_accumulation_steps ?? 'auto'],
    ['max_length', c.max_length ?? 'model maximum'],
    ['packing', c.packing],
    ['truncation_strategy', c.truncation_strategy],
    ['weight_decay', c.weight_decay],
    ['adam_beta1', c.adam_beta1],
    ['adam_beta2', c.adam_beta2],
    ['adam_epsilon', c.adam_epsilon],
    ['max_grad_norm', c.max_grad_norm],
    ['seed', c.seed],
    ['split_dataset_ratio', c.split_dataset_ratio],
  ];
  const lines = [
    `# ${summary.name}`,
    '',
    `A LoRA adapter trained with Prism (in the browser, on WebGPU), saved in Hugging Face PEFT format.`,
    ...(hub ? [] : ['', `> ${NO_HUB_ID_NOTE} \`adapter_config.json\` has \`base_model_name_or_path: null\`.`]),
    '',
    '## Training summary',
    '',
    '| | |',
    '| --- | --- |',
    hub
      ? `| base model | \`${hub}\` |`
      : `| base model | a local folder (\`${localName(c.model_id)}\`); no Hub id was given |`,
    ...(summary.checkpoint_step !== undefined ? [`| checkpoint | step ${summary.checkpoint_step} of the run |`] : []),
    `| template | \`${c.template}\` |`,
    `| agent template | \`${c.agent_template ?? 'native'}\`` +
      `${c.agent_template ? '' : " (the family's own tool format)"} |`,
    `| loss scale | \`${effectiveLossScale(c)}\` |`,
    `| dataset | \`${summary.dataset.name}\`` +
      `${summary.dataset.records !== undefined ? ` (${summary.dataset.records} records)` : ''} |`,
    `| dataset SHA-256 | \`${summary.dataset.sha256}\` |`,
    `| steps | ${summary.steps} |`,
    `| final loss | ${fmt(summary.final_loss)} |`,
    `| created | ${new Date(summary.created).toISOString()} |`,
    '',
    '### Hyperparameters',
    '',
    '| name | value |',
    '| --- | --- |',
    ...hyper.map(([k, v]) => `| ${k} | ${String(v)} |`),
    '',
    '### Loss curve',
    '',
    hasEval ? '| step | loss | eval loss |' : '| step | loss |',
    hasEval ? '| ---: | ---: | ---: |' : '| ---: | ---: |',
    ...curve.map((p) =>
      hasEval ? `| ${p.step} | ${fmt(p.loss)} | ${fmt(p.eval_loss)} |` : `| ${p.step} | ${fmt(p.loss)} |`,
    ),
    ...(curve.length === 0 ? ['| — | — |'] : []),
    '',
    '## Files',
    '',
    `- \`${ADAPTER_WEIGHTS_FILE}\`, \`${ADAPTER_CONFIG_FILE}\`: the adapter, as PEFT saves it.`,
    `- \`${SWIFT_SCRIPT_FILE}\`: the same run with ms-swift (\`swift sft\`) on GPUs, using \`${dataPath}\`.`,
    summary.dataset.original
      ? `- \`${dataPath}\`: the training data, the file as you gave it; \`${NORMALIZED_DATASET_FILE}\`: Prism's ` +
        `normalized copy (what it tokenized).`
      : `- \`${dataPath}\`: Prism's normalized copy of the training data (the original file was not kept).`,
    `- \`${PRISM_JSON_FILE}\`: the run (template, agent template, loss scale, config, loss curve) for Prism's import.`,
    '',
    '## Load it',
    '',
    'Hugging Face PEFT (run from this folder):',
    '',
    '```python',
    'from transformers import AutoModelForCausalLM, AutoTokenizer',
    'from peft import PeftModel',
    '',
    `base = AutoModelForCausalLM.from_pretrained(${JSON.stringify(baseRef)})`,
    `tokenizer = AutoTokenizer.from_pretrained(${JSON.stringify(baseRef)})`,
    'model = PeftModel.from_pretrained(base, ".")',
    'model = model.merge_and_unload()  # optional: fold the adapter into the weights',
    '```',
    '',
    'vLLM:',
    '',
    '```sh',
    `vllm serve ${baseRef} --enable-lora --lora-modules ${safeFileName(summary.name, 'adapter')}=. ` +
      `--max-lora-rank ${vllmMaxLoraRank(lora.r)}`,
    '```',
    '',
    "llama.cpp (convert to a GGUF adapter with the base model's Hugging Face folder, then " +
      'load it next to the base GGUF):',
    '',
    '```sh',
    'python convert_lora_to_gguf.py --base path/to/base-model-folder --outfile adapter.gguf .',
    'llama-cli -m base-model.gguf --lora adapter.gguf',
    '```',
    ...(lora.use_rslora
      ? [
          '',
          `Note: llama.cpp reads only lora_alpha and scales by lora_alpha/r; this adapter uses rsLoRA ` +
            `(lora_alpha/√r). Convert with lora_alpha set to ${lora.lora_alpha * Math.sqrt(lora.r)} in a copy of ` +
            `adapter_config.json to keep the same scale.`,
        ]
      : []),
    '',
    '## Continue with ms-swift',
    '',
    '```sh',
    `sh ${SWIFT_SCRIPT_FILE}`,
    '```',
    '',
  ];
  return lines.join('\n');
}

export interface AdapterZipInput {
  /** The LoRA weights to export... */
  tensors?: readonly LoraTensor[];
  /** ...or the PEFT files already exported (e.g. from the store's saveAdapter). */
  peft?: Map<string, Uint8Array>;
  summary: TrainingSummary;
  /** Prism's normalized copy of the dataset (the run's `dataset.sha256`). */
  datasetBytes: Uint8Array;
  /** The user's own file, unchanged (the run's `dataset.original`), when it was kept. */
  originalBytes?: Uint8Array;
  dtype?: AdapterDtype;
  /** Base model revision for adapter_config.json. */
  revision?: string | null;
  /**
   * Where the base model's decoder layers sit (default `model.layers`; Gemma 3 multimodal:
   * `model.language_model.layers`).
   */
  layersPath?: string;
}

/** Every file of the bundle, by path inside the zip. */
export function adapterBundleFiles(input: AdapterZipInput): Map<string, Uint8Array> {
  const { summary } = input;
  const c = summary.config;
  let peft: Map<string, Uint8Array>;
  if (input.tensors) {
    peft = exportAdapter(
      input.tensors,
      {
        base_model_name_or_path: hubModelId(c.model_id),
        revision: input.revision ?? null,
        r: c.lora.r,
        lora_alpha: c.lora.lora_alpha,
        lora_dropout: c.lora.lora_dropout,
        use_rslora: c.lora.use_rslora,
      },
      { dtype: input.dtype, layersPath: input.layersPath },
    );
  } else if (input.peft) {
    importAdapter(input.peft); // never ship files that would not load
    peft = new Map([ADAPTER_WEIGHTS_FILE, ADAPTER_CONFIG_FILE].map((n) => [n, findFile(input.peft!, n)!]));
  } else {
    throw new AdapterFormatError('nothing to export: give the LoRA tensors or the PEFT files');
  }
  const enc = new TextEncoder();
  // The user's file only when its bytes came along; otherwise the summary points at Prism's copy.
  const withOriginal: TrainingSummary =
    input.originalBytes && summary.dataset.original
      ? summary
      : { ...summary, dataset: { ...summary.dataset, original: undefined } };
  const dataPath = datasetPathInZip(withOriginal);
  const hub = hubModelId(c.model_id);
  const files = new Map(peft);
  files.set(README_FILE, enc.encode(readmeText(withOriginal)));
  files.set(
    SWIFT_SCRIPT_FILE,
    enc.encode(swiftScript(c, { datasetPath: dataPath, outputDir: 'output', modelId: hub ?? undefined })),
  );
  files.set(
    PRISM_JSON_FILE,
    enc.encode(
      prismJsonText(
        buildPrismJson({
          name: summary.name,
          config: c,
          steps: summary.steps,
          final_loss: summary.final_loss,
          loss_curve: summary.loss_curve,
          dataset: { ...withOriginal.dataset, file: dataPath },
          created: summary.created,
          checkpointStep: summary.checkpoint_step,
        }),
      ),
    ),
  );
  if (input.originalBytes && summary.dataset.original) files.set(dataPath, input.originalBytes);
  files.set(NORMALIZED_DATASET_FILE, input.datasetBytes);
  return files;
}

/** The zip to download. Timestamps are the run's creation time, so the same run zips to the same bytes. */
export function makeAdapterZip(input: AdapterZipInput): Uint8Array {
  const mtime = new Date(Math.max(input.summary.created, Date.UTC(1980, 0, 2)));
  const tree: Zippable = {};
  for (const [path, bytes] of adapterBundleFiles(input)) {
    // Safetensors and small text compress little; store the weights to keep zipping fast.
    tree[path] = [bytes, { level: path.endsWith('.safetensors') ? 0 : 6, mtime }];
  }
  return zipSync(tree);
}

/** The largest LoRA rank an imported adapter is assumed to have (vLLM's largest --max-lora-rank). */
export const MAX_PLAUSIBLE_R = 512;
/** Room over the expected adapter size (safetensors header, alignment, odd layouts). */
export const ADAPTER_SIZE_MARGIN = 1.25;
/**
 * adapter_model.safetensors when the base model is unknown: ~ a 7B model's all-linear adapter at r = 128 in float32.
 */
export const MAX_ADAPTER_WEIGHTS_BYTES = 1024 * 1024 ** 2;
/** adapter_config.json (PEFT writes ~1 KiB). */
export const MAX_ADAPTER_CONFIG_BYTES = 1024 ** 2;
/** The training data under dataset/ in Prism's bundle. */
export const MAX_DATASET_BYTES = 512 * 1024 ** 2;
/** Any other file: README, swift script, tokenizer files some PEFT folders carry. */
export const MAX_OTHER_FILE_BYTES = 64 * 1024 ** 2;
/** Everything besides the weights, together. */
export const MAX_EXTRA_BYTES = 512 * 1024 ** 2;

/** The base model an archive is imported for, when known: its spec bounds the adapter's size. */
export interface ArchiveBase {
  id: string;
  spec: ModelSpec;
}

export interface ArchiveOptions {
  /** The base model; without it, a known model named by adapter_config.json, else the absolute caps. */
  base?: ArchiveBase;
  /** Bytes inflated so far, of the total the zip declares. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * The most adapter_model.safetensors can hold for this base: every linear module of every layer
 * at rank r in float32, r·(in + out)·4 bytes each, plus its header, with a margin.
 */
export function expectedAdapterBytes(spec: ModelSpec, r = MAX_PLAUSIBLE_R): number {
  let values = 0;
  let tensors = 0;
  for (let i = 0; i < spec.num_hidden_layers; i++) {
    for (const t of layerTensors(spec, i)) {
      if (t.shape.length !== 2) continue; // the linear modules (norms and biases are 1-D)
      const [out, inp] = t.shape;
      values += r * (inp + out);
      tensors += 2;
    }
  }
  // A safetensors header entry is ~150 bytes of JSON per tensor; 256 leaves room for long names.
  return Math.ceil((values * 4 + tensors * 256 + 1024) * ADAPTER_SIZE_MARGIN);
}

interface EntryCaps {
  weights: number;
  weightsReason: string;
  total: number;
}

function capFor(path: string, caps: EntryCaps): { cap: number; reason: string } {
  const base = path.split('/').pop() ?? path;
  if (base === ADAPTER_WEIGHTS_FILE) return { cap: caps.weights, reason: caps.weightsReason };
  if (base === ADAPTER_CONFIG_FILE)
    return { cap: MAX_ADAPTER_CONFIG_BYTES, reason: `the cap for ${ADAPTER_CONFIG_FILE}` };
  if (/^([^/]+\/)?dataset\//.test(path))
    return { cap: MAX_DATASET_BYTES, reason: 'the cap for a dataset file in an adapter zip' };
  return { cap: MAX_OTHER_FILE_BYTES, reason: 'the cap for a file besides the adapter in an adapter zip' };
}

function skipped(path: string): boolean {
  return path.startsWith('__MACOSX/') || path.split('/').pop() === '.DS_Store';
}

/** The base named by adapter_config.json, if Prism knows its shape (a ~1 KiB read, capped). */
async function baseFromConfig(src: ByteSource, entries: readonly ZipEntry[]): Promise<ArchiveBase | undefined> {
  const configs = entries.filter(
    (e) => !e.isDirectory && !skipped(e.path) && e.path.split('/').pop() === ADAPTER_CONFIG_FILE,
  );
  if (configs.length !== 1) return undefined; // none or ambiguous: importAdapter says so later
  const bytes = await readEntry(src, configs[0], {
    cap: MAX_ADAPTER_CONFIG_BYTES,
    capReason: `the cap for ${ADAPTER_CONFIG_FILE}`,
  });
  let id: unknown;
  try {
    id = (JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>)?.base_model_name_or_path;
  } catch {
    return undefined; // importAdapter reports the broken config with its own message
  }
  const known = KNOWN_MODELS.find((m) => m.id === id);
  return known ? { id: known.id, spec: known.spec } : undefined;
}

function sourceOf(input: Uint8Array | Blob): ByteSource {
  return input instanceof Uint8Array ? bytesSource(input, 'zip') : blobSource(input, (input as File).name ?? 'zip');
}

/**
 * A zip's files (folders dropped), or a folder's files as given; paths are checked. A zip is read
 * bounded: names, entry count and declared sizes are checked against the caps above (from the
 * base model's adapter size when known) before anything is inflated, and inflation stops at
 * the declared size, so a bomb is refused with the entry and the cap named.
 */
export async function readAdapterArchive(
  input: Uint8Array | Blob | Map<string, Uint8Array>,
  options: ArchiveOptions = {},
): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  if (input instanceof Map) {
    for (const [name, bytes] of input) {
      const path = checkEntryPath(name);
      if (!skipped(path)) out.set(path, bytes);
    }
    return out;
  }
  const src = sourceOf(input);
  const magic = src.size >= 4 ? await src.read(0, 4) : new Uint8Array(0);
  const isZip =
    magic.length === 4 &&
    magic[0] === 0x50 &&
    magic[1] === 0x4b &&
    (magic[2] === 0x03 || magic[2] === 0x05) &&
    (magic[3] === 0x04 || magic[3] === 0x06);
  if (!isZip)
    throw new AdapterFormatError('not a zip file: import a .zip of a PEFT adapter folder, or the folder itself');
  const entries = (await openZip(src)).filter((e) => !e.isDirectory && !skipped(e.path));

  const base = options.base ?? (await baseFromConfig(src, entries));
  const weights = base ? expectedAdapterBytes(base.spec) : MAX_ADAPTER_WEIGHTS_BYTES;
  const caps: EntryCaps = {
    weights,
    weightsReason: base
      ? `the most an adapter of ${base.id} can be (LoRA r ≤ ${MAX_PLAUSIBLE_R} on all ${base.spec.num_hidden_layers} ` +
        `layers' linear modules in float32, +${Math.round((ADAPTER_SIZE_MARGIN - 1) * 100)}%)`
      : 'the cap for adapter weights of an unknown base model',
    total: weights + MAX_EXTRA_BYTES,
  };
  // Every declared size against its cap before a byte is inflated.
  let total = 0;
  for (const e of entries) {
    const { cap, reason } = capFor(e.path, caps);
    if (e.size > cap)
      throw new ZipLimitError(
        `"${e.path}" would inflate to ${formatBytes(e.size)}, over ${reason} (${formatBytes(cap)})`,
        e.path,
        cap,
      );
    total += e.size;
    if (total > caps.total) {
      throw new ZipLimitError(
        `the zip's files would inflate to more than ${formatBytes(caps.total)} together (at ` +
          `"${e.path}"), the cap for an adapter zip`,
        e.path,
        caps.total,
      );
    }
  }
  let done = 0;
  for (const e of entries) {
    const { cap, reason } = capFor(e.path, caps);
    const before = done;
    out.set(
      e.path,
      await readEntry(src, e, { cap, capReason: reason, onProgress: (n) => options.onProgress?.(before + n, total) }),
    );
    done += e.size;
  }
  return out;
}

/** Import a zip or a folder's files: the checked PEFT adapter, plus every file (README, dataset...). */
export async function importAdapterArchive(
  input: Uint8Array | Blob | Map<string, Uint8Array>,
  expect?: ImportExpectations,
  options?: ArchiveOptions,
): Promise<ImportedAdapter & { files: Map<string, Uint8Array> }> {
  const files = await readAdapterArchive(input, options);
  // No base given: check against the one adapter_config.json names, when Prism knows its shape.
  const adapter = importAdapter(
    files,
    expect ??
      ((config) => {
        const known = KNOWN_MODELS.find((m) => m.id === config.base_model_name_or_path);
        return known ? adapterExpectations(known.spec, known.id) : {};
      }),
  );
  return { ...adapter, files };
}

/** The summary of a stored run, for its zip (runs store their full TrainConfig). */
export function runSummary(run: RunRecord): TrainingSummary {
  if (!run.dataset) throw new AdapterFormatError(`run "${run.name}" has no dataset recorded`);
  const config = run.hyperparameters as TrainConfig;
  if (!config || typeof config !== 'object' || !('lora' in config))
    throw new AdapterFormatError(`run "${run.name}" has no training configuration (imported adapter?)`);
  return {
    name: run.name,
    config,
    dataset: run.dataset,
    steps: run.step,
    final_loss: run.final_loss,
    loss_curve: run.loss_curve,
    created: run.created,
  };
}

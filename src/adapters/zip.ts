// The downloadable adapter: one zip holding the PEFT files, a README with the training summary
// and how to load the adapter elsewhere, the `swift sft` script that continues the run at scale,
// and the dataset it was trained on. Import takes such a zip, any zip of a PEFT folder, or a
// folder's files.
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { loraScaling, resolveTargetModules, type TrainConfig } from '../train/config.ts';
import { swiftScript } from '../train/swift.ts';
import { AdapterFormatError, ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, exportAdapter, findFile, importAdapter, type AdapterDtype, type ImportExpectations, type ImportedAdapter, type LoraTensor } from './peft.ts';
import type { LossPoint, RunRecord, TrainingSummary } from './types.ts';

export const README_FILE = 'README.md';
export const SWIFT_SCRIPT_FILE = 'swift_sft.sh';

/** A dataset file name safe inside a zip and on a shell line. */
export function safeFileName(name: string, fallback = 'train.jsonl'): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
  return clean || fallback;
}

export function datasetPathInZip(summary: Pick<TrainingSummary, 'dataset'>): string {
  return `dataset/${safeFileName(summary.dataset.name)}`;
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
  const curve = sampleCurve(summary.loss_curve);
  const hasEval = curve.some((p) => p.eval_loss !== undefined);
  const hyper: [string, unknown][] = [
    ['r', lora.r], ['lora_alpha', lora.lora_alpha], ['lora_dropout', lora.lora_dropout],
    ['target_modules', lora.target_modules === 'all-linear' ? `all-linear (${targets.join(', ')})` : targets.join(', ')],
    ['use_rslora', lora.use_rslora], ['scaling', `${loraScaling(lora)} (${lora.use_rslora ? 'lora_alpha/√r' : 'lora_alpha/r'})`],
    ['learning_rate', c.learning_rate], ['lr_scheduler_type', c.lr_scheduler_type], ['warmup_ratio', c.warmup_ratio],
    [c.max_steps > 0 ? 'max_steps' : 'num_train_epochs', c.max_steps > 0 ? c.max_steps : c.num_train_epochs],
    ['per_device_train_batch_size', c.per_device_train_batch_size], ['gradient_accumulation_steps', c.gradient_accumulation_steps ?? 'auto'],
    ['max_length', c.max_length ?? 'model maximum'], ['packing', c.packing], ['truncation_strategy', c.truncation_strategy],
    ['weight_decay', c.weight_decay], ['adam_beta1', c.adam_beta1], ['adam_beta2', c.adam_beta2], ['adam_epsilon', c.adam_epsilon],
    ['max_grad_norm', c.max_grad_norm], ['seed', c.seed], ['split_dataset_ratio', c.split_dataset_ratio],
  ];
  const lines = [
    `# ${summary.name}`,
    '',
    `A LoRA adapter trained with Prism (in the browser, on WebGPU), saved in Hugging Face PEFT format.`,
    '',
    '## Training summary',
    '',
    '| | |',
    '| --- | --- |',
    `| base model | \`${c.model_id}\` |`,
    `| template | \`${c.template}\` |`,
    `| loss policy | \`${c.loss_policy}\` |`,
    `| dataset | \`${summary.dataset.name}\`${summary.dataset.records !== undefined ? ` (${summary.dataset.records} records)` : ''} |`,
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
    ...curve.map((p) => (hasEval ? `| ${p.step} | ${fmt(p.loss)} | ${fmt(p.eval_loss)} |` : `| ${p.step} | ${fmt(p.loss)} |`)),
    ...(curve.length === 0 ? ['| — | — |'] : []),
    '',
    '## Files',
    '',
    `- \`${ADAPTER_WEIGHTS_FILE}\`, \`${ADAPTER_CONFIG_FILE}\`: the adapter, as PEFT saves it.`,
    `- \`${SWIFT_SCRIPT_FILE}\`: the same run with ms-swift (\`swift sft\`) on GPUs, using \`${dataPath}\`.`,
    `- \`${dataPath}\`: the training data.`,
    '',
    '## Load it',
    '',
    'Hugging Face PEFT (run from this folder):',
    '',
    '```python',
    'from transformers import AutoModelForCausalLM, AutoTokenizer',
    'from peft import PeftModel',
    '',
    `base = AutoModelForCausalLM.from_pretrained(${JSON.stringify(c.model_id)})`,
    `tokenizer = AutoTokenizer.from_pretrained(${JSON.stringify(c.model_id)})`,
    'model = PeftModel.from_pretrained(base, ".")',
    'model = model.merge_and_unload()  # optional: fold the adapter into the weights',
    '```',
    '',
    'vLLM:',
    '',
    '```sh',
    `vllm serve ${c.model_id} --enable-lora --lora-modules ${safeFileName(summary.name, 'adapter')}=. --max-lora-rank ${vllmMaxLoraRank(lora.r)}`,
    '```',
    '',
    "llama.cpp (convert to a GGUF adapter with the base model's Hugging Face folder, then load it next to the base GGUF):",
    '',
    '```sh',
    'python convert_lora_to_gguf.py --base path/to/base-model-folder --outfile adapter.gguf .',
    'llama-cli -m base-model.gguf --lora adapter.gguf',
    '```',
    ...(lora.use_rslora
      ? ['', `Note: llama.cpp reads only lora_alpha and scales by lora_alpha/r; this adapter uses rsLoRA (lora_alpha/√r). Convert with lora_alpha set to ${lora.lora_alpha * Math.sqrt(lora.r)} in a copy of adapter_config.json to keep the same scale.`]
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
  /** The dataset file's bytes, as trained on. */
  datasetBytes: Uint8Array;
  dtype?: AdapterDtype;
  /** Base model revision for adapter_config.json. */
  revision?: string | null;
}

/** Every file of the bundle, by path inside the zip. */
export function adapterBundleFiles(input: AdapterZipInput): Map<string, Uint8Array> {
  const { summary } = input;
  const c = summary.config;
  let peft: Map<string, Uint8Array>;
  if (input.tensors) {
    peft = exportAdapter(
      input.tensors,
      { base_model_name_or_path: c.model_id, revision: input.revision ?? null, r: c.lora.r, lora_alpha: c.lora.lora_alpha, lora_dropout: c.lora.lora_dropout, use_rslora: c.lora.use_rslora },
      { dtype: input.dtype },
    );
  } else if (input.peft) {
    importAdapter(input.peft); // never ship files that would not load
    peft = new Map([ADAPTER_WEIGHTS_FILE, ADAPTER_CONFIG_FILE].map((n) => [n, findFile(input.peft!, n)!]));
  } else {
    throw new AdapterFormatError('nothing to export: give the LoRA tensors or the PEFT files');
  }
  const enc = new TextEncoder();
  const dataPath = datasetPathInZip(summary);
  const files = new Map(peft);
  files.set(README_FILE, enc.encode(readmeText(summary)));
  files.set(SWIFT_SCRIPT_FILE, enc.encode(swiftScript(c, { datasetPath: dataPath, outputDir: 'output' })));
  files.set(dataPath, input.datasetBytes);
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

function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 0x03 || bytes[2] === 0x05) && (bytes[3] === 0x04 || bytes[3] === 0x06);
}

/** A zip's files (folders dropped), or a folder's files as given; paths are checked. */
export function readAdapterArchive(input: Uint8Array | Map<string, Uint8Array>): Map<string, Uint8Array> {
  let files: Map<string, Uint8Array>;
  if (input instanceof Uint8Array) {
    if (!isZip(input)) throw new AdapterFormatError('not a zip file: import a .zip of a PEFT adapter folder, or the folder itself');
    let raw: Record<string, Uint8Array>;
    try {
      raw = unzipSync(input);
    } catch (err) {
      throw new AdapterFormatError(`the zip file is damaged or incomplete (${(err as Error).message})`);
    }
    files = new Map(Object.entries(raw).filter(([name]) => !name.endsWith('/')));
  } else {
    files = new Map(input);
  }
  const out = new Map<string, Uint8Array>();
  for (const [name, bytes] of files) {
    const path = name.replace(/\\/g, '/').replace(/^\.\//, '');
    if (path.startsWith('/') || path.split('/').includes('..')) throw new AdapterFormatError(`unsafe path in the archive: ${JSON.stringify(name)}`);
    if (path.startsWith('__MACOSX/') || path.split('/').pop() === '.DS_Store') continue;
    out.set(path, bytes);
  }
  return out;
}

/** Import a zip or a folder's files: the checked PEFT adapter, plus every file (README, dataset...). */
export function importAdapterArchive(input: Uint8Array | Map<string, Uint8Array>, expect?: ImportExpectations): ImportedAdapter & { files: Map<string, Uint8Array> } {
  const files = readAdapterArchive(input);
  return { ...importAdapter(files, expect), files };
}

/** The summary of a stored run, for its zip (runs store their full TrainConfig). */
export function runSummary(run: RunRecord): TrainingSummary {
  if (!run.dataset) throw new AdapterFormatError(`run "${run.name}" has no dataset recorded`);
  const config = run.hyperparameters as TrainConfig;
  if (!config || typeof config !== 'object' || !('lora' in config)) throw new AdapterFormatError(`run "${run.name}" has no training configuration (imported adapter?)`);
  return { name: run.name, config, dataset: run.dataset, steps: run.step, final_loss: run.final_loss, loss_curve: run.loss_curve, created: run.created };
}

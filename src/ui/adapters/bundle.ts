// What the Adapters page downloads and imports. A trained run becomes the full bundle (PEFT
// files, README, swift sft script, dataset copy: src/adapters/zip.ts); an imported adapter,
// which has no training config or dataset, is zipped as its two PEFT files.
import { zipSync } from 'fflate';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, type PeftLoraConfig } from '../../adapters/peft.ts';
import type { AdapterStore } from '../../adapters/store.ts';
import type { RunRecord } from '../../adapters/types.ts';
import {
  importAdapterArchive,
  makeAdapterZip,
  NORMALIZED_DATASET_FILE,
  runSummary,
  safeFileName,
} from '../../adapters/zip.ts';
import { checkpointPeftFiles } from '../../adapters/checkpoint-files.ts';
import { parsePrismJson, PRISM_JSON_FILE, type PrismRunInfo } from '../../adapters/prism-json.ts';
import type { TrainConfig } from '../../train/config.ts';

/** A run's zip: its final adapter, or the checkpoint at `step` (PEFT files from the checkpoint's LoRA weights). */
export async function runZip(
  store: AdapterStore,
  run: RunRecord,
  step?: number,
): Promise<{ bytes: Uint8Array; fileName: string }> {
  const hasConfig = !!run.hyperparameters && typeof run.hyperparameters === 'object' && 'lora' in run.hyperparameters;
  let peft: Map<string, Uint8Array>;
  if (step !== undefined) {
    const cp = await store.getCheckpoint(run.id, step);
    if (!cp) throw new Error(`“${run.name}” has no checkpoint at step ${step} any more.`);
    if (!hasConfig) throw new Error(`“${run.name}” has no training configuration to describe its checkpoint.`);
    peft = checkpointPeftFiles(cp.lora, run.hyperparameters as TrainConfig);
  } else {
    const weights = await store.getAdapter(run.id);
    if (!weights) throw new Error(`“${run.name}” has no adapter saved yet (the run did not finish).`);
    peft = new Map([
      [ADAPTER_WEIGHTS_FILE, weights.safetensors],
      [ADAPTER_CONFIG_FILE, new TextEncoder().encode(weights.config)],
    ]);
  }
  const stem = safeFileName(
    run.name
      .replace(/[^\w.-]+/g, '-')
      .replace(/-+/g, '-')
      .replace(/^-|-$/g, ''),
    'adapter',
  );
  const fileName = `${stem}${step !== undefined ? `-step${step}` : ''}.zip`;
  const dataset = run.dataset ? await store.getDataset(run.dataset.sha256) : undefined;
  const original = run.dataset?.original ? await store.getDataset(run.dataset.original.sha256) : undefined;
  if (hasConfig && run.dataset && dataset) {
    const summary = runSummary(run);
    const atStep =
      step === undefined
        ? summary
        : {
            ...summary,
            checkpoint_step: step,
            steps: step,
            loss_curve: summary.loss_curve.filter((p) => p.step <= step),
            final_loss: summary.loss_curve.filter((p) => p.step <= step).at(-1)?.loss ?? null,
          };
    return {
      bytes: makeAdapterZip({ peft, summary: atStep, datasetBytes: dataset.bytes, originalBytes: original?.bytes }),
      fileName,
    };
  }
  const mtime = new Date(Math.max(run.created, Date.UTC(1980, 0, 2)));
  return {
    bytes: zipSync(
      Object.fromEntries([...peft].map(([k, v]) => [k, [v, { level: k.endsWith('.safetensors') ? 0 : 6, mtime }]])),
    ),
    fileName,
  };
}

/** Import a PEFT adapter zip as a run with status 'imported'; returns the new record. */
export async function importZip(
  store: AdapterStore,
  name: string,
  zip: Uint8Array | Blob,
  onProgress?: (done: number, total: number) => void,
): Promise<RunRecord> {
  // Bounded and chunked (src/adapters/unzip.ts): a zip bomb is refused, and the page stays responsive.
  const imported = await importAdapterArchive(zip, undefined, { onProgress });
  const files = imported.files;
  const find = (n: string) => files.get(n) ?? [...files].find(([k]) => k.endsWith(`/${n}`))?.[1];
  const safetensors = find(ADAPTER_WEIGHTS_FILE)!;
  const configText = new TextDecoder().decode(find(ADAPTER_CONFIG_FILE)!);
  const c: PeftLoraConfig = imported.config;
  // A Prism bundle says what the run was: template, loss scale, config, loss curve and its data.
  const prismBytes = find(PRISM_JSON_FILE);
  let info: PrismRunInfo | null = null;
  if (prismBytes) {
    try {
      info = parsePrismJson(prismBytes);
    } catch {
      info = null; // a damaged prism.json does not stop the adapter itself from importing
    }
  }
  let dataset: RunRecord['dataset'] = null;
  if (info?.dataset) {
    const normalized = find(NORMALIZED_DATASET_FILE);
    const originalPath = info.dataset.file && info.dataset.file !== NORMALIZED_DATASET_FILE ? info.dataset.file : null;
    const originalBytes = originalPath ? find(originalPath) : undefined;
    if (normalized) {
      const saved = await store.saveDataset(info.dataset.name, normalized);
      const orig =
        originalBytes && info.dataset.original
          ? await store.saveDataset(info.dataset.original.name, originalBytes)
          : null;
      dataset = {
        ...saved,
        records: info.dataset.records,
        ...(orig ? { original: { name: orig.name, sha256: orig.sha256 } } : {}),
      };
    }
  }
  const run = await store.createRun({
    name: name.replace(/\.zip$/i, ''),
    base_model: info ? (info.base_model.hub_id ?? info.base_model.source) : (c.base_model_name_or_path ?? 'unknown'),
    template: info?.template ?? '',
    loss_policy: info?.loss_policy ?? 'all_assistant',
    dataset,
    hyperparameters: info?.config ?? {
      r: c.r,
      lora_alpha: c.lora_alpha,
      lora_dropout: c.lora_dropout,
      target_modules: c.target_modules,
      use_rslora: c.use_rslora,
      dtype: imported.dtype,
    },
    loss_curve: info?.loss_curve ?? [],
    step: info?.steps ?? 0,
    total_steps: null,
    status: 'imported',
    final_loss: info?.final_loss ?? null,
  });
  await store.saveAdapter(run.id, { safetensors, config: configText });
  return run;
}

/** Save bytes as a file through a temporary link (what the browser's download manager sees). */
export function saveBytes(bytes: Uint8Array, fileName: string, type = 'application/zip'): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// What the Adapters page downloads and imports. A trained run becomes the full bundle (PEFT
// files, README, swift sft script, dataset copy: src/adapters/zip.ts); an imported adapter,
// which has no training config or dataset, is zipped as its two PEFT files.
import { zipSync } from 'fflate';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, type PeftLoraConfig } from '../../adapters/peft.ts';
import type { AdapterStore } from '../../adapters/store.ts';
import type { RunRecord } from '../../adapters/types.ts';
import { importAdapterArchive, makeAdapterZip, runSummary, safeFileName } from '../../adapters/zip.ts';

export async function runZip(store: AdapterStore, run: RunRecord): Promise<{ bytes: Uint8Array; fileName: string }> {
  const weights = await store.getAdapter(run.id);
  if (!weights) throw new Error(`“${run.name}” has no adapter saved yet (the run did not finish).`);
  const peft = new Map([
    [ADAPTER_WEIGHTS_FILE, weights.safetensors],
    [ADAPTER_CONFIG_FILE, new TextEncoder().encode(weights.config)],
  ]);
  const fileName = `${safeFileName(run.name.replace(/[^\w.-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, ''), 'adapter')}.zip`;
  const hasConfig = !!run.hyperparameters && typeof run.hyperparameters === 'object' && 'lora' in run.hyperparameters;
  const dataset = run.dataset ? await store.getDataset(run.dataset.sha256) : undefined;
  if (hasConfig && run.dataset && dataset) {
    return { bytes: makeAdapterZip({ peft, summary: runSummary(run), datasetBytes: dataset.bytes }), fileName };
  }
  const mtime = new Date(Math.max(run.created, Date.UTC(1980, 0, 2)));
  return {
    bytes: zipSync(Object.fromEntries([...peft].map(([k, v]) => [k, [v, { level: k.endsWith('.safetensors') ? 0 : 6, mtime }]]))),
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
  const run = await store.createRun({
    name: name.replace(/\.zip$/i, ''),
    base_model: c.base_model_name_or_path ?? 'unknown',
    template: '',
    loss_policy: 'all_assistant',
    dataset: null,
    hyperparameters: { r: c.r, lora_alpha: c.lora_alpha, lora_dropout: c.lora_dropout, target_modules: c.target_modules, use_rslora: c.use_rslora, dtype: imported.dtype },
    loss_curve: [],
    step: 0,
    total_steps: null,
    status: 'imported',
    final_loss: null,
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

// Exports from the Adapters page, streamed: the merged model (and GGUF files) are produced tensor
// by tensor by the DOM-free core (src/adapters/merge.ts, src/adapters/gguf/) into a FileSink that
// is either a folder the user picked (File System Access API: showDirectoryPicker, Chromium) or a
// stored zip / single file assembled from Blob parts (the browser keeps large Blobs on disk) and
// handed to the download manager. Nothing holds the whole model in memory twice.
import { importAdapter, ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, type ImportedAdapter } from '../../adapters/peft.ts';
import type { AdapterStore } from '../../adapters/store.ts';
import type { RunRecord } from '../../adapters/types.ts';
import { counted, type FileSink } from '../../adapters/sink.ts';
import { checkpointPeftFiles } from '../../adapters/checkpoint-files.ts';
import type { TrainConfig } from '../../train/config.ts';
import { storedZipSink } from '../../adapters/stored-zip.ts';
import { hubSourceWithCache } from '../../model/sources/cached-source.ts';
import { blobModelSource, filesByRelativePath } from '../../model/sources/model-source.ts';
import type { ModelSource } from '../../model/types.ts';
import { TINY_ID, tinyModel } from '../train/models.ts';

interface DirHandle {
  name: string;
  getDirectoryHandle(name: string, o?: { create?: boolean }): Promise<DirHandle>;
  getFileHandle(name: string, o?: { create?: boolean }): Promise<{ createWritable(): Promise<WritableFileStream> }>;
}
interface WritableFileStream {
  write(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}
type PickerWindow = Window & { showDirectoryPicker?: (o?: { mode?: 'readwrite'; id?: string }) => Promise<DirHandle> };

/** Whether this browser can write into a folder the user picks (Chromium's File System Access API). */
export function canPickFolder(): boolean {
  return typeof window !== 'undefined' && typeof (window as PickerWindow).showDirectoryPicker === 'function';
}

/** A FileSink writing into `sub` inside a folder the user picks; null when they cancel. */
export async function pickFolderSink(sub: string): Promise<{ sink: FileSink; label: string } | null> {
  let root: DirHandle;
  try {
    root = await (window as PickerWindow).showDirectoryPicker!({ mode: 'readwrite', id: 'prism-export' });
  } catch (err) {
    if ((err as Error).name === 'AbortError') return null;
    throw err;
  }
  const top = await root.getDirectoryHandle(sub, { create: true });
  const sink: FileSink = {
    async writeFile(path, size, chunks) {
      const parts = path.split('/');
      let d = top;
      for (const p of parts.slice(0, -1)) d = await d.getDirectoryHandle(p, { create: true });
      const w = await (await d.getFileHandle(parts.at(-1)!, { create: true })).createWritable();
      try {
        for await (const c of counted(path, size, chunks)) await w.write(c);
        await w.close();
      } catch (err) {
        await w.abort().catch(() => {});
        throw err;
      }
    },
  };
  return { sink, label: `${root.name}/${sub}` };
}

/** Hand a Blob to the browser's download manager. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A stored zip built from Blob parts; `finish()` downloads it. */
export function zipDownloadSink(fileName: string): FileSink & { finish(): Promise<void> } {
  const parts: Blob[] = [];
  const zip = storedZipSink((c) => void parts.push(new Blob([c as Uint8Array<ArrayBuffer>])));
  return {
    writeFile: (p, s, c) => zip.writeFile(p, s, c),
    async finish() {
      await zip.finish();
      saveBlob(new Blob(parts, { type: 'application/zip' }), fileName);
    },
  };
}

/** A sink for exports of one file (GGUF): the file is downloaded as written. */
export function fileDownloadSink(type = 'application/octet-stream'): FileSink {
  return {
    async writeFile(path, size, chunks) {
      const parts: Blob[] = [];
      for await (const c of counted(path, size, chunks)) parts.push(new Blob([c as Uint8Array<ArrayBuffer>]));
      saveBlob(new Blob(parts, { type }), path);
    },
  };
}

/** The run's adapter, read back from the store; with `step`, the checkpoint at that step. */
export async function storedAdapter(store: AdapterStore, run: RunRecord, step?: number): Promise<ImportedAdapter> {
  if (step !== undefined) {
    const cp = await store.getCheckpoint(run.id, step);
    if (!cp) throw new Error(`“${run.name}” has no checkpoint at step ${step} any more.`);
    if (!run.hyperparameters || !('lora' in run.hyperparameters))
      throw new Error(`“${run.name}” has no training configuration for its checkpoint.`);
    return importAdapter(checkpointPeftFiles(cp.lora, run.hyperparameters as TrainConfig));
  }
  const w = await store.getAdapter(run.id);
  if (!w) throw new Error(`“${run.name}” has no adapter saved yet (the run did not finish).`);
  return importAdapter(
    new Map([
      [ADAPTER_WEIGHTS_FILE, w.safetensors],
      [ADAPTER_CONFIG_FILE, new TextEncoder().encode(w.config)],
    ]),
  );
}

/** Where a run's base model is read from: the built-in tiny model, the Hub (through the cache), or a picked folder. */
export async function baseModelSource(
  run: RunRecord,
  opts: { folder?: FileList | File[] | null; hubToken?: string },
): Promise<{ source: ModelSource; close(): void }> {
  const model = run.base_model;
  if (model === TINY_ID) {
    const files = Object.fromEntries(
      Object.entries(tinyModel().files).map(([k, v]) => [k, new Blob([v as Uint8Array<ArrayBuffer>])]),
    );
    return { source: blobModelSource(files, 'tiny demo model'), close: () => {} };
  }
  const local = opts.folder && opts.folder.length ? filesByRelativePath(opts.folder) : null;
  if (local) {
    if (!local.has('config.json'))
      throw new Error(
        'That folder has no config.json: pick the base model’s folder (config.json, *.safetensors, tokenizer files).',
      );
    return { source: blobModelSource(local, 'picked folder'), close: () => {} };
  }
  if (model.startsWith('local:') || !model.includes('/')) {
    throw new Error(`The base model “${model}” was a folder on this computer: pick that folder to export.`);
  }
  return hubSourceWithCache({ repo: model, token: opts.hubToken || undefined });
}

/** True when exporting this run needs the user to pick the base model's folder. */
export function needsBaseFolder(run: RunRecord): boolean {
  return run.base_model !== TINY_ID && (run.base_model.startsWith('local:') || !run.base_model.includes('/'));
}

/** A file-name-safe stem for a run. */
export function exportStem(run: RunRecord): string {
  return (
    run.name
      .replace(/[^\w.-]+/g, '-')
      .replace(/-+/g, '-')
      .replace(/^-|-$/g, '') || 'adapter'
  );
}

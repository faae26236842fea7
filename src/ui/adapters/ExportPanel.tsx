// A run's exports on the Adapters page: the merged Hugging Face model (to a picked folder or a
// stored zip) and GGUF files for llama.cpp, each streamed with a progress bar.
import { useRef, useState } from 'react';
import type { RunRecord } from '../../adapters/types.ts';
import type { ExportProgress, FileSink } from '../../adapters/sink.ts';
import { writeMergedModel, type FloatDtype } from '../../adapters/merge.ts';
import { adapterStore, useTrain } from '../train/store.ts';
import { fmtBytes } from '../train/models.ts';
import { writeGguf, writeLoraGguf, type GgufFileType } from '../../adapters/gguf/export.ts';
import {
  baseModelSource,
  canPickFolder,
  exportStem,
  fileDownloadSink,
  needsBaseFolder,
  pickFolderSink,
  storedAdapter,
  zipDownloadSink,
} from './export.ts';

type Target = 'folder' | 'zip';

function pct(p: ExportProgress | null): number {
  return p && p.total ? Math.floor((100 * p.written) / p.total) : 0;
}

/** `step`: export that checkpoint of the run instead of its final adapter. */
export function ExportPanel({ run, step }: { run: RunRecord; step?: number }) {
  const hubToken = useTrain((s) => s.hubToken);
  const [dtype, setDtype] = useState<'' | FloatDtype>('');
  const [busy, setBusy] = useState<string | null>(null);
  const [progress, setProgress] = useState<ExportProgress | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const folder = useRef<HTMLInputElement>(null);
  const [baseFiles, setBaseFiles] = useState<File[] | null>(null);
  const needFolder = needsBaseFolder(run) && !baseFiles;

  async function run_(label: string, work: (onProgress: (p: ExportProgress) => void) => Promise<string | null>) {
    setBusy(label);
    setError(null);
    setDone(null);
    setProgress(null);
    try {
      const msg = await work(setProgress);
      if (msg) setDone(msg);
    } catch (err) {
      setError(`${label} failed: ${(err as Error).message}`);
    } finally {
      setBusy(null);
    }
  }

  function merged(target: Target) {
    return run_('Export merged model', async (onProgress) => {
      const stem = `${exportStem(run)}${step !== undefined ? `-step${step}` : ''}-merged`;
      let sink: FileSink & { finish?(): Promise<void> };
      let where: string;
      if (target === 'folder') {
        const picked = await pickFolderSink(stem);
        if (!picked) return null;
        sink = picked.sink;
        where = picked.label;
      } else {
        sink = zipDownloadSink(`${stem}.zip`);
        where = `${stem}.zip`;
      }
      const adapter = await storedAdapter(await adapterStore(), run, step);
      const { source, close } = await baseModelSource(run, { folder: baseFiles, hubToken });
      try {
        const files = await writeMergedModel(source, adapter, sink, { dtype: dtype || undefined, onProgress });
        await sink.finish?.();
        return `Wrote ${files.length} files to ${where}.`;
      } finally {
        close();
      }
    });
  }

  function ggufFile(kind: GgufFileType | 'lora') {
    return run_(kind === 'lora' ? 'Export LoRA GGUF' : `Export GGUF ${kind}`, async (onProgress) => {
      const name = `${exportStem(run)}${step !== undefined ? `-step${step}` : ''}-${kind}.gguf`;
      const adapter = await storedAdapter(await adapterStore(), run, step);
      const { source, close } = await baseModelSource(run, { folder: baseFiles, hubToken });
      try {
        const sink = fileDownloadSink();
        const size =
          kind === 'lora'
            ? await writeLoraGguf(await source.readText('config.json'), adapter, sink, name, { onProgress })
            : await writeGguf(source, adapter, sink, name, { type: kind, onProgress });
        return `Downloaded ${name} (${fmtBytes(size)}).`;
      } finally {
        close();
      }
    });
  }

  return (
    <details className="exports" data-testid={step === undefined ? 'exports' : `exports-step${step}`}>
      <summary>{step === undefined ? 'Export…' : `Export step ${step}…`}</summary>
      {needsBaseFolder(run) && (
        <p className="small">
          The base model was a folder on this computer ({run.base_model.replace(/^local:/, '')}):{' '}
          <label className="button">
            {baseFiles ? 'Pick another folder…' : 'Pick the base model folder…'}
            <input
              ref={folder}
              type="file"
              className="sr-only"
              data-testid="export-base-folder"
              {...({ webkitdirectory: '', directory: '' } as Record<string, string>)}
              onChange={(e) => setBaseFiles(e.target.files ? [...e.target.files] : null)}
            />
          </label>
          {baseFiles && <span className="muted"> {baseFiles.length} files</span>}
        </p>
      )}
      <div className="toolbar">
        <strong>Merged model</strong>
        <label>
          dtype{' '}
          <select value={dtype} onChange={(e) => setDtype(e.target.value as '' | FloatDtype)} data-testid="merge-dtype">
            <option value="">as the base model</option>
            <option value="BF16">bf16</option>
            <option value="F16">f16</option>
            <option value="F32">f32</option>
          </select>
        </label>
        {canPickFolder() && (
          <button
            type="button"
            disabled={!!busy || needFolder}
            onClick={() => void merged('folder')}
            data-testid="merge-folder"
            title="Write the Hugging Face folder (sharded safetensors, config, tokenizer) into a folder you pick"
          >
            Save to a folder…
          </button>
        )}
        <button
          type="button"
          disabled={!!busy || needFolder}
          onClick={() => void merged('zip')}
          data-testid="merge-zip"
          title="The same folder as one stored (uncompressed) zip download"
        >
          Download as zip
        </button>
      </div>
      <div className="toolbar">
        <strong>GGUF</strong>
        <button
          type="button"
          disabled={!!busy || needFolder}
          onClick={() => void ggufFile('f16')}
          data-testid="gguf-f16"
          title="The merged model for llama.cpp, Ollama, LM Studio: weights in f16"
        >
          f16
        </button>
        <button
          type="button"
          disabled={!!busy || needFolder}
          onClick={() => void ggufFile('q8_0')}
          data-testid="gguf-q8_0"
          title="The merged model, weights quantized to 8 bits (q8_0): about half the size of f16"
        >
          q8_0
        </button>
        <button
          type="button"
          disabled={!!busy || needFolder}
          onClick={() => void ggufFile('lora')}
          data-testid="gguf-lora"
          title="Only the adapter, for llama.cpp's --lora on top of a GGUF of the base model"
        >
          LoRA adapter
        </button>
      </div>
      {busy && (
        <div className="export-progress" role="status" data-testid="export-progress">
          <progress max={100} value={pct(progress)} />
          <span className="small">
            {busy}: {progress ? `${progress.file} · ${pct(progress)}%` : 'reading the model…'}
          </span>
        </div>
      )}
      {done && (
        <p className="small" role="status" data-testid="export-done">
          {done}
        </p>
      )}
      {error && (
        <p className="warn" role="alert">
          {error}
        </p>
      )}
    </details>
  );
}

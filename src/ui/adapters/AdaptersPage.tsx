// Every run and adapter kept in this browser: metadata, loss curve, download as the PEFT zip,
// rename, delete (confirmed, with undo for a few seconds) and import of a zip.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DeleteHandle } from '../../adapters/store.ts';
import type { RunRecord } from '../../adapters/types.ts';
import { adapterStore } from '../train/store.ts';
import { LossChart } from '../train/LossChart.tsx';
import { importZip, runZip, saveBytes } from './bundle.ts';
import { ComparePanel } from './ComparePanel.tsx';
import { ExportPanel } from './ExportPanel.tsx';
import '../train/train.css';

function when(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

function Rename({ run, onDone }: { run: RunRecord; onDone: (name: string | null) => void }) {
  const [name, setName] = useState(run.name);
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => ref.current?.select(), []);
  return (
    <form
      className="toolbar"
      onSubmit={(e) => {
        e.preventDefault();
        onDone(name.trim() || null);
      }}
    >
      <label>
        <span className="sr-only">New name</span>
        <input
          ref={ref}
          type="text"
          value={name}
          onChange={(e) => setName(e.target.value)}
          onKeyDown={(e) => e.key === 'Escape' && onDone(null)}
          data-testid="rename-input"
          size={40}
        />
      </label>
      <button type="submit" className="primary">
        Save
      </button>
      <button type="button" onClick={() => onDone(null)}>
        Cancel
      </button>
    </form>
  );
}

function hp(run: RunRecord): string {
  const h = run.hyperparameters as Record<string, unknown> & { lora?: { r: number; lora_alpha: number } };
  const r = h.lora?.r ?? (h.r as number | undefined);
  const alpha = h.lora?.lora_alpha ?? (h.lora_alpha as number | undefined);
  const lr = h.learning_rate as number | undefined;
  return [r !== undefined && `r ${r}`, alpha !== undefined && `alpha ${alpha}`, lr !== undefined && `lr ${lr}`]
    .filter(Boolean)
    .join(' · ');
}

/** The run's checkpoints (the newest few the store keeps): each downloads or exports like the final adapter. */
function Checkpoints({ run, onError }: { run: RunRecord; onError: (m: string) => void }) {
  const [steps, setSteps] = useState<number[]>([]);
  const [busy, setBusy] = useState<number | null>(null);
  useEffect(() => {
    let live = true;
    void adapterStore()
      .then((s) => s.checkpointSteps(run.id))
      .then(
        (x) => live && setSteps(x),
        () => {},
      );
    return () => {
      live = false;
    };
  }, [run.id, run.step]);
  if (!steps.length || !run.hyperparameters || !('lora' in run.hyperparameters)) return null;
  async function download(step: number) {
    setBusy(step);
    try {
      const { bytes, fileName } = await runZip(await adapterStore(), run, step);
      saveBytes(bytes, fileName);
    } catch (err) {
      onError((err as Error).message);
    } finally {
      setBusy(null);
    }
  }
  return (
    <div className="checkpoints" data-testid="checkpoints">
      <strong className="small">Checkpoints</strong>
      {steps.map((step) => (
        <div key={step} className="checkpoint" data-testid={`checkpoint-${step}`}>
          <span className="small">step {step}</span>
          <button
            type="button"
            disabled={busy !== null}
            onClick={() => void download(step)}
            data-testid={`checkpoint-download-${step}`}
          >
            Download zip
          </button>
          <ExportPanel run={run} step={step} />
        </div>
      ))}
    </div>
  );
}

function RunCard({
  run,
  onChanged,
  onDeleted,
  onError,
}: {
  run: RunRecord;
  onChanged: () => void;
  onDeleted: (h: DeleteHandle, name: string) => void;
  onError: (m: string) => void;
}) {
  const [renaming, setRenaming] = useState(false);
  const [busy, setBusy] = useState(false);
  async function download() {
    setBusy(true);
    try {
      const { bytes, fileName } = await runZip(await adapterStore(), run);
      saveBytes(bytes, fileName);
    } catch (err) {
      onError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }
  async function rename(name: string | null) {
    setRenaming(false);
    if (!name || name === run.name) return;
    try {
      await (await adapterStore()).rename(run.id, name);
      onChanged();
    } catch (err) {
      onError((err as Error).message);
    }
  }
  async function remove() {
    if (!confirm(`Delete “${run.name}” with its adapter and checkpoints?`)) return;
    try {
      onDeleted(await (await adapterStore()).delete(run.id), run.name);
    } catch (err) {
      onError((err as Error).message);
    }
  }
  const finished = run.status === 'completed' || run.status === 'imported';
  return (
    <article className="card adapter" data-testid="adapter" data-run-id={run.id} aria-label={run.name}>
      <div>
        {renaming ? (
          <Rename run={run} onDone={(n) => void rename(n)} />
        ) : (
          <h3 data-testid="adapter-name">
            {run.name}
            <span className="status-pill" data-testid="adapter-status">
              {run.status}
            </span>
          </h3>
        )}
        <dl className="kv">
          <dt>Base model</dt>
          <dd>{run.base_model}</dd>
          {run.template && (
            <>
              <dt>Template</dt>
              <dd>
                {run.template} · loss on {run.loss_policy.replaceAll('_', ' ')}
              </dd>
            </>
          )}
          {run.dataset && (
            <>
              <dt>Dataset</dt>
              <dd>
                {run.dataset.name}
                {run.dataset.records !== undefined ? ` · ${run.dataset.records} records` : ''}
              </dd>
            </>
          )}
          <dt>Steps</dt>
          <dd>
            {run.step}
            {run.total_steps ? ` / ${run.total_steps}` : ''}
          </dd>
          {run.final_loss !== null && (
            <>
              <dt>Final loss</dt>
              <dd>{run.final_loss.toFixed(4)}</dd>
            </>
          )}
          {hp(run) && (
            <>
              <dt>Settings</dt>
              <dd>{hp(run)}</dd>
            </>
          )}
          <dt>Created</dt>
          <dd>{when(run.created)}</dd>
        </dl>
        <div className="actions">
          <button
            type="button"
            className="primary"
            onClick={() => void download()}
            disabled={busy || !finished}
            data-testid="download"
            title={
              finished
                ? 'adapter_model.safetensors + adapter_config.json (PEFT), README, swift sft script, dataset'
                : 'Available when the run has finished'
            }
          >
            Download zip
          </button>
          {finished && (
            <a className="button" href={`#/chat?run=${encodeURIComponent(run.id)}`}>
              Chat with it
            </a>
          )}
          {finished && (
            <a className="button" href={`#/evaluate?run=${encodeURIComponent(run.id)}`} data-testid="evaluate-link">
              Evaluate it
            </a>
          )}
          <button type="button" onClick={() => setRenaming(true)} data-testid="rename">
            Rename
          </button>
          <button type="button" className="danger" onClick={() => void remove()} data-testid="delete">
            Delete
          </button>
        </div>
        {finished && <ExportPanel run={run} />}
        <Checkpoints run={run} onError={onError} />
      </div>
      <div className="mini">
        {run.loss_curve.length ? (
          <LossChart points={run.loss_curve} compact />
        ) : (
          <p className="muted empty-chart">No loss curve{run.status === 'imported' ? ' (imported)' : ''}</p>
        )}
      </div>
    </article>
  );
}

export function AdaptersPage() {
  const [runs, setRuns] = useState<RunRecord[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [undo, setUndo] = useState<{ handle: DeleteHandle; name: string } | null>(null);
  const [importing, setImporting] = useState<string | null>(null);
  const refresh = useCallback(() => {
    void adapterStore()
      .then((s) => s.list())
      .then(setRuns, (err: Error) => setError(err.message));
  }, []);
  useEffect(refresh, [refresh]);
  useEffect(() => {
    if (!undo) return;
    const t = setTimeout(() => setUndo(null), Math.max(0, undo.handle.expiresAt - Date.now()));
    return () => clearTimeout(t);
  }, [undo]);

  async function onImport(files: FileList | null) {
    setError(null);
    const f = files?.[0];
    if (!f) return;
    setImporting(`Importing ${f.name}…`);
    try {
      const pct = (done: number, total: number) => (total > 0 ? Math.floor((100 * done) / total) : 100);
      await importZip(await adapterStore(), f.name, f, (done, total) =>
        setImporting(`Importing ${f.name}… ${pct(done, total)}%`),
      );
      refresh();
    } catch (err) {
      setError(`Could not import ${f.name}: ${(err as Error).message}`);
    } finally {
      setImporting(null);
    }
  }

  return (
    <div className="adapters-page">
      <section className="card">
        <h2>Adapters</h2>
        <p className="muted">
          Runs and adapters kept in this browser. Download one as a PEFT adapter zip (loads in Hugging Face PEFT and
          vLLM) with the ms-swift command that continues it on a GPU cluster.
        </p>
        <div className="toolbar">
          <label className="button">
            Import a zip…
            <input
              type="file"
              accept=".zip,application/zip"
              className="sr-only"
              onChange={(e) => {
                void onImport(e.target.files);
                e.target.value = '';
              }}
              data-testid="import"
            />
          </label>
          <span className="muted small">A PEFT LoRA adapter: adapter_model.safetensors + adapter_config.json</span>
        </div>
      </section>
      {undo && (
        <div className="undo-bar" role="status">
          Deleted “{undo.name}”.
          <button
            type="button"
            data-testid="undo"
            onClick={() =>
              void undo.handle.undo().then(() => {
                setUndo(null);
                refresh();
              })
            }
          >
            Undo
          </button>
        </div>
      )}
      {importing && (
        <p className="muted" role="status" data-testid="importing">
          {importing}
        </p>
      )}
      {error && (
        <p className="warn" role="alert">
          {error}
        </p>
      )}
      {runs === null && <p className="muted">Loading…</p>}
      {runs?.length === 0 && (
        <section className="card">
          <p>
            No adapters yet. Train one on the <a href="#/train">Train page</a> (Alt+3), or import a zip.
          </p>
        </section>
      )}
      {runs && <ComparePanel runs={runs} />}
      <div className="adapter-list" data-testid="adapter-list">
        {runs?.map((r) => (
          <RunCard
            key={r.id}
            run={r}
            onChanged={refresh}
            onError={setError}
            onDeleted={(handle, name) => {
              setUndo({ handle, name });
              refresh();
            }}
          />
        ))}
      </div>
    </div>
  );
}

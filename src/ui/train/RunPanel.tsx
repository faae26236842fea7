// Start / Pause / Resume / Cancel, the progress bar (step, tokens/s, ETA) and the live chart.
import { LossChart } from './LossChart.tsx';
import { useState } from 'react';
import { configLine, useTrain, type LiveRun } from './store.ts';

function duration(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '—';
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

const PHASE_TEXT: Record<LiveRun['phase'], string> = {
  idle: 'Not started',
  preparing: 'Preparing (model, tokenization)…',
  running: 'Training',
  paused: 'Paused',
  completed: 'Done',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

export function RunPanel({
  canStart,
  blocker,
  onStart,
}: {
  canStart: boolean;
  blocker: string | null;
  onStart: () => void;
}) {
  const { run, pause, resume, cancel, start } = useTrain();
  const [resumeError, setResumeError] = useState<string | null>(null);
  const active = run && (run.phase === 'preparing' || run.phase === 'running' || run.phase === 'paused');
  const pct = run?.total ? Math.min(100, (100 * run.step) / run.total) : 0;
  return (
    <section className="card run" aria-labelledby="run-h">
      <h2 id="run-h">5. Train</h2>
      <div className="controls">
        {!active && (
          <button type="button" className="primary" onClick={onStart} disabled={!canStart} data-testid="start">
            {run ? 'Train again' : 'Start training'}
          </button>
        )}
        {active && run.phase !== 'paused' && (
          <button type="button" onClick={pause} disabled={run.phase !== 'running'} data-testid="pause">
            Pause
          </button>
        )}
        {active && run.phase === 'paused' && (
          <button type="button" className="primary" onClick={resume} data-testid="resume">
            Resume
          </button>
        )}
        {active && (
          <button
            type="button"
            onClick={() => confirm('Cancel this run? Checkpoints already saved are kept.') && cancel()}
            data-testid="cancel"
          >
            Cancel
          </button>
        )}
        {run?.phase === 'failed' && run.lostDevice && (
          // The run is kept, paused in the store: continue it on a fresh device from its last checkpoint.
          <button
            type="button"
            className="primary"
            onClick={() => {
              setResumeError(null);
              start({ resumeRunId: run.id }).catch((err: Error) => setResumeError(err.message));
            }}
            data-testid="resume-lost"
          >
            Resume from step {run.lastCheckpoint ?? 0}
          </button>
        )}
        {blocker && !active && <span className="warn small">{blocker}</span>}
        {resumeError && (
          <span className="warn small" role="alert">
            {resumeError}
          </span>
        )}
      </div>
      {run && (
        <>
          <div
            className="status-line"
            role="status"
            aria-live="polite"
            data-testid="run-status"
            data-phase={run.phase}
            data-step={run.step}
            data-checkpoint={run.lastCheckpoint ?? ''}
          >
            <strong>{PHASE_TEXT[run.phase]}</strong>
            {run.prep && (
              <span>
                {' '}
                · {run.prep.phase} {run.prep.total ? `${Math.round((100 * run.prep.loaded) / run.prep.total)}%` : ''}
              </span>
            )}
            <span>
              {' '}
              · step {run.step}
              {run.total ? ` / ${run.total}` : ''}
            </span>
            <span> · {run.tokensPerSecond !== null ? `${run.tokensPerSecond.toFixed(0)} tokens/s` : '— tokens/s'}</span>
            <span> · ETA {duration(run.phase === 'running' ? run.etaSeconds : null)}</span>
            {run.lastCheckpoint !== null && <span className="muted"> · checkpoint at step {run.lastCheckpoint}</span>}
          </div>
          <p className="muted small" data-testid="run-settings">
            {run.name}: {configLine(run.config)}
          </p>
          <progress
            max={100}
            value={run.prep && run.prep.total ? (100 * run.prep.loaded) / run.prep.total : pct}
            aria-label="Training progress"
          />
          {run.skipped.length > 0 && (
            <details className="skipped" data-testid="run-skipped" open={run.skipped.length <= 10}>
              <summary className="warn">
                {run.skipped.length} record{run.skipped.length === 1 ? '' : 's'} left out of this run
              </summary>
              <ul className="plain skipped-list">
                {run.skipped.map((k) => (
                  <li key={k.line}>
                    <a href={`#/dataset?line=${k.line}`}>line {k.line}</a> <span className="muted">{k.why}</span>
                  </li>
                ))}
              </ul>
            </details>
          )}
          {run.message && (
            <p
              className={run.phase === 'failed' ? 'warn' : 'muted'}
              role={run.phase === 'failed' ? 'alert' : undefined}
            >
              {run.message}
            </p>
          )}
          {run.phase === 'completed' && run.id && (
            <p className="actions">
              <a className="button" href={`#/evaluate?run=${encodeURIComponent(run.id)}`} data-testid="run-evaluate">
                Evaluate it against the base model
              </a>
              <a className="button" href={`#/chat?run=${encodeURIComponent(run.id)}`}>
                Chat with it
              </a>
            </p>
          )}
          <LossChart points={run.points} />
        </>
      )}
    </section>
  );
}

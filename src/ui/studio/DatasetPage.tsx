// The Dataset page: drop or pick a JSONL file (or try a sample), watch it stream in, read the
// summary and every issue with its line, and browse the records.
import { useEffect, useMemo, useRef, useState } from 'react';
import { Home } from '../components/Home.tsx';
import { VirtualList } from '../components/VirtualList.tsx';
import { indexOfLine } from './line-index.ts';
import { IssueBadge, RecordView } from './RecordView.tsx';
import { RecordNav } from './RecordNav.tsx';
import { cancelLoading, fetchSamples, loadDataset, loadSample, type Sample } from './load-dataset.ts';
import { markHidden } from './mark-hidden.tsx';
import { useStudio } from './store.ts';
import './studio.css';

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function Loader() {
  const loading = useStudio((s) => s.loading);
  const fileName = useStudio((s) => s.fileName);
  const loadError = useStudio((s) => s.loadError);
  const stored = useStudio((s) => s.stored);
  const [samples, setSamples] = useState<Sample[]>([]);
  const [sampleError, setSampleError] = useState('');
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    fetchSamples().then(setSamples, (e: Error) => setSampleError(e.message));
  }, []);

  const take = (files: FileList | null) => {
    const f = files?.[0];
    if (f) void loadDataset(f, f.name);
  };

  return (
    <section className="card loader" aria-labelledby="loader-h">
      <h2 id="loader-h">Your dataset</h2>
      <div
        className={`dropzone${over ? ' over' : ''}`}
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          take(e.dataTransfer.files);
        }}
      >
        <p>
          Drop a <b>JSONL</b> file here (one conversation per line: OpenAI messages with tool calls, ms-swift, alpaca,
          sharegpt), or{' '}
          <button type="button" className="primary" onClick={() => input.current?.click()}>
            choose a file…
          </button>
          <input
            ref={input}
            type="file"
            accept=".jsonl,.json,.txt,application/jsonl,application/json,text/plain"
            className="sr-only"
            data-testid="file-input"
            aria-label="Choose a JSONL file"
            onChange={(e) => {
              take(e.target.files);
              e.target.value = '';
            }}
          />
        </p>
        <p className="muted small">The file stays on this computer: it is read in your browser.</p>
      </div>
      <div className="samples">
        <span className="muted">Try a sample:</span>
        {samples.map((s) => (
          <button
            key={s.file}
            type="button"
            title={s.description}
            onClick={() => void loadSample(s.file)}
            data-sample={s.file}
          >
            {s.title}
          </button>
        ))}
        {sampleError && <span className="warn">samples unavailable: {sampleError}</span>}
      </div>
      {loading && (
        <div className="progress" role="status" data-testid="loading">
          <progress max={loading.total || 1} value={loading.bytesRead} aria-label={`Reading ${loading.name}`} />
          <span>
            Reading {loading.name}: {bytes(loading.bytesRead)} of {bytes(loading.total)}
          </span>
          <button type="button" onClick={cancelLoading}>
            Cancel
          </button>
        </div>
      )}
      {!loading && fileName && !loadError && (
        <p className="loaded" data-testid="loaded-file">
          Loaded <b>{fileName}</b>.{' '}
          {stored?.kept && (
            <span className="muted" data-testid="kept">
              Kept in this browser: a reload opens it again.
            </span>
          )}
          {stored && !stored.kept && stored.keepError && (
            <span className="warn" data-testid="not-kept">
              Not kept across reloads ({stored.keepError}).
            </span>
          )}
        </p>
      )}
      {loadError && (
        <p className="warn" role="alert">
          Reading {fileName} stopped: {loadError}
        </p>
      )}
    </section>
  );
}

function Summary() {
  const s = useStudio((x) => x.summary);
  const fileName = useStudio((x) => x.fileName);
  if (!fileName) return null;
  const formats = Object.entries(s.formats);
  return (
    <section className="card" aria-labelledby="summary-h">
      <h2 id="summary-h">Summary</h2>
      <dl className="kv" data-testid="summary">
        <dt>Records</dt>
        <dd data-testid="summary-records">{s.records}</dd>
        <dt>Valid</dt>
        <dd data-testid="summary-valid">{s.valid}</dd>
        <dt>Invalid</dt>
        <dd data-testid="summary-invalid">{s.invalid > 0 ? <b className="err-text">{s.invalid}</b> : 0}</dd>
        <dt>Warnings</dt>
        <dd>{s.warnings}</dd>
        <dt>Formats</dt>
        <dd>{formats.length ? formats.map(([f, n]) => `${f} ${n}`).join(' · ') : '—'}</dd>
        <dt>Turns</dt>
        <dd>
          {s.turns}
          {s.valid > 0 && <span className="muted"> ({(s.turns / s.valid).toFixed(1)} per record)</span>}
        </dd>
        <dt>System prompt</dt>
        <dd>{s.withSystem} records</dd>
        <dt>Tool use</dt>
        <dd>
          {s.withTools} records, {s.toolCalls} calls
        </dd>
      </dl>
      {s.valid > 0 && (
        <p>
          <a className="button primary" href="#/templates">
            Compare templates on these records →
          </a>
        </p>
      )}
    </section>
  );
}

/** An issue row's height in px: two lines of message at most (studio.css clamps it; hover shows all). */
const ISSUE_ROW = 70;

function Issues() {
  const issues = useStudio((s) => s.summary.issues);
  const select = useStudio((s) => s.select);
  const fileName = useStudio((s) => s.fileName);
  const currentLine = useStudio((s) => s.results[s.selected]?.line);
  const [filter, setFilter] = useState<'all' | 'error' | 'warning'>('all');
  const list = useMemo(
    () => (filter === 'all' ? issues : issues.filter((i) => i.severity === filter)),
    [issues, filter],
  );
  const current = useMemo(
    () => (currentLine === undefined ? -1 : list.findIndex((i) => i.line === currentLine)),
    [list, currentLine],
  );
  if (!fileName) return null;
  // The record of a line is found when it is clicked (a binary search), not mapped for every line
  // on every batch of a loading file.
  const open = (line: number) => {
    const at = indexOfLine(useStudio.getState().results, line);
    if (at >= 0) select(at);
  };

  return (
    <section className="card" aria-labelledby="issues-h">
      <div className="card-head">
        <h2 id="issues-h">Issues ({issues.length})</h2>
        <label>
          <span className="sr-only">Show</span>
          <select value={filter} onChange={(e) => setFilter(e.target.value as typeof filter)}>
            <option value="all">all</option>
            <option value="error">errors</option>
            <option value="warning">warnings</option>
          </select>
        </label>
      </div>
      {list.length === 0 ? (
        <p className="muted">No issues: every record reads cleanly.</p>
      ) : (
        <VirtualList
          items={list}
          rowHeight={ISSUE_ROW}
          maxHeight={420}
          className="issues"
          testId="issues"
          label="Issues"
          scrollTo={current}
          row={(i, k, style) => (
            <li
              key={k}
              style={style}
              data-line={i.line}
              data-code={i.code}
              data-severity={i.severity}
              className={`issue${i.line === currentLine ? ' current' : ''}`}
            >
              <button
                type="button"
                aria-current={i.line === currentLine ? 'true' : undefined}
                disabled={i.line === 0}
                onClick={() => open(i.line)}
                title={i.message}
              >
                <span className="issue-line">{i.line === 0 ? 'file' : `line ${i.line}`}</span>
                <IssueBadge severity={i.severity} code={i.code} />
                <span className="issue-msg">{markHidden(i.message)}</span>
              </button>
            </li>
          )}
        />
      )}
    </section>
  );
}

/** `#/dataset?line=N` (links from the Train page's length list) shows that record. */
function useLineFromHash(box: React.RefObject<HTMLElement | null>) {
  const count = useStudio((s) => s.results.length);
  useEffect(() => {
    const apply = () => {
      const m = /[?&]line=(\d+)/.exec(location.hash);
      if (!m) return;
      const { results, select } = useStudio.getState();
      const at = indexOfLine(results, Number(m[1]));
      if (at < 0) return;
      select(at);
      box.current?.scrollIntoView({ block: 'start' });
    };
    apply();
    addEventListener('hashchange', apply);
    return () => removeEventListener('hashchange', apply);
  }, [count, box]);
}

function Browser() {
  // The shown record and whether there is any, not the whole list: a loading file's batches do
  // not re-render the record.
  const current = useStudio((s) => s.results[s.selected]);
  const any = useStudio((s) => s.results.some((r) => r.line > 0));
  const box = useRef<HTMLElement>(null);
  useLineFromHash(box);
  if (!any) return null;
  return (
    <section className="card browser" aria-labelledby="browser-h" ref={box}>
      <h2 id="browser-h">Records</h2>
      <RecordNav />
      <RecordView result={current} />
    </section>
  );
}

export function DatasetPage() {
  const fileName = useStudio((s) => s.fileName);
  return (
    <div className="dataset-page">
      {!fileName && <Home />}
      <Loader />
      <div className="ds-grid">
        <div className="ds-col">
          <Summary />
          <Issues />
        </div>
        <Browser />
      </div>
    </div>
  );
}

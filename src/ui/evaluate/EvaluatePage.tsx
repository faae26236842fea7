// The Evaluate page: an adapter against its base model on the run's eval split (or its training
// data, or another file). Replies side by side; exact match / token F1 / ROUGE-L where the record
// has a text answer; for tool calls, whether the call parses and names the right tool with the
// right arguments. The work runs in a worker with progress and cancel.
import { useEffect, useMemo, useState } from 'react';
import type { RunRecord } from '../../adapters/types.ts';
import type { EvalReply, EvalRow, SideSummary } from '../../infer/eval/evaluate.ts';
import type { StartEval } from '../../infer/eval/protocol.ts';
import { templateIds } from '../../templates/index.ts';
import { SWIFT_AGENT_TEMPLATE_IDS, swiftAgentTemplates } from '../../templates/agent/swift/registry.ts';
import { modelRequestFor } from '../train/model-request.ts';
import { adapterStore, useTrain } from '../train/store.ts';
import { useEval } from './store.ts';
import '../train/train.css';
import './evaluate.css';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function runFromHash(): string | null {
  const q = location.hash.split('?')[1];
  return q ? new URLSearchParams(q).get('run') : null;
}

type Metric = { label: string; kind: 'text' | 'tool'; get(s: SideSummary): number };
const METRICS: Metric[] = [
  { label: 'Exact match', kind: 'text', get: (s) => s.exact_match },
  { label: 'Token F1', kind: 'text', get: (s) => s.token_f1 },
  { label: 'ROUGE-L', kind: 'text', get: (s) => s.rouge_l },
  { label: 'Tool call parses', kind: 'tool', get: (s) => s.tool_parsed / s.tool },
  { label: 'Right tool', kind: 'tool', get: (s) => s.tool_names / s.tool },
  { label: 'Right arguments', kind: 'tool', get: (s) => s.tool_arguments / s.tool },
];

function SummaryTable({ base, tuned }: { base: SideSummary; tuned: SideSummary | null }) {
  const shown = METRICS.filter((m) => (m.kind === 'text' ? base.text : base.tool) > 0);
  if (!shown.length) return <p className="muted">No record has a reference answer to score against.</p>;
  return (
    <table className="eval-summary" data-testid="eval-summary">
      <thead>
        <tr>
          <th scope="col">Metric</th>
          <th scope="col" className="num">
            Base
          </th>
          <th scope="col" className="num">
            Tuned
          </th>
          <th scope="col" className="num">
            Records
          </th>
        </tr>
      </thead>
      <tbody>
        {shown.map((m) => {
          const b = m.get(base);
          const t = tuned ? m.get(tuned) : null;
          return (
            <tr key={m.label} data-metric={m.label}>
              <th scope="row">{m.label}</th>
              <td className="num" data-side="base">
                {pct(b)}
              </td>
              <td className={`num ${t === null ? '' : t > b ? 'better' : t < b ? 'worse' : ''}`} data-side="tuned">
                {t === null ? '—' : pct(t)}
              </td>
              <td className="num muted">{m.kind === 'text' ? base.text : base.tool}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Reply({ title, reply, testid }: { title: string; reply: EvalReply | null; testid: string }) {
  if (!reply)
    return (
      <div className="eval-side">
        <h4>{title}</h4>
        <p className="muted small">Not generated.</p>
      </div>
    );
  const s = reply.scores;
  const t = reply.tool;
  return (
    <div className="eval-side" data-testid={testid}>
      <h4>{title}</h4>
      <pre className="reply">{reply.text || <span className="muted">(empty reply)</span>}</pre>
      <p className="small muted">
        {reply.tokens} tokens
        {s && ` · EM ${s.exact_match} · F1 ${s.token_f1.toFixed(2)} · ROUGE-L ${s.rouge_l.toFixed(2)}`}
      </p>
      {t && (
        <p className="small" data-testid={`${testid}-tool`}>
          Tool call: {t.parsed ? '✓ parses' : '✗ does not parse'} · {t.names ? '✓ right tool' : '✗ wrong tool'} ·{' '}
          {t.arguments ? '✓ right arguments' : '✗ arguments differ'}
          {t.calls.length > 0 && (
            <code className="calls"> {t.calls.map((c) => `${c.name}(${c.argumentsText})`).join(', ')}</code>
          )}
        </p>
      )}
    </div>
  );
}

function Row({ row }: { row: EvalRow }) {
  return (
    <li className="eval-case" data-line={row.line}>
      <p>
        <strong>line {row.line}</strong> <span className="small">{row.ask}</span>
      </p>
      {row.error ? (
        <p className="warn small">{row.error}</p>
      ) : (
        <>
          <details>
            <summary className="small">Prompt as the model sees it</summary>
            <pre className="reply">{row.prompt}</pre>
          </details>
          <div className="eval-row">
            <div className="eval-side">
              <h4>Reference</h4>
              <pre className="reply">{row.reference || <span className="muted">(none)</span>}</pre>
            </div>
            <Reply title="Base" reply={row.base} testid="eval-base" />
            <Reply title="Tuned" reply={row.tuned} testid="eval-tuned" />
          </div>
        </>
      )}
    </li>
  );
}

type Source = 'eval-split' | 'train' | 'file';

export function EvaluatePage() {
  const [runs, setRuns] = useState<RunRecord[] | null>(null);
  const [runId, setRunId] = useState<string | null>(runFromHash());
  const [source, setSource] = useState<Source>('eval-split');
  const [file, setFile] = useState<File | null>(null);
  const [limit, setLimit] = useState(10);
  const [maxTokens, setMaxTokens] = useState(48);
  const [template, setTemplate] = useState('');
  const [agent, setAgent] = useState('');
  const [startError, setStartError] = useState<string | null>(null);
  const ev = useEval();
  const local = useTrain((s) => s.local);
  const hubToken = useTrain((s) => s.hubToken);

  useEffect(() => {
    void adapterStore()
      .then((s) => s.list())
      .then(
        (all) => {
          const usable = all.filter((r) => r.status === 'completed' || r.status === 'imported');
          setRuns(usable);
          setRunId((id) => (id && usable.some((r) => r.id === id) ? id : (usable[0]?.id ?? null)));
        },
        () => setRuns([]),
      );
  }, []);

  const run = useMemo(() => runs?.find((r) => r.id === runId) ?? null, [runs, runId]);
  const hasSplit = !!run?.eval_lines?.length;
  const hasData = !!run?.dataset;
  const chosen: Source =
    source === 'eval-split' && !hasSplit
      ? hasData
        ? 'train'
        : 'file'
      : source === 'train' && !hasData
        ? 'file'
        : source;
  // The run's template unless the user picks another (imported adapters may have none recorded).
  useEffect(() => setTemplate(run?.template || 'chatml'), [run?.id, run?.template]);

  function start() {
    if (!run) return;
    setStartError(null);
    try {
      const model = modelRequestFor(run.base_model, local, hubToken || undefined);
      let data: StartEval['data'];
      if (chosen === 'file') {
        if (!file) throw new Error('Choose a JSONL file to evaluate on.');
        data = { kind: 'file', dataset: { sha256: '', name: file.name, file } };
      } else data = { kind: chosen };
      ev.start({
        model,
        runId: run.id,
        data,
        template,
        ...(agent ? { agent_template: agent } : {}),
        max_new_tokens: maxTokens,
        limit,
      });
    } catch (err) {
      setStartError((err as Error).message);
    }
  }

  const running = ev.state === 'running';
  const p = ev.progress;
  const amount = p?.total ? ` ${p.phase === 'generating' ? `${p.loaded} / ${p.total}` : pct(p.loaded / p.total)}` : '';
  const beyond = ev.items?.beyond ? ` (the first ${ev.items.total}; ${ev.items.beyond} more past the limit)` : '';
  return (
    <div className="evaluate-page">
      <section className="card" aria-labelledby="ev-h">
        <h2 id="ev-h">Evaluate: base model vs your adapter</h2>
        {runs && !runs.length && (
          <p className="muted">
            No adapter yet: train one on the <a href="#/train">Train page</a> or import one on the{' '}
            <a href="#/adapters">Adapters page</a>.
          </p>
        )}
        {runs && runs.length > 0 && (
          <fieldset className="form eval-form" disabled={running}>
            <legend className="sr-only">Evaluation settings</legend>
            <label className="field">
              <span>Adapter</span>
              <select value={runId ?? ''} onChange={(e) => setRunId(e.target.value)} data-testid="eval-run">
                {runs.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </select>
              {run && <small className="muted">Base {run.base_model}</small>}
            </label>
            <div className="field" role="radiogroup" aria-label="Records">
              <span>Records</span>
              <label>
                <input
                  type="radio"
                  name="src"
                  checked={chosen === 'eval-split'}
                  disabled={!hasSplit}
                  onChange={() => setSource('eval-split')}
                  data-testid="eval-src-split"
                />{' '}
                its eval split{run ? (hasSplit ? ` (${run.eval_lines!.length} records)` : ' (none held out)') : ''}
              </label>
              <label>
                <input
                  type="radio"
                  name="src"
                  checked={chosen === 'train'}
                  disabled={!hasData}
                  onChange={() => setSource('train')}
                  data-testid="eval-src-train"
                />{' '}
                its training data <small className="muted">(seen in training)</small>
              </label>
              <label>
                <input
                  type="radio"
                  name="src"
                  checked={chosen === 'file'}
                  onChange={() => setSource('file')}
                  data-testid="eval-src-file"
                />{' '}
                another file{' '}
                <input
                  type="file"
                  accept=".jsonl,.json,.txt"
                  onChange={(e) => {
                    setFile(e.target.files?.[0] ?? null);
                    setSource('file');
                  }}
                  data-testid="eval-file"
                />
              </label>
            </div>
            <label className="field">
              <span>Template</span>
              <select value={template} onChange={(e) => setTemplate(e.target.value)} data-testid="eval-template">
                {templateIds.map((t) => (
                  <option key={t} value={t}>
                    {t}
                    {t === run?.template ? ' (the run’s)' : ''}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Tool calls parsed as</span>
              <select value={agent} onChange={(e) => setAgent(e.target.value)} data-testid="eval-agent">
                <option value="">the run’s tool format</option>
                {SWIFT_AGENT_TEMPLATE_IDS.filter((id) => swiftAgentTemplates[id]).map((id) => (
                  <option key={id} value={id}>
                    {id}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>At most (records)</span>
              <input
                type="number"
                min={1}
                value={limit}
                onChange={(e) => setLimit(Math.max(1, Math.round(Number(e.target.value) || 1)))}
                data-testid="eval-limit"
              />
            </label>
            <label className="field">
              <span>Max new tokens</span>
              <input
                type="number"
                min={1}
                max={2048}
                value={maxTokens}
                onChange={(e) => setMaxTokens(Math.max(1, Math.min(2048, Math.round(Number(e.target.value) || 1))))}
                data-testid="eval-max-tokens"
              />
            </label>
          </fieldset>
        )}
        <div className="controls">
          {!running && (
            <button type="button" className="primary" disabled={!run} onClick={start} data-testid="eval-start">
              Evaluate base vs tuned
            </button>
          )}
          {running && (
            <button type="button" onClick={ev.cancel} data-testid="eval-stop">
              Stop
            </button>
          )}
          {startError && (
            <span className="warn" role="alert">
              {startError}
            </span>
          )}
        </div>
        {running && (
          <div role="status" data-testid="eval-progress">
            <progress max={p?.total || 1} value={p?.loaded ?? 0} />
            <span className="small muted"> {p ? `${p.phase}${amount}` : 'starting…'}</span>
          </div>
        )}
        {ev.items && (
          <p className="small muted" data-testid="eval-source">
            {ev.items.total} record{ev.items.total === 1 ? '' : 's'} from {ev.items.source}
            {beyond}, template {ev.items.template}; tool calls{' '}
            {ev.items.parser
              ? `parsed with ms-swift’s ${ev.items.parser} parser`
              : 'not scored (no parser reads this tool format)'}
            .
          </p>
        )}
        {ev.state === 'error' && (
          <p className="warn" role="alert" data-testid="eval-error">
            {ev.error}
          </p>
        )}
      </section>

      {ev.summary && (
        <section className="card" aria-labelledby="evs-h" data-testid="eval-done" data-cancelled={ev.cancelled}>
          <h2 id="evs-h">Results{ev.cancelled ? ' (stopped early)' : ''}</h2>
          <SummaryTable base={ev.summary.base} tuned={ev.summary.tuned} />
          <p className="small muted">
            Greedy replies. Exact match and token F1 as SQuAD’s evaluation script computes them, ROUGE-L as
            rouge-score’s LCS F-measure (CJK characters count one token each), over the records whose reference is a
            text answer.
          </p>
        </section>
      )}
      {ev.items && ev.items.skipped.length > 0 && (
        <details className="card">
          <summary>
            {ev.items.skipped.length} record{ev.items.skipped.length === 1 ? '' : 's'} not evaluated
          </summary>
          <ul className="plain small" data-testid="eval-skipped">
            {ev.items.skipped.map((s) => (
              <li key={s.line}>
                line {s.line}: {s.why}
              </li>
            ))}
          </ul>
        </details>
      )}

      {ev.rows.length > 0 && (
        <section className="card" aria-labelledby="evc-h">
          <h2 id="evc-h">Replies ({ev.rows.length})</h2>
          <ol className="eval-cases" data-testid="eval-cases">
            {[...ev.rows]
              .sort((a, b) => a.line - b.line)
              .map((r) => (
                <Row key={r.line} row={r} />
              ))}
          </ol>
        </section>
      )}
    </div>
  );
}

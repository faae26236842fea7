// The dataset-wide comparison, one row per compared column, built-in or the model's own template.
// Text numbers (records rendered, refusals and their commonest reason, the doctor's findings,
// approximate spans, characters trained) come from rendering every record in a worker and need no
// tokenizer; token numbers (tokens per model, records over max_length, trained-token share) come
// from the tokenize worker pool once a built-in column has a tokenizer, or from the own column's
// render-stats worker when it has one. Every job re-runs, cancelling the last, when the dataset,
// the templates, the tokenizer or the options change.
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Conversation } from '../../data/index.ts';
import { getTemplate, type TemplateId } from '../../templates/index.ts';
import { tokenizeWithPool } from '../../tokenize/pool.ts';
import type { PipelineItem } from '../../tokenize/pipeline.ts';
import { addResult, StatsAccumulator } from '../../tokenize/stats.ts';
import type { DatasetStats } from '../../tokenize/types.ts';
import { runRenderStats } from '../../workers/render-stats-client.ts';
import { spawnBrowserWorker } from '../../workers/tokenize-spawn.ts';
import { renderOptions } from '../../templates/compare/render-column.ts';
import { topReason, type RenderStats } from '../../templates/compare/render-stats.ts';
import { useStudio, type OwnColumn } from './store.ts';
import { tokenizerFor } from './tokenizers.ts';

type TokenRow = { source: string; done: number; stats?: DatasetStats; error?: string };
type TextState = { done: number; stats?: Record<string, RenderStats>; error?: string };

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const DEBOUNCE_MS = 300;

function useTextStats(ids: TemplateId[], conversations: Conversation[], ready: boolean): TextState {
  const choices = useStudio((s) => s.choices);
  const [state, setState] = useState<TextState>({ done: 0 });
  const key = ids.join(',');
  useEffect(() => {
    if (!ready || conversations.length === 0) return;
    setState({ done: 0 });
    let cancel: (() => void) | null = null;
    const timer = setTimeout(() => {
      cancel = runRenderStats(
        { kind: 'builtin', templates: key.split(',') as TemplateId[], options: renderOptions(choices), conversations },
        {
          progress: (done) => setState({ done }),
          done: (m) => setState({ done: conversations.length, stats: m.stats }),
          error: (message) => setState({ done: 0, error: message }),
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      cancel?.();
    };
  }, [key, conversations, choices, ready]);
  return state;
}

function useTokenStats(ids: TemplateId[], conversations: Conversation[], lines: number[], ready: boolean) {
  const epoch = useStudio((s) => s.tokenizerEpoch);
  const choices = useStudio((s) => s.choices);
  const [rows, setRows] = useState<Partial<Record<TemplateId, TokenRow>>>({});
  const key = ids.join(',');
  useEffect(() => {
    if (!ready) return;
    const withTok = (key.split(',') as TemplateId[]).filter((id) => tokenizerFor(id));
    const ctrl = new AbortController();
    setRows(Object.fromEntries(withTok.map((id) => [id, { source: tokenizerFor(id)!.source, done: 0 }])));
    const update = (id: TemplateId, patch: Partial<TokenRow>) =>
      !ctrl.signal.aborted && setRows((rs) => ({ ...rs, [id]: { ...rs[id]!, ...patch } }));
    const timer = setTimeout(async () => {
      const items: PipelineItem[] = conversations.map((conversation, i) => ({ line: lines[i], conversation }));
      for (const id of withTok) {
        const t = tokenizerFor(id);
        if (!t || ctrl.signal.aborted) continue;
        const acc = new StatsAccumulator();
        try {
          let done = 0;
          for await (const res of tokenizeWithPool(items, {
            spawn: spawnBrowserWorker,
            files: t.files,
            config: {
              template: id,
              render: renderOptions(choices, getTemplate(id)),
              length: { max_length: choices.maxLength, truncation: 'delete' },
            },
            signal: ctrl.signal,
          })) {
            addResult(acc, res);
            if (++done % 256 === 0) update(id, { done });
          }
          update(id, { done, stats: acc.result() });
        } catch (e) {
          if (!ctrl.signal.aborted) update(id, { error: (e as Error).message });
        }
      }
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [key, epoch, choices, conversations, lines, ready]);
  return rows;
}

/** The key of the tokenizer an own column tokenizes with (the one its template came from, if so). */
function ownTokKey(c: OwnColumn): string {
  return c.source?.kind === 'tokenizer' && c.source.tokenizerKey ? c.source.tokenizerKey : c.key;
}

/** One own-template column: its text and (with a tokenizer) token numbers, from one worker. */
function useOwnStats(col: OwnColumn, conversations: Conversation[], lines: number[], ready: boolean) {
  const choices = useStudio((s) => s.choices);
  const epoch = useStudio((s) => s.tokenizerEpoch);
  const tokKey = ownTokKey(col);
  // Same object until that tokenizer is reloaded: loading one elsewhere does not restart this job.
  const tok = useMemo(() => tokenizerFor(tokKey), [tokKey, epoch]);
  const src = col.source;
  const [state, setState] = useState<{ done: number; stats?: RenderStats; tokens?: DatasetStats; error?: string }>({
    done: 0,
  });
  useEffect(() => {
    if (!ready || !src || conversations.length === 0) return;
    setState({ done: 0 });
    let cancel: (() => void) | null = null;
    const timer = setTimeout(() => {
      cancel = runRenderStats(
        {
          kind: 'own',
          source: src,
          choices,
          conversations,
          lines,
          tokenizer: tok
            ? { files: tok.files, length: { max_length: choices.maxLength, truncation: 'delete' } }
            : undefined,
        },
        {
          progress: (done) => setState({ done }),
          done: (m) => setState({ done: conversations.length, stats: m.stats.own, tokens: m.tokens }),
          error: (message) => setState({ done: 0, error: message }),
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      cancel?.();
    };
  }, [src, choices, conversations, lines, tok, ready]);
  return { ...state, tokSource: tok?.source };
}

function TextCells({ t, approx, pending }: { t: RenderStats | undefined; approx: boolean; pending: ReactNode }) {
  if (!t) {
    return (
      <td colSpan={6} className="muted">
        {pending}
      </td>
    );
  }
  const reason = topReason(t);
  const findings = Object.entries(t.warnings)
    .filter(([code]) => code !== 'template_refused')
    .sort((a, b) => b[1] - a[1])
    .map(([code, c]) => `${code} ×${c}`)
    .join(', ');
  return (
    <>
      <td data-col="records">{t.records - t.refused}</td>
      <td data-col="refused">{t.refused > 0 ? <b className="err-text">{t.refused}</b> : 0}</td>
      <td
        data-col="reason"
        className="small"
        title={reason?.[0]}
        style={{ maxWidth: '16em', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}
      >
        {reason ? `${reason[0]}${reason[1] < t.refused ? ` (×${reason[1]})` : ''}` : '—'}
      </td>
      <td data-col="warnings" className="small">
        {findings || '—'}
      </td>
      <td
        data-col="approx"
        title={
          approx
            ? 'records whose spans were located by matching: the template rewrites earlier turns'
            : 'built-in templates emit their spans exactly'
        }
      >
        {!approx ? '—' : t.approximate > 0 ? <b>{t.approximate}</b> : 0}
      </td>
      <td data-col="trained-chars">{pct(t.chars ? t.trainedChars / t.chars : 0)}</td>
    </>
  );
}

function TokenCells({
  source,
  error,
  stats,
  pending,
}: {
  source?: string;
  error?: string;
  stats?: DatasetStats;
  pending: ReactNode;
}) {
  if (!source) {
    return (
      <td colSpan={5} className="muted">
        no tokenizer
      </td>
    );
  }
  return (
    <>
      <td>{source}</td>
      {error ? (
        <td colSpan={4} className="err-text">
          {error}
        </td>
      ) : !stats ? (
        <td colSpan={4} className="muted">
          {pending}
        </td>
      ) : (
        <>
          <td data-col="tokens">{stats.totalTokens.toLocaleString()}</td>
          <td>
            {stats.meanTokens.toFixed(0)} / {stats.maxTokens}
          </td>
          <td data-col="over">{stats.overMaxLength > 0 ? <b className="err-text">{stats.overMaxLength}</b> : 0}</td>
          <td data-col="trained">{pct(stats.trainedShare)}</td>
        </>
      )}
    </>
  );
}

function OwnRow({
  col,
  column,
  conversations,
  lines,
  ready,
}: {
  col: OwnColumn;
  column: number;
  conversations: Conversation[];
  lines: number[];
  ready: boolean;
}) {
  const s = useOwnStats(col, conversations, lines, ready);
  const n = conversations.length;
  const src = col.source;
  const name = src ? `own: ${src.label}${src.templateName ? ` · ${src.templateName}` : ''}` : 'own: no template yet';
  return (
    <tr data-template="own" data-key={col.key} data-column={column}>
      <th scope="row" title="Model's own template">
        {name}
      </th>
      {!src ? (
        <td colSpan={11} className="muted">
          choose a template source in column {column + 1}
        </td>
      ) : (
        <>
          <TextCells
            t={s.stats}
            approx
            pending={s.error ? <span className="err-text">{s.error}</span> : `rendering… ${s.done} of ${n}`}
          />
          <TokenCells
            source={s.tokSource}
            error={s.error}
            stats={s.tokens}
            pending={`rendering and tokenizing… ${s.done} of ${n}`}
          />
        </>
      )}
    </tr>
  );
}

export function CompareTable() {
  const templates = useStudio((s) => s.templates);
  const ownColumns = useStudio((s) => s.ownColumns);
  const results = useStudio((s) => s.results);
  const loading = useStudio((s) => s.loading);
  const maxLength = useStudio((s) => s.choices.maxLength);
  const data = useMemo(() => {
    const conversations: Conversation[] = [];
    const lines: number[] = [];
    for (const r of results) {
      if (!r.conversation) continue;
      conversations.push(r.conversation);
      lines.push(r.line);
    }
    return { conversations, lines };
  }, [results]);
  const ids = [...new Set(templates)];
  const ready = !loading;
  const text = useTextStats(ids, data.conversations, ready);
  const tokens = useTokenStats(ids, data.conversations, data.lines, ready);
  const n = data.conversations.length;
  const anyTokens = ids.some((id) => tokens[id]) || ownColumns.some((c) => tokenizerFor(ownTokKey(c)));

  return (
    <section className="card" aria-labelledby="compare-h">
      <h2 id="compare-h">The whole dataset, per model</h2>
      <p className="muted small">
        All {n} valid records, with the options above.{' '}
        {!anyTokens &&
          'Load a tokenizer in a column to add tokens per model, records over max_length and the trained-token share.'}
        {ownColumns.length > 0 &&
          ' Approximate spans: records where a model’s own template rewrites earlier turns, so its trained ' +
            'text was located by matching.'}
        {text.error && <span className="err-text"> Rendering failed: {text.error}</span>}
      </p>
      <div style={{ overflowX: 'auto' }}>
        <table className="compare" data-testid="compare-table">
          <thead>
            <tr>
              <th scope="col">Template</th>
              <th scope="col">Rendered</th>
              <th scope="col">Refused</th>
              <th scope="col">Most common refusal</th>
              <th scope="col">Doctor findings</th>
              <th scope="col">Approximate spans</th>
              <th scope="col">Chars trained</th>
              <th scope="col">Tokenizer</th>
              <th scope="col">Tokens</th>
              <th scope="col">Mean / max</th>
              <th scope="col">Over max_length ({maxLength})</th>
              <th scope="col">Tokens trained</th>
            </tr>
          </thead>
          <tbody>
            {ids.map((id) => {
              const k = tokens[id];
              return (
                <tr key={id} data-template={id}>
                  <th scope="row">{id}</th>
                  <TextCells
                    t={text.stats?.[id]}
                    approx={false}
                    pending={text.error ? '—' : `rendering… ${text.done} of ${n}`}
                  />
                  <TokenCells
                    source={k?.source}
                    error={k?.error}
                    stats={k?.stats}
                    pending={`tokenizing… ${k?.done ?? 0} of ${n}`}
                  />
                </tr>
              );
            })}
            {ownColumns.map((c, i) => (
              <OwnRow
                key={c.key}
                col={c}
                column={templates.length + i}
                conversations={data.conversations}
                lines={data.lines}
                ready={ready}
              />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

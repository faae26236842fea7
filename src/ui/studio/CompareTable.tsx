// The dataset-wide comparison, one row per compared template. Text numbers (refusals, the
// doctor's findings, characters trained) come from rendering every record in a worker and need no
// tokenizer; token numbers (tokens per model, records over max_length, trained-token share) come
// from the tokenize worker pool once a column has a tokenizer. Both re-run, cancelling the last
// run, when the dataset, the templates or the options change.
import { useEffect, useMemo, useState } from 'react';
import type { Conversation } from '../../data/index.ts';
import type { TemplateId } from '../../templates/index.ts';
import { tokenizeWithPool } from '../../tokenize/pool.ts';
import type { PipelineItem } from '../../tokenize/pipeline.ts';
import { addResult, StatsAccumulator } from '../../tokenize/stats.ts';
import type { DatasetStats } from '../../tokenize/types.ts';
import { spawnBrowserWorker } from '../../workers/tokenize-spawn.ts';
import { renderOptions } from './render-column.ts';
import type { RenderStats, RenderStatsFromWorker, RenderStatsToWorker } from './render-stats.ts';
import { useStudio } from './store.ts';
import { tokenizerFor } from './tokenizers.ts';

type TokenRow = { source: string; done: number; stats?: DatasetStats; error?: string };

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const DEBOUNCE_MS = 300;

function useTextStats(ids: TemplateId[], conversations: Conversation[], ready: boolean) {
  const choices = useStudio((s) => s.choices);
  const [state, setState] = useState<{ done: number; stats?: Record<string, RenderStats>; error?: string }>({ done: 0 });
  const key = ids.join(',');
  useEffect(() => {
    if (!ready || conversations.length === 0) return;
    setState({ done: 0 });
    let worker: Worker | null = null;
    const timer = setTimeout(() => {
      worker = new Worker(new URL('../../workers/render-stats.worker.ts', import.meta.url), { type: 'module', name: 'render-stats' });
      worker.onmessage = (ev: MessageEvent<RenderStatsFromWorker>) => {
        const m = ev.data;
        if (m.type === 'progress') setState({ done: m.done });
        else {
          setState(m.type === 'done' ? { done: conversations.length, stats: m.stats } : { done: 0, error: m.message });
          worker?.terminate();
        }
      };
      worker.onerror = (e) => setState({ done: 0, error: e.message });
      worker.postMessage({ templates: key.split(',') as TemplateId[], options: renderOptions(choices), conversations } satisfies RenderStatsToWorker);
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      worker?.terminate();
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
            config: { template: id, render: renderOptions(choices), length: { max_length: choices.maxLength, truncation: 'delete' } },
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

export function CompareTable() {
  const templates = useStudio((s) => s.templates);
  const results = useStudio((s) => s.results);
  const loading = useStudio((s) => s.loading);
  const maxLength = useStudio((s) => s.choices.maxLength);
  const ownCount = useStudio((s) => s.ownColumns.length);
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
  const anyTokens = ids.some((id) => tokens[id]);

  return (
    <section className="card" aria-labelledby="compare-h">
      <h2 id="compare-h">The whole dataset, per model</h2>
      <p className="muted small">
        All {n} valid records, with the options above.{' '}
        {!anyTokens && 'Load a tokenizer in a column to add tokens per model, records over max_length and the trained-token share.'}
        {ownCount > 0 && " Model's own template columns are compared per record above, not in this table."}
        {text.error && <span className="err-text"> Rendering failed: {text.error}</span>}
      </p>
      <table className="compare" data-testid="compare-table">
        <thead>
          <tr>
            <th scope="col">Template</th>
            <th scope="col">Refused</th>
            <th scope="col">Doctor findings</th>
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
            const t = text.stats?.[id];
            const k = tokens[id];
            return (
              <tr key={id} data-template={id}>
                <th scope="row">{id}</th>
                {t ? (
                  <>
                    <td data-col="refused">{t.refused > 0 ? <b className="err-text">{t.refused}</b> : 0}</td>
                    <td data-col="warnings" className="small">
                      {Object.keys(t.warnings).length === 0
                        ? '—'
                        : Object.entries(t.warnings)
                            .filter(([code]) => code !== 'template_refused')
                            .sort((a, b) => b[1] - a[1])
                            .map(([code, c]) => `${code} ×${c}`)
                            .join(', ') || '—'}
                    </td>
                    <td data-col="trained-chars">{pct(t.chars ? t.trainedChars / t.chars : 0)}</td>
                  </>
                ) : (
                  <td colSpan={3} className="muted">
                    {text.error ? '—' : `rendering… ${text.done} of ${n}`}
                  </td>
                )}
                {!k ? (
                  <td colSpan={5} className="muted">
                    no tokenizer
                  </td>
                ) : (
                  <>
                    <td>{k.source}</td>
                    {k.error ? (
                      <td colSpan={4} className="err-text">
                        {k.error}
                      </td>
                    ) : !k.stats ? (
                      <td colSpan={4} className="muted">
                        tokenizing… {k.done} of {n}
                      </td>
                    ) : (
                      <>
                        <td data-col="tokens">{k.stats.totalTokens.toLocaleString()}</td>
                        <td>
                          {k.stats.meanTokens.toFixed(0)} / {k.stats.maxTokens}
                        </td>
                        <td data-col="over">{k.stats.overMaxLength > 0 ? <b className="err-text">{k.stats.overMaxLength}</b> : 0}</td>
                        <td data-col="trained">{pct(k.stats.trainedShare)}</td>
                      </>
                    )}
                  </>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

// Before training: the token-length distribution of the dataset for the chosen model and
// template, the max_length line on it, and every record that would be dropped, cut or refused —
// its line (a link to it on the Dataset page), its tokens and why. Nothing is dropped unnamed.
import { useMemo, useState } from 'react';
import {
  coveringLength,
  lengthHistogram,
  lengthReport,
  type Flagged,
  type LengthHistogram,
} from '../../tokenize/length-report.ts';
import { PRESET_COVERAGE, useLengths } from './lengths.ts';
import { useTrain } from './store.ts';

const PAGE = 100;

const ACTION: Record<Flagged['action'], string> = {
  invalid: 'invalid',
  refused: 'refused',
  dropped: 'dropped',
  truncated_left: 'cut (left)',
  truncated_right: 'cut (right)',
  nothing_trained: 'nothing trained',
};

function Histogram({ h, maxLength }: { h: LengthHistogram; maxLength: number | null }) {
  const W = 560;
  const H = 90;
  const top = h.edges.at(-1)!;
  const peak = Math.max(1, ...h.counts);
  const bw = W / h.counts.length;
  const x = (t: number) => (t / top) * W;
  return (
    <svg
      className="length-hist"
      viewBox={`0 0 ${W} ${H + 16}`}
      role="img"
      data-testid="length-histogram"
      aria-label={`Records by token length, 0 to ${top} tokens${maxLength ? `; max_length ${maxLength}` : ''}`}
    >
      {h.counts.map((c, i) => (
        <rect
          key={i}
          x={i * bw + 1}
          width={Math.max(1, bw - 2)}
          y={H - (c / peak) * H}
          height={(c / peak) * H}
          className={maxLength !== null && h.edges[i + 1] > maxLength ? 'over' : 'in'}
        >
          <title>{`${h.edges[i]}–${h.edges[i + 1]} tokens: ${c} record${c === 1 ? '' : 's'}`}</title>
        </rect>
      ))}
      {maxLength !== null && maxLength <= top && (
        <g className="max-line">
          <line x1={x(maxLength)} x2={x(maxLength)} y1={0} y2={H} />
          <text x={Math.min(x(maxLength) + 4, W - 110)} y={10}>
            max_length {maxLength}
          </text>
        </g>
      )}
      <text className="tick" x={0} y={H + 13}>
        0
      </text>
      <text className="tick" x={W} y={H + 13} textAnchor="end">
        {top} tokens
      </text>
    </svg>
  );
}

export function LengthPanel({ cap, disabled }: { cap: number | null; disabled: boolean }) {
  const { state, facts, progress, error } = useLengths();
  const { config, setConfig } = useTrain();
  const [shown, setShown] = useState(PAGE);
  const report = useMemo(
    () => facts && lengthReport(facts, { max_length: config.max_length, truncation: config.truncation_strategy }),
    [facts, config.max_length, config.truncation_strategy],
  );
  const hist = useMemo(
    () =>
      facts &&
      lengthHistogram(
        facts.lengths.map((l) => l.tokens),
        config.max_length ?? 0,
      ),
    [facts, config.max_length],
  );
  const all = useMemo(
    () =>
      facts &&
      cap !== null &&
      coveringLength(
        facts.lengths.map((l) => l.tokens),
        { coverage: 1, cap },
      ),
    [facts, cap],
  );
  const counts =
    report && `${report.records} record${report.records === 1 ? '' : 's'} · longest ${report.maxTokens} tokens`;

  return (
    <section className="card lengths" aria-labelledby="len-h" data-testid="lengths" data-state={state}>
      <h2 id="len-h">4. Token lengths</h2>
      {state === 'idle' && (
        <p className="muted">Load a dataset to see its token lengths with this model’s tokenizer.</p>
      )}
      {state === 'measuring' && (
        <p className="muted" role="status">
          Measuring every record with {config.model_id}’s tokenizer and template {config.template}
          {progress ? ` · ${progress.phase}${progress.total ? ` ${progress.done} / ${progress.total}` : ''}` : '…'}
        </p>
      )}
      {state === 'error' && (
        <p className="warn" role="alert">
          The lengths could not be measured: {error}
        </p>
      )}
      {report && hist && facts && (
        <>
          <p data-testid="length-summary">
            {counts} · at max_length <strong>{config.max_length ?? 'none'}</strong>:{' '}
            <strong data-testid="length-whole">{report.whole}</strong> train whole
            {report.dropped > 0 && (
              <>
                ,{' '}
                <strong className="warn" data-testid="length-dropped">
                  {report.dropped} dropped
                </strong>
              </>
            )}
            {report.truncated > 0 && (
              <>
                ,{' '}
                <strong className="warn" data-testid="length-truncated">
                  {report.truncated} cut
                </strong>
              </>
            )}
            {report.refused > 0 && (
              <>
                , <strong className="warn">{report.refused} refused by the template</strong>
              </>
            )}
            {report.invalid > 0 && (
              <>
                , <strong className="warn">{report.invalid} invalid</strong>
              </>
            )}
            {report.nothingTrained > 0 && (
              <>
                , <span className="warn">{report.nothingTrained} with nothing to learn</span>
              </>
            )}
            .
          </p>
          <Histogram h={hist} maxLength={config.max_length} />
          {all && (report.dropped > 0 || report.truncated > 0) && all.maxLength !== config.max_length && (
            <p>
              <button
                type="button"
                disabled={disabled}
                data-testid="keep-all"
                onClick={() => setConfig({ ...config, max_length: all.maxLength })}
              >
                Use max_length {all.maxLength}
              </button>{' '}
              <span className="muted small">
                keeps {Math.round(all.covered * 100)}% of the records whole
                {all.covered < 1 ? ' (the longest do not fit this GPU’s memory plan)' : ''}.
              </span>
            </p>
          )}
          <p className="muted small">
            Presets pick the shortest max_length (a multiple of 64) that keeps {PRESET_COVERAGE * 100}% of the records
            whole
            {cap !== null ? `, up to ${cap} (what this model and GPU plan allow)` : ''}.
          </p>
          {report.flagged.length > 0 && (
            <table className="flagged" data-testid="flagged">
              <caption className="sr-only">Records that do not train whole</caption>
              <thead>
                <tr>
                  <th scope="col">Line</th>
                  <th scope="col" className="num">
                    Tokens
                  </th>
                  <th scope="col">What happens</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {report.flagged.slice(0, shown).map((f) => (
                  <tr key={f.line} data-line={f.line} data-action={f.action}>
                    <td>
                      <a href={`#/dataset?line=${f.line}`} title="Show this record">
                        line {f.line}
                      </a>
                    </td>
                    <td className="num">{f.tokens ?? '—'}</td>
                    <td>{ACTION[f.action]}</td>
                    <td className="small">{f.why}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {report.flagged.length > shown && (
            <button type="button" onClick={() => setShown(shown + PAGE)}>
              Show {Math.min(PAGE, report.flagged.length - shown)} more of {report.flagged.length - shown}
            </button>
          )}
        </>
      )}
    </section>
  );
}

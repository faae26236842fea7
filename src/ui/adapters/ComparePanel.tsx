// Compare runs: the loss and eval-loss curves of any runs kept in this browser on one uPlot chart,
// and each run's settings against the first selected run's (only the fields that differ, named
// as in TrainConfig).
import { useMemo, useState } from 'react';
import type { RunRecord } from '../../adapters/types.ts';
import { configDiff, type ConfigValue } from '../../train/config-diff.ts';
import { alignSeries, type XYSeries } from '../charts/align.ts';
import { UPlotChart, type LineSeries } from '../charts/UPlotChart.tsx';
import './compare.css';

/** Distinct line colors for runs (the first is the studio's accent). */
const PALETTE = ['var(--accent)', 'var(--eval)', 'var(--gn)', 'var(--lr)', '#c2185b', '#7c8a00', '#5d4037', '#00897b'];

function show(v: ConfigValue | undefined): string {
  if (v === undefined) return '(not set)';
  if (v === null) return 'auto';
  return String(v);
}

function curve(run: RunRecord, key: 'loss' | 'eval_loss'): XYSeries {
  const pts = run.loss_curve.filter((p) => p[key] !== undefined && Number.isFinite(p[key] as number));
  return { x: pts.map((p) => p.step), y: pts.map((p) => p[key] as number) };
}

export function ComparePanel({ runs }: { runs: readonly RunRecord[] }) {
  // In the order the user ticked them: the first is the one the others are compared against.
  const [picked, setPicked] = useState<string[]>([]);
  const selected = picked.map((id) => runs.find((r) => r.id === id)).filter((r): r is RunRecord => !!r);
  const { data, series } = useMemo(() => {
    const xy: XYSeries[] = [];
    const ls: LineSeries[] = [];
    selected.forEach((r, i) => {
      const color = PALETTE[i % PALETTE.length];
      xy.push(curve(r, 'loss'));
      ls.push({ label: `${r.name} · loss`, color });
      if (r.loss_curve.some((p) => p.eval_loss !== undefined)) {
        xy.push(curve(r, 'eval_loss'));
        ls.push({ label: `${r.name} · eval`, color, dash: [5, 3], points: true, spanGaps: true });
      }
    });
    return { data: alignSeries(xy), series: ls };
  }, [picked, runs]);

  if (runs.length < 2) return null;
  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]));
  const base = selected[0];
  return (
    <section className="card compare" aria-labelledby="compare-h" data-testid="compare">
      <details open={selected.length > 0}>
        <summary>
          <h2 id="compare-h">Compare runs</h2>{' '}
          <span className="muted small">loss curves and settings side by side</span>
        </summary>
        <fieldset className="compare-pick">
          <legend className="small muted">
            Tick runs to compare; the first ticked is the reference for the settings.
          </legend>
          {runs.map((r) => (
            <label key={r.id} className="compare-run">
              <input
                type="checkbox"
                checked={picked.includes(r.id)}
                onChange={() => toggle(r.id)}
                data-testid="compare-pick"
                data-run-id={r.id}
              />
              <span>{r.name}</span>
              {picked.indexOf(r.id) === 0 && <span className="status-pill">reference</span>}
              {r.loss_curve.length === 0 && <small className="muted"> (no loss curve)</small>}
            </label>
          ))}
        </fieldset>
        {selected.length > 0 && (
          <>
            {data[0].length > 0 ? (
              <UPlotChart
                data={data}
                series={series}
                height={260}
                title="Loss by step, selected runs"
                testid="compare-chart"
              />
            ) : (
              <p className="muted empty-chart">None of the selected runs has a loss curve.</p>
            )}
            <p className="muted chart-hint">
              Drag across the chart to zoom, double-click to reset; the legend shows the values under the cursor.
            </p>
            <div className="compare-diffs" data-testid="compare-diffs">
              {selected.slice(1).map((r) => {
                const diff = configDiff(base.hyperparameters, r.hyperparameters);
                // Not a TrainConfig field, but what most often tells two runs apart.
                const sameData = (base.dataset?.sha256 ?? null) === (r.dataset?.sha256 ?? null);
                return (
                  <div key={r.id} className="compare-diff" data-testid="compare-diff" data-run-id={r.id}>
                    <h3 className="small">
                      {r.name} <span className="muted">vs {base.name}</span>
                    </h3>
                    {!sameData && (
                      <p className="small" data-testid="compare-dataset">
                        Other data: {base.dataset?.name ?? 'none recorded'} vs {r.dataset?.name ?? 'none recorded'}
                      </p>
                    )}
                    {diff.length === 0 ? (
                      <p className="muted small">The same settings.</p>
                    ) : (
                      <table className="small">
                        <thead>
                          <tr>
                            <th>field</th>
                            <th>{base.name}</th>
                            <th>{r.name}</th>
                          </tr>
                        </thead>
                        <tbody>
                          {diff.map((d) => (
                            <tr key={d.field} data-field={d.field}>
                              <td>
                                <code>{d.field}</code>
                              </td>
                              <td>{show(d.base)}</td>
                              <td>{show(d.other)}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    )}
                  </div>
                );
              })}
              {selected.length === 1 && (
                <p className="muted small">Tick a second run to see how its settings differ.</p>
              )}
            </div>
          </>
        )}
      </details>
    </section>
  );
}

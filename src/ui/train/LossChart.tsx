// Live loss chart (uPlot, src/ui/charts): training and eval loss on top, learning rate and grad
// norm below, cursors in step. data-* attributes carry the first and last loss so tests read
// numbers, not pixels.
import { useId, useMemo } from 'react';
import type { LossPoint } from '../../adapters/types.ts';
import { alignSeries } from '../charts/align.ts';
import { UPlotChart } from '../charts/UPlotChart.tsx';

function mean(xs: number[]): number | undefined {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined;
}

function column(points: readonly LossPoint[], key: keyof LossPoint) {
  const has = points.filter((p) => p[key] !== undefined && Number.isFinite(p[key] as number));
  return { x: has.map((p) => p.step), y: has.map((p) => p[key] as number) };
}

/** `compact`: the loss alone, for a list of runs. */
export function LossChart({ points, compact = false }: { points: readonly LossPoint[]; compact?: boolean }) {
  const sync = useId();
  const losses = points.filter((p) => Number.isFinite(p.loss));
  const first = losses[0]?.loss;
  const last = losses.at(-1)?.loss;
  const hasEval = points.some((p) => p.eval_loss !== undefined);
  // Means of the first and last few points: single steps are noisy at batch 1.
  const k = Math.min(5, Math.floor(losses.length / 2));
  const head = mean(losses.slice(0, k).map((p) => p.loss));
  const tail = mean(losses.slice(losses.length - k).map((p) => p.loss));
  const lossData = useMemo(
    () => alignSeries(hasEval ? [column(points, 'loss'), column(points, 'eval_loss')] : [column(points, 'loss')]),
    [points, hasEval],
  );
  const lrData = useMemo(() => alignSeries([column(points, 'learning_rate')]), [points]);
  const gnData = useMemo(() => alignSeries([column(points, 'grad_norm')]), [points]);
  return (
    <figure
      className="loss-chart"
      data-testid="loss-chart"
      data-points={losses.length}
      data-first-loss={first ?? ''}
      data-last-loss={last ?? ''}
      data-head-mean={head ?? ''}
      data-tail-mean={tail ?? ''}
    >
      <figcaption>
        {first !== undefined && last !== undefined && (
          <span className="muted">
            Loss {first.toFixed(3)} → {last.toFixed(3)}
          </span>
        )}
        {points.length > 0 && <span className="muted chart-hint"> · drag to zoom, double-click to reset</span>}
      </figcaption>
      {points.length === 0 ? (
        <p className="muted empty-chart">The loss appears here after the first step.</p>
      ) : (
        <>
          <UPlotChart
            data={lossData}
            height={compact ? 170 : 220}
            title="Loss by step"
            syncKey={sync}
            testid="loss-plot"
            series={[
              { label: 'training loss', color: 'var(--accent)' },
              ...(hasEval
                ? [{ label: 'eval loss', color: 'var(--eval)', dash: [5, 3], points: true, spanGaps: true }]
                : []),
            ]}
          />
          {!compact && (
            <div className="chart-row">
              <UPlotChart
                data={lrData}
                height={120}
                title="Learning rate by step"
                syncKey={sync}
                testid="lr-plot"
                series={[{ label: 'learning rate', color: 'var(--lr)' }]}
              />
              <UPlotChart
                data={gnData}
                height={120}
                title="Gradient norm by step"
                syncKey={sync}
                testid="gn-plot"
                series={[{ label: 'grad norm', color: 'var(--gn)' }]}
              />
            </div>
          )}
        </>
      )}
    </figure>
  );
}

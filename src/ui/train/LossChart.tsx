// Live loss chart (SVG): training and eval loss on top, learning rate and grad norm below.
// data-* attributes carry the first and last loss so tests read numbers, not pixels.
import type { LossPoint } from '../../adapters/types.ts';
import { extent, fmtTick, linePath, niceTicks, scale, type Range } from './chart-scale.ts';

const PAD = { l: 48, r: 12, t: 10, b: 22 };

function mean(xs: number[]): number | undefined {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined;
}

function Panel({ points, series, height, title, width = 640 }: {
  points: readonly LossPoint[];
  series: { key: keyof LossPoint; label: string; cls: string; dots?: boolean }[];
  height: number;
  title: string;
  width?: number;
}) {
  const W = width;
  const steps = extent(points.map((p) => p.step)) ?? { min: 0, max: 1 };
  const values = series.flatMap((s) => points.map((p) => p[s.key] as number | undefined).filter((v): v is number => v !== undefined));
  const yr: Range = extent(values) ?? { min: 0, max: 1 };
  const x = scale(steps, PAD.l, W - PAD.r);
  const y = scale(yr, height - PAD.b, PAD.t);
  return (
    <svg viewBox={`0 0 ${W} ${height}`} className="chart" role="img" aria-label={title}>
      <title>{title}</title>
      {niceTicks(yr, 4).map((t) => (
        <g key={`y${t}`}>
          <line className="grid" x1={PAD.l} x2={W - PAD.r} y1={y(t)} y2={y(t)} />
          <text className="tick" x={PAD.l - 6} y={y(t) + 4} textAnchor="end">{fmtTick(t)}</text>
        </g>
      ))}
      {niceTicks(steps, 6).filter((t) => Number.isInteger(t)).map((t) => (
        <text key={`x${t}`} className="tick" x={x(t)} y={height - 6} textAnchor="middle">{t}</text>
      ))}
      {series.map((s) => {
        const pts = points.filter((p) => p[s.key] !== undefined).map((p) => [x(p.step), y(p[s.key] as number)] as [number, number]);
        return (
          <g key={String(s.key)} className={s.cls}>
            <path d={linePath(pts)} fill="none" />
            {(s.dots || pts.length === 1) && pts.map(([px, py], i) => <circle key={i} cx={px} cy={py} r={3} />)}
          </g>
        );
      })}
    </svg>
  );
}

/** `compact`: the loss alone, for a list of runs. */
export function LossChart({ points, compact = false }: { points: readonly LossPoint[]; compact?: boolean }) {
  const losses = points.filter((p) => Number.isFinite(p.loss));
  const first = losses[0]?.loss;
  const last = losses.at(-1)?.loss;
  const hasEval = points.some((p) => p.eval_loss !== undefined);
  // Means of the first and last few points: single steps are noisy at batch 1.
  const k = Math.min(5, Math.floor(losses.length / 2));
  const head = mean(losses.slice(0, k).map((p) => p.loss));
  const tail = mean(losses.slice(losses.length - k).map((p) => p.loss));
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
        <span className="legend train">training loss</span>
        {hasEval && <span className="legend eval">eval loss</span>}
        {first !== undefined && last !== undefined && (
          <span className="muted"> · {first.toFixed(3)} → {last.toFixed(3)}</span>
        )}
      </figcaption>
      {points.length === 0 ? (
        <p className="muted empty-chart">The loss appears here after the first step.</p>
      ) : (
        <>
          <Panel
            points={points}
            width={compact ? 380 : 640}
            height={compact ? 170 : 220}
            title="Loss by step"
            series={[{ key: 'loss', label: 'training loss', cls: 's-train' }, { key: 'eval_loss', label: 'eval loss', cls: 's-eval', dots: true }]}
          />
          {!compact && <div className="chart-row">
            <div>
              <span className="legend lr">learning rate</span>
              <Panel points={points} width={320} height={110} title="Learning rate by step" series={[{ key: 'learning_rate', label: 'learning rate', cls: 's-lr' }]} />
            </div>
            <div>
              <span className="legend gn">grad norm</span>
              <Panel points={points} width={320} height={110} title="Gradient norm by step" series={[{ key: 'grad_norm', label: 'grad norm', cls: 's-gn' }]} />
            </div>
          </div>}
        </>
      )}
    </figure>
  );
}

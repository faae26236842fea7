// One uPlot line chart in React (uPlot 1.6, leeoniya/uPlot): ticks placed by uPlot and written by
// ticks.ts, hover values in its live legend, drag to zoom on x (double-click resets), thousands of
// points drawn on a canvas. The chart is made once per mount (and again on a theme change);
// new points go in with setData, which keeps a zoom the user chose.
// The rendered tick labels of each axis are mirrored in data-ticks-* attributes, so tests can
// check them without reading pixels.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useApp } from '../store.ts';
import { readout, tickLabels } from './ticks.ts';
import './charts.css';

export interface LineSeries {
  label: string;
  /** A CSS color or `var(--name)`, read from the page when the chart is drawn. */
  color: string;
  dash?: number[];
  /** Draw each point (sparse series such as eval loss). */
  points?: boolean;
  /** Join points across missing values (null) instead of breaking the line. */
  spanGaps?: boolean;
}

export interface UPlotChartProps {
  /** [x, y1, y2, …] as alignSeries gives it. */
  data: [number[], ...(number | null)[][]];
  series: readonly LineSeries[];
  height: number;
  /** Names the chart for screen readers and tests. */
  title: string;
  xLabel?: string;
  /** Charts with the same key move their cursors together (loss, learning rate and grad norm of one run). */
  syncKey?: string;
  testid?: string;
}

/** `var(--x)` → its value on `el` (canvas strokes need real colors). */
function cssColor(el: Element, color: string): string {
  const m = /^var\((--[\w-]+)\)$/.exec(color);
  return m ? getComputedStyle(el).getPropertyValue(m[1]).trim() || '#888' : color;
}

/** Width of the widest label, in px at the axis font, plus the tick and gap. */
function axisSize(self: uPlot, values: string[] | null): number {
  if (!values?.length) return 40;
  const ctx = self.ctx;
  ctx.save();
  ctx.font = '12px system-ui, sans-serif';
  const w = Math.max(...values.map((v) => ctx.measureText(v ?? '').width));
  ctx.restore();
  return Math.ceil(w) + 16;
}

export function UPlotChart({ data, series, height, title, xLabel = 'step', syncKey, testid }: UPlotChartProps) {
  const wrap = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const zoomed = useRef(false);
  const theme = useApp((s) => s.theme);
  const latest = useRef(data);
  latest.current = data;
  const shape = series
    .map((s) => `${s.label}|${s.color}|${s.points ?? ''}|${s.spanGaps ?? ''}|${s.dash?.join(',') ?? ''}`)
    .join(';');

  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const fg = cssColor(el, 'var(--muted)');
    const grid = cssColor(el, 'var(--line)');
    // The tick labels drawn last, per axis, for data-ticks-x / data-ticks-y.
    const drawn: string[][] = [[], []];
    const values = (axis: number) => (_: uPlot, splits: number[], _i: number, _space: number, incr: number) => {
      drawn[axis] = tickLabels(splits, incr);
      return drawn[axis];
    };
    const axis = (i: number): uPlot.Axis => ({
      stroke: fg,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1, size: 4 },
      font: '12px system-ui, sans-serif',
      labelFont: '12px system-ui, sans-serif',
      values: values(i),
      // y: ticks at least 24 px apart, so a short chart still shows a few; x: a compact band with its label.
      ...(i === 1 ? { size: axisSize, space: 24 } : { label: xLabel, labelSize: 16, size: 30 }),
    });
    const opts: uPlot.Options = {
      title: undefined,
      width: Math.max(200, el.clientWidth),
      height,
      scales: { x: { time: false } },
      // Steps are whole numbers: ticks at integer increments only.
      axes: [
        {
          ...axis(0),
          incrs: [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000, 50_000, 100_000],
        },
        axis(1),
      ],
      cursor: { drag: { x: true, y: false, setScale: true }, ...(syncKey ? { sync: { key: syncKey } } : {}) },
      legend: { live: true },
      series: [
        { label: xLabel, value: (_u, v) => (v === null ? '—' : String(v)) },
        ...series.map((s): uPlot.Series => ({
          label: s.label,
          stroke: cssColor(el, s.color),
          width: 2,
          dash: s.dash,
          spanGaps: s.spanGaps ?? false,
          points: { show: s.points ? true : undefined, size: s.points ? 6 : 5 },
          value: (_u, v) => readout(v),
        })),
      ],
      hooks: {
        setSelect: [
          () => {
            zoomed.current = true;
          },
        ],
        draw: [
          () => {
            el.dataset.ticksX = JSON.stringify(drawn[0]);
            el.dataset.ticksY = JSON.stringify(drawn[1]);
          },
        ],
      },
    };
    const u = new uPlot(opts, latest.current as uPlot.AlignedData, el);
    plot.current = u;
    // Double-click resets uPlot's zoom: live points then move the range again.
    const onDbl = () => {
      zoomed.current = false;
    };
    u.over.addEventListener('dblclick', onDbl);
    const ro = new ResizeObserver(() => {
      const w = Math.max(200, el.clientWidth);
      if (w !== u.width) u.setSize({ width: w, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.over.removeEventListener('dblclick', onDbl);
      u.destroy();
      plot.current = null;
    };
  }, [height, shape, theme, syncKey, xLabel]);

  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData, !zoomed.current);
  }, [data]);

  return (
    <div
      ref={wrap}
      className="uplot-chart"
      role="figure"
      aria-label={`${title} (drag to zoom, double-click to reset)`}
      data-testid={testid}
    />
  );
}

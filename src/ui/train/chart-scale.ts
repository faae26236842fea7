// Axis math for the loss chart: a padded range, "nice" tick values and an SVG path.

export interface Range {
  min: number;
  max: number;
}

export function extent(values: readonly number[]): Range | null {
  const v = values.filter(Number.isFinite);
  if (!v.length) return null;
  let min = Math.min(...v);
  let max = Math.max(...v);
  if (min === max) {
    const pad = Math.abs(min) * 0.1 || 1;
    min -= pad;
    max += pad;
  }
  return { min, max };
}

/** About `count` round tick values (1, 2, 5 × 10^k steps) covering the range. */
export function niceTicks(r: Range, count = 4): number[] {
  const span = r.max - r.min;
  if (!(span > 0)) return [r.min];
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  // The round step nearest to raw (in ratio), so the count stays close to what was asked.
  const step = [1, 2, 5, 10].map((m) => m * mag).reduce((a, b) => (Math.abs(Math.log(b / raw)) < Math.abs(Math.log(a / raw)) ? b : a));
  const out: number[] = [];
  for (let t = Math.ceil(r.min / step) * step; t <= r.max + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

export function scale(r: Range, from: number, to: number): (x: number) => number {
  const k = (to - from) / (r.max - r.min || 1);
  return (x) => from + (x - r.min) * k;
}

/** "M x y L x y …" over the finite points; gaps (NaN) start a new segment. */
export function linePath(points: readonly [number, number][]): string {
  let d = '';
  let pen = false;
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${x.toFixed(1)} ${y.toFixed(1)} `;
    pen = true;
  }
  return d.trim();
}

export function fmtTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000 || a < 0.01) return v.toExponential(0);
  return String(Number(v.toPrecision(3)));
}

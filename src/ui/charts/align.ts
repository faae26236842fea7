// Series of different runs share one x axis in uPlot (its AlignedData: one x array, one y array
// per series, null where a series has no point). Runs log different steps: eval every 10, a
// run stopped at 30 beside one of 120, so their steps are merged and the gaps left null.

export interface XYSeries {
  x: readonly number[];
  y: readonly (number | null | undefined)[];
}

/** [xs, ys1, ys2, …]: the sorted union of every series' x, each y at its own x and null elsewhere. */
export function alignSeries(series: readonly XYSeries[]): [number[], ...(number | null)[][]] {
  const xs = [...new Set(series.flatMap((s) => s.x.filter(Number.isFinite)))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const out: (number | null)[] = new Array(xs.length).fill(null);
    s.x.forEach((x, i) => {
      const y = s.y[i];
      const j = at.get(x);
      if (j !== undefined && y !== undefined && y !== null && Number.isFinite(y)) out[j] = y;
    });
    return out;
  });
  return [xs, ...ys];
}

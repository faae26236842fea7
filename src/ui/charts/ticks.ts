// Axis labels for the charts: the fewest digits that tell every tick apart, so an axis never
// reads "11.9, 11.9, 11.8" (issue 17). uPlot places the ticks (multiples of its increment);
// this only decides how each one is written.

/** Decimals that write `incr` exactly (0.05 → 2, 0.2 → 1, 5 → 0); float noise such as 0.30000000000000004 ignored. */
export function decimalsOf(incr: number): number {
  if (!Number.isFinite(incr) || incr <= 0) return 0;
  for (let d = 0; d <= 12; d++) {
    const scaled = incr * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, scaled)) return d;
  }
  return 12;
}

function allDistinct(labels: readonly string[]): boolean {
  return new Set(labels).size === labels.length;
}

/**
 * Labels for tick values spaced `incr` apart (uPlot's axis `values` callback). Fixed-point with the
 * increment's decimals; exponent form when every value is below 0.01 or at least 1e5 in size
 * (learning rates, token counts). Digits are added until no two labels read the same.
 */
export function tickLabels(values: readonly number[], incr: number): string[] {
  const finite = values.filter(Number.isFinite);
  const big = finite.filter((v) => v !== 0).map(Math.abs);
  const exp = big.length > 0 && big.every((a) => a < 0.01 || a >= 1e5);
  const write = (d: number) =>
    values.map((v) => (!Number.isFinite(v) ? '' : v === 0 ? '0' : exp ? v.toExponential(d) : v.toFixed(d)));
  // Exponent form: as many significant digits after the first as the increment needs relative to the values.
  let d = exp ? 0 : decimalsOf(incr);
  for (let labels = write(d); ; labels = write(++d)) {
    if (allDistinct(labels.filter((l) => l !== '')) || d >= 15) return exp ? labels.map(trimExponent) : labels;
  }
}

/** "1.0e-4" → "1.0e-4"; "2e-5" stays; JavaScript's "1e+5" → "1e5". */
function trimExponent(s: string): string {
  return s.replace('e+', 'e');
}

/** A number for a hover readout: 4 significant digits, exponent form for the very small or large. */
export function readout(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return trimExponent(v.toExponential(3));
  return String(Number(v.toPrecision(4)));
}

// A Python float with an integral value (`1.0`), as `pyItems` hands out a dict's values: JavaScript's
// number 1 cannot say it was written `1.0`, and a port that prints a value on its own (`str(v)`,
// `json.dumps(v)`) no longer sees the dict that knew (src/data/py-json.ts). pyStr, pyRepr and
// pyJsonDumps print it as Python does; isPyDict and pyTruthy read it as the float it is.
import { isPyFloat, pyEntries } from '../../data/py-json.ts';

export class PyFloat {
  constructor(readonly value: number) {}
}

/** `d.items()` in Python's order, floats with an integral value as PyFloat. */
export function pyItems(d: object): [string, unknown][] {
  return pyEntries(d).map(([k, v]) => [k, typeof v === 'number' && isPyFloat(d, k) ? new PyFloat(v) : v]);
}

/** `d[key]` / `a[i]`: a float with an integral value as PyFloat. */
export function pyAt(container: object, key: string | number): unknown {
  const v = (container as Record<string, unknown>)[key];
  return typeof v === 'number' && isPyFloat(container, String(key)) ? new PyFloat(v) : v;
}

/** A list's items (`for x in a`), floats with an integral value as PyFloat. */
export function pyList(a: unknown[]): unknown[] {
  return a.map((_, i) => pyAt(a, i));
}

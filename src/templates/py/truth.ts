// Python's truthiness for parsed JSON values, for ports of `x or y` / `if x:`: empty dicts, lists
// and strings, 0 and None are false in Python, while JavaScript holds `{}` and `[]` true (and NaN
// false, which Python holds true).
import { PyFloat } from './float.ts';

/** `bool(x)` for a value parsed from JSON (undefined: a missing key, read with dict.get). */
export function pyTruthy(x: unknown): boolean {
  if (x === null || x === undefined || x === false || x === '') return false;
  if (typeof x === 'number') return x !== 0;
  if (x instanceof PyFloat) return x.value !== 0;
  if (Array.isArray(x)) return x.length > 0;
  if (typeof x === 'object') return Object.keys(x).length > 0;
  return true;
}

/** Python's `x or y`. */
export function pyOr<T, U>(x: T, y: U): T | U {
  return pyTruthy(x) ? x : y;
}

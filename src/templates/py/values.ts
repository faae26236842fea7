// Python's value semantics for parsed JSON data, where they differ from JavaScript's (truthiness
// is truth.ts): `isinstance` (a bool is an int), `dict.get`, `in`, iterating a value (`for r in x`
// walks a str's characters and a dict's keys), `sorted()` of str keys (by code point, not UTF-16
// unit), `str.replace` and `d[k] = v` (a key `__proto__` stays an ordinary key). ms-swift's agent
// templates lean on all of them. Each helper that Python would raise in throws a `PyError` named as
// Python's exception. Checked against CPython in py.test.ts.

import { notePySetItem } from '../../data/py-json.ts';
import { PyFloat } from './float.ts';

/** A Python exception (`name` is its type: 'TypeError', 'AttributeError', ...). */
export class PyError extends Error {
  constructor(type: string, message: string) {
    super(message);
    this.name = type;
  }
}

export type PyDict = Record<string, unknown>;

export const isPyDict = (x: unknown): x is PyDict =>
  typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof PyFloat);

/** `isinstance(x, (int, float))` for JSON data: a bool is an int in Python, so the caller checks it first. */
export const isPyNumber = (x: unknown): x is number | PyFloat => typeof x === 'number' || x instanceof PyFloat;

/** Python's type name, for its error messages. */
export function pyTypeName(x: unknown): string {
  if (x === null || x === undefined) return 'NoneType';
  if (typeof x === 'boolean') return 'bool';
  if (typeof x === 'number') return Number.isInteger(x) && !Object.is(x, -0) ? 'int' : 'float';
  if (x instanceof PyFloat) return 'float';
  if (typeof x === 'string') return 'str';
  if (Array.isArray(x)) return 'list';
  return 'dict';
}

/** `x` used where Python calls a dict method on it (`x.get`, `x.items()`): AttributeError otherwise. */
export function pyDict(x: unknown, attr: string): PyDict {
  if (!isPyDict(x)) throw new PyError('AttributeError', `'${pyTypeName(x)}' object has no attribute '${attr}'`);
  return x;
}

/** `d.get(key, default)`: a key that is present returns its value, even None. */
export function pyGet(d: unknown, key: string, dflt: unknown = null): unknown {
  const obj = pyDict(d, 'get');
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : dflt;
}

/** `d[key]`: KeyError when absent. */
export function pyItem(d: unknown, key: string): unknown {
  if (!isPyDict(d)) throw new PyError('TypeError', `'${pyTypeName(d)}' object is not subscriptable`);
  if (!Object.prototype.hasOwnProperty.call(d, key)) throw new PyError('KeyError', `'${key}'`);
  return d[key];
}

/** `d[key] = value` on a dict built here (a key `__proto__` must not set the prototype). */
export function pySetItem(d: PyDict, key: string, value: unknown): void {
  notePySetItem(d, key);
  Object.defineProperty(d, key, { value, writable: true, enumerable: true, configurable: true });
}

/** `for x in value` over a str (its characters), list, or dict (its keys); TypeError otherwise. */
export function pyIter(value: unknown): unknown[] {
  if (typeof value === 'string') return [...value];
  if (Array.isArray(value)) return value;
  if (isPyDict(value)) return Object.keys(value);
  throw new PyError('TypeError', `'${pyTypeName(value)}' object is not iterable`);
}

/** `needle in container`: substring for a str, element for a list, key for a dict. */
export function pyIn(needle: unknown, container: unknown): boolean {
  if (typeof container === 'string') {
    if (typeof needle !== 'string') {
      throw new PyError('TypeError', `'in <string>' requires string as left operand, not ${pyTypeName(needle)}`);
    }
    return container.includes(needle);
  }
  if (Array.isArray(container)) return container.some((x) => pyEq(x, needle));
  if (isPyDict(container)) {
    if (Array.isArray(needle) || isPyDict(needle)) {
      throw new PyError('TypeError', `unhashable type: '${pyTypeName(needle)}'`);
    }
    return typeof needle === 'string' && Object.prototype.hasOwnProperty.call(container, needle);
  }
  throw new PyError('TypeError', `argument of type '${pyTypeName(container)}' is not iterable`);
}

/** `a == b` for JSON data (True == 1 in Python). */
export function pyEq(a: unknown, b: unknown): boolean {
  const num = (x: unknown) => (typeof x === 'boolean' ? Number(x) : x);
  const x = num(a);
  const y = num(b);
  if (x === null || x === undefined) return y === null || y === undefined;
  if (typeof x !== 'object' || typeof y !== 'object' || y === null) return x === y;
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  const kx = Object.keys(x);
  const ky = Object.keys(y);
  if (kx.length !== ky.length) return false;
  if (Array.isArray(x)) return x.every((v, i) => pyEq(v, (y as unknown[])[i]));
  return kx.every((k) => Object.prototype.hasOwnProperty.call(y, k) && pyEq((x as PyDict)[k], (y as PyDict)[k]));
}

/** `mapping.get(key, default)` where `mapping` has str keys: TypeError for an unhashable key. */
export function pyLookup(mapping: Readonly<Record<string, string>>, key: unknown, dflt: string): string {
  if (Array.isArray(key) || isPyDict(key)) throw new PyError('TypeError', `unhashable type: '${pyTypeName(key)}'`);
  return typeof key === 'string' && Object.prototype.hasOwnProperty.call(mapping, key) ? mapping[key] : dflt;
}

/** Python's str ordering: by code point (UTF-16 order differs above U+D7FF). */
export function pyCompareStr(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (D800-DFFF) encode code points above FFFF: they sort after E000-FFFF.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x <= 0xdfff ? x + 0x2000 : x - 0x800;
      y = y <= 0xdfff ? y + 0x2000 : y - 0x800;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** `sorted(d.keys())` of a dict with str keys. */
export const pySortedKeys = (d: PyDict): string[] => Object.keys(d).sort(pyCompareStr);

/** `s.replace(old, new)`: every occurrence, `new` taken literally (no `$&` patterns as in JavaScript). */
export const pyReplace = (s: string, old: string, by: string): string => {
  if (old === '') throw new Error('pyReplace: empty old string');
  return s.split(old).join(by);
};

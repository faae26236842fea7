// Python's `repr()` / `str()` of the values a JSON document parses to, as ms-swift's agent
// templates print them in f-strings (`f'Action Input: {arguments}'` prints a dict as
// `{'city': 'Paris'}`). Checked against CPython in repr.test.ts.
//
// JSON numbers arrive in JavaScript without Python's int/float distinction: an integral number is
// printed as an int (as `pyJsonDumps` does), anything else as a float — unless the data said
// `1.0` (src/data/py-json.ts records that, and a dict's key order, for the containers it parsed).
import { isPyFloat, pyEntries } from '../../data/py-json.ts';
import { PyFloat } from './float.ts';

/** Work for pyRepr: a literal to emit, a value to print, or a float to print as one. */
type Item = string | { v: unknown } | { float: number };

/** A container's child, as a float where the data wrote an integral float. */
function child(container: object, key: string, x: unknown): Item {
  return typeof x === 'number' && isPyFloat(container, key) ? { float: x } : { v: x };
}

/** Python's `str.isprintable()` is false for these categories (and true for U+0020). */
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** `repr(s)` for a str. */
export function pyReprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += '\\' + quote;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch !== ' ' && NON_PRINTABLE.test(ch)) {
      out += cp < 0x100 ? '\\x' + hex(cp, 2) : cp < 0x10000 ? '\\u' + hex(cp, 4) : '\\U' + hex(cp, 8);
    } else out += ch;
  }
  return out + quote;
}

/** `repr(x)` for a Python float. */
export function pyReprFloat(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (Object.is(n, -0)) return '-0.0';
  const [mant, expStr] = n.toExponential().split('e');
  const exp = Number(expStr);
  if (exp >= -4 && exp < 16) {
    const s = String(n);
    if (!/e/i.test(s)) return s.includes('.') ? s : s + '.0';
  }
  return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** As data reaches Python through JSON: what JavaScript writes with digits only is an int. */
function pyReprNumber(n: number): string {
  const js = JSON.stringify(n);
  return /^-?\d+$/.test(js) ? js : pyReprFloat(n);
}

/**
 * `repr(value)` of a parsed JSON value (dict, list, str, int/float, bool, None). Iterative, so a
 * deeply nested value cannot overflow the stack.
 */
export function pyRepr(value: unknown): string {
  const out: string[] = [];
  // A stack of work items: a value to print, or a literal string to emit.
  const stack: Item[] = [{ v: value }];
  while (stack.length) {
    const item = stack.pop()!;
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    if ('float' in item) {
      out.push(pyReprFloat(item.float));
      continue;
    }
    const v = item.v;
    if (v === null || v === undefined) out.push('None');
    else if (typeof v === 'boolean') out.push(v ? 'True' : 'False');
    else if (typeof v === 'number') out.push(pyReprNumber(v));
    else if (typeof v === 'bigint') out.push(String(v));
    else if (v instanceof PyFloat) out.push(pyReprFloat(v.value));
    else if (typeof v === 'string') out.push(pyReprString(v));
    else if (Array.isArray(v)) {
      const parts: Item[] = ['['];
      v.forEach((x, i) => parts.push(...(i ? [', ', child(v, String(i), x)] : [child(v, String(i), x)])));
      parts.push(']');
      for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]);
    } else if (typeof v === 'object') {
      const parts: Item[] = ['{'];
      pyEntries(v).forEach(([k, x], i) => {
        parts.push((i ? ', ' : '') + pyReprString(k) + ': ', child(v, k, x));
      });
      parts.push('}');
      for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]);
    } else out.push(pyReprString(String(v)));
  }
  return out.join('');
}

/** `str(value)` (what an f-string prints): a str as is, anything else as its repr. */
export function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

// Python's `json.dumps(x, ensure_ascii=False)` and `str.strip()` as Hugging Face chat templates
// call them (`tojson`, `|trim`). Templates are byte-exact against real Jinja2, so JSON spacing
// (`", "` and `": "`), float spelling (`1e-05`) and what counts as whitespace must be Python's,
// not JavaScript's. Python's facts that JSON.parse loses (a float's `.0`, a dict's key order) come
// from src/data/py-json.ts.
import { isPyFloat, pyEntries } from '../data/py-json.ts';
import { PyFloat } from './py/float.ts';

/** Python's repr of a float: shortest round-trip digits, exponent form outside [1e-4, 1e16). */
function pyFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (Object.is(n, -0)) return '-0.0';
  const [mant, expStr] = n.toExponential().split('e');
  const exp = Number(expStr);
  if (exp >= -4 && exp < 16) {
    const s = String(n);
    if (!/e/i.test(s)) return s.includes('.') ? s : s + '.0';
  }
  const sign = exp < 0 ? '-' : '+';
  return `${mant}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/**
 * A number as Python prints it after a JSON round trip: data reaches Python as JSON text, so an
 * integral JS number arrives as an int unless JavaScript wrote it in exponent form.
 */
function pyNumber(n: number): string {
  // JSON.parse reads 1e400 as Infinity, as Python's json.loads does (float('inf')); json.dumps
  // then prints Infinity, never NaN (JSON.stringify would write null for both).
  if (!Number.isFinite(n)) return pyFloat(n);
  const js = JSON.stringify(n);
  if (/^-?\d+$/.test(js)) return js;
  return pyFloat(n);
}

function pyString(s: string): string {
  // JSON.stringify escapes exactly Python's set (", \, control chars; \b \f \n \r \t short forms),
  // both with lowercase hex; non-ASCII stays as is (ensure_ascii=False).
  return JSON.stringify(s);
}

export interface DumpOptions {
  /** `tojson(indent=4)`: newline + indent per level, item separator `,` */
  indent?: number;
  /** `separators=(item, key)`; Python's default is (', ', ': '), or (',', ': ') with an indent. */
  separators?: [string, string];
}

/** An array or object being printed: its items (key null in arrays), the next one, its level. */
interface Open {
  /** The container, for its recorded Python facts (which children are floats). */
  of: object;
  items: [key: string | null, value: unknown][];
  next: number;
  level: number;
  closer: ']' | '}';
}

/**
 * `json.dumps(value, ensure_ascii=False[, indent][, separators])`. Iterative (an explicit stack,
 * not recursion), so any nesting depth prints: user data never overflows the call stack here.
 */
export function pyJsonDumps(value: unknown, opts: DumpOptions = {}): string {
  const indent = opts.indent;
  const itemSep = opts.separators?.[0] ?? (indent === undefined ? ', ' : ',');
  const keySep = opts.separators?.[1] ?? ': ';
  const pad = (level: number) => (indent === undefined ? '' : '\n' + ' '.repeat(indent * level));
  const out: string[] = [];
  const stack: Open[] = [];
  /** Prints a scalar or an empty container, or opens a container and pushes it. */
  const begin = (v: unknown, level: number) => {
    if (v === null || v === undefined) out.push('null');
    else if (typeof v === 'boolean') out.push(v ? 'true' : 'false');
    else if (typeof v === 'number') out.push(pyNumber(v));
    else if (v instanceof PyFloat) out.push(pyFloat(v.value));
    else if (typeof v === 'string') out.push(pyString(v));
    else if (Array.isArray(v)) {
      if (v.length === 0) out.push('[]');
      else {
        out.push('[');
        stack.push({ of: v, items: v.map((x) => [null, x]), next: 0, level, closer: ']' });
      }
    } else if (typeof v === 'object') {
      const items = pyEntries(v).filter(([, x]) => x !== undefined);
      if (items.length === 0) out.push('{}');
      else {
        out.push('{');
        stack.push({ of: v, items, next: 0, level, closer: '}' });
      }
    } else out.push(pyString(String(v)));
  };
  begin(value, 0);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.next === top.items.length) {
      out.push(pad(top.level) + top.closer);
      stack.pop();
      continue;
    }
    const [key, v] = top.items[top.next];
    out.push((top.next === 0 ? '' : itemSep) + pad(top.level + 1));
    if (key !== null) out.push(pyString(key) + keySep);
    const float = typeof v === 'number' && isPyFloat(top.of, key ?? String(top.next));
    top.next++;
    if (float) out.push(pyFloat(v));
    else begin(v, top.level + 1);
  }
  return out.join('');
}

// Python's str.isspace set (what `str.strip()` and Jinja's `trim` remove). JavaScript's trim()
// differs: it removes U+FEFF and keeps U+001C..U+001F and U+0085.
const PY_SPACE = new Set(
  [
    0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003,
    0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
  ].map((c) => String.fromCharCode(c)),
);

/** Python's `s.strip(chars)`; without chars, its whitespace set. */
export function pyStrip(s: string, chars?: string): string {
  return pyRstrip(pyLstrip(s, chars), chars);
}

export function pyLstrip(s: string, chars?: string): string {
  const has = (c: string) => (chars === undefined ? PY_SPACE.has(c) : chars.includes(c));
  let i = 0;
  while (i < s.length && has(s[i])) i++;
  return s.slice(i);
}

export function pyRstrip(s: string, chars?: string): string {
  const has = (c: string) => (chars === undefined ? PY_SPACE.has(c) : chars.includes(c));
  let j = s.length;
  while (j > 0 && has(s[j - 1])) j--;
  return s.slice(0, j);
}

// ms-swift's `BaseAgentTemplate._parse_json`: `json.loads`, falling back to `ast.literal_eval`
// (so `{'city': 'Paris'}` written as a Python dict parses too), `undefined` (Python's None
// return) when both fail. A non-string is returned as it is. Checked against CPython in
// literal.test.ts.
//
// Python's json.loads accepts NaN / Infinity / -Infinity, which JSON.parse does not; the fallback
// parser below reads both grammars. Nesting is capped at MAX_DEPTH (Python raises RecursionError
// near 1000; we refuse instead of overflowing the stack). Valid JSON goes through parseJsonPy, which
// records what JSON.parse loses (a float's `.0`, key order) for the printers.
import { parseJsonPy } from '../../data/py-json.ts';
import { PyFloat } from './float.ts';

export const MAX_DEPTH = 1000;

class ParseError extends Error {}

type Mode = 'json' | 'python';

class LiteralParser {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly mode: Mode,
  ) {}

  parse(): unknown {
    this.ws();
    const v = this.value(0);
    this.ws();
    if (this.i !== this.s.length) throw new ParseError(`extra data at ${this.i}`);
    return v;
  }

  private ws(): void {
    // json.loads skips ' \t\n\r'; literal_eval also skips other whitespace and line joins.
    const re = this.mode === 'json' ? /[ \t\n\r]/ : /[ \t\n\r\f\v]/;
    while (this.i < this.s.length && re.test(this.s[this.i])) this.i++;
  }

  private value(depth: number): unknown {
    if (depth > MAX_DEPTH) throw new ParseError('nested too deeply');
    const c = this.s[this.i];
    if (c === '{') return this.dict(depth);
    if (c === '[') return this.seq(']', depth);
    if (c === '(' && this.mode === 'python') return this.seq(')', depth);
    if (c === '"' || (c === "'" && this.mode === 'python')) return this.strings();
    if (this.mode === 'python' && /^[rRuU]['"]/.test(this.s.slice(this.i, this.i + 2))) return this.strings();
    const word = /^(?:-?Infinity|NaN|true|false|null|True|False|None)/.exec(this.s.slice(this.i, this.i + 9));
    if (word) {
      const w = word[0];
      const ok = this.mode === 'json' ? !/^(True|False|None)$/.test(w) : /^(True|False|None)$/.test(w);
      if (ok) {
        this.i += w.length;
        return {
          true: true,
          True: true,
          false: false,
          False: false,
          null: null,
          None: null,
          NaN: NaN,
          Infinity: Infinity,
          '-Infinity': -Infinity,
        }[w];
      }
    }
    return this.number();
  }

  private number(): number {
    const re =
      this.mode === 'json'
        ? /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/
        : /^[+-]?(?:(?:\d[\d_]*)?\.\d[\d_]*|\d[\d_]*\.?)(?:[eE][+-]?\d[\d_]*)?/;
    const m = re.exec(this.s.slice(this.i));
    if (!m || m[0] === '' || m[0] === '-' || m[0] === '+') throw new ParseError(`unexpected character at ${this.i}`);
    this.i += m[0].length;
    return Number(m[0].replace(/_/g, ''));
  }

  private strings(): string {
    // literal_eval joins adjacent string literals ('a' 'b'); JSON has one.
    let out = this.string();
    if (this.mode === 'python') {
      for (;;) {
        const save = this.i;
        this.ws();
        const c = this.s[this.i];
        if (c === '"' || c === "'" || /^[rRuU]['"]/.test(this.s.slice(this.i, this.i + 2))) out += this.string();
        else {
          this.i = save;
          break;
        }
      }
    }
    return out;
  }

  private string(): string {
    // Python's prefixes: u'' is a plain str, r'' keeps backslashes (b'' is bytes: not a literal here).
    let raw = false;
    if (/[rRuU]/.test(this.s[this.i])) {
      raw = /[rR]/.test(this.s[this.i]);
      this.i++;
    }
    const q = this.s[this.i];
    const triple = this.mode === 'python' && this.s.startsWith(q.repeat(3), this.i);
    const close = triple ? q.repeat(3) : q;
    this.i += close.length;
    let out = '';
    for (;;) {
      if (this.i >= this.s.length) throw new ParseError('unterminated string');
      if (this.s.startsWith(close, this.i)) {
        this.i += close.length;
        return out;
      }
      const c = this.s[this.i];
      if (c === '\\' && raw) {
        // A raw string keeps the backslash and the character after it (even an escaped quote).
        out += this.s.slice(this.i, this.i + 2);
        this.i += 2;
        continue;
      }
      if (c === '\\') {
        out += this.escape();
        continue;
      }
      const code = c.charCodeAt(0);
      if ((this.mode === 'json' && code < 0x20) || (!triple && (c === '\n' || c === '\r')))
        throw new ParseError('control character in string');
      out += c;
      this.i++;
    }
  }

  private escape(): string {
    const e = this.s[this.i + 1];
    this.i += 2;
    const simple: Record<string, string> = {
      '"': '"',
      '\\': '\\',
      '/': '/',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
    };
    if (this.mode === 'python') Object.assign(simple, { "'": "'", a: '\x07', v: '\v', '\n': '' });
    if (e === '/' && this.mode === 'python') return '\\/';
    if (e in simple) return simple[e];
    const take = (n: number) => {
      const h = this.s.slice(this.i, this.i + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) throw new ParseError('bad escape');
      this.i += n;
      return parseInt(h, 16);
    };
    if (e === 'u') {
      const hi = take(4);
      // json.loads joins an escaped surrogate pair; literal_eval keeps each \u as one code unit,
      // which in a JavaScript string is the same thing.
      return String.fromCharCode(hi);
    }
    if (this.mode === 'python' && e === 'x') return String.fromCharCode(take(2));
    if (this.mode === 'python' && e === 'U') return String.fromCodePoint(take(8));
    if (this.mode === 'python' && e !== undefined && /[0-7]/.test(e)) {
      let digits = e;
      while (digits.length < 3 && /[0-7]/.test(this.s[this.i] ?? '')) digits += this.s[this.i++];
      return String.fromCharCode(parseInt(digits, 8));
    }
    if (this.mode === 'python' && e !== undefined) return '\\' + e; // unknown escapes stay as written
    throw new ParseError('bad escape');
  }

  private seq(close: string, depth: number): unknown[] {
    this.i++;
    const out: unknown[] = [];
    this.ws();
    if (this.s[this.i] === close) {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value(depth + 1));
      this.ws();
      const c = this.s[this.i++];
      if (c === close) return out;
      if (c !== ',') throw new ParseError(`expected , or ${close}`);
      this.ws();
      if (this.mode === 'python' && this.s[this.i] === close) {
        this.i++;
        return out;
      }
    }
  }

  private dict(depth: number): Record<string, unknown> {
    this.i++;
    const out: Record<string, unknown> = {};
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      const c = this.s[this.i];
      // JSON keys are strings; Python dict keys may be any literal, which JSON output prints as
      // a string key as well (json.dumps converts int/float/bool/None keys).
      const key =
        c === '"' || (c === "'" && this.mode === 'python')
          ? this.strings()
          : this.mode === 'python'
            ? this.value(depth + 1)
            : this.fail();
      this.ws();
      if (this.s[this.i++] !== ':') throw new ParseError('expected :');
      this.ws();
      out[typeof key === 'string' ? key : JSON.stringify(key)] = this.value(depth + 1);
      this.ws();
      const d = this.s[this.i++];
      if (d === '}') return out;
      if (d !== ',') throw new ParseError('expected , or }');
      this.ws();
      if (this.mode === 'python' && this.s[this.i] === '}') {
        this.i++;
        return out;
      }
    }
  }

  private fail(): never {
    throw new ParseError(`unexpected character at ${this.i}`);
  }
}

/** Python's `json.loads(s)`; throws on invalid JSON. */
export function pyJsonLoads(s: string): unknown {
  try {
    const v = parseJsonPy(s);
    // A bare float with an integral value (`1.0`): no container to record it, so it is a PyFloat.
    return typeof v === 'number' && Number.isInteger(v) && /[.eE]/.test(s) ? new PyFloat(v) : v;
  } catch {
    return new LiteralParser(s, 'json').parse();
  }
}

/** Python's `ast.literal_eval(s)` for the literals JSON-like data uses; throws when it would. */
export function pyLiteralEval(s: string): unknown {
  return new LiteralParser(s.replace(/^[ \t]+/, ''), 'python').parse();
}

/** ms-swift's `_parse_json`: json.loads, else ast.literal_eval, else undefined (None). */
export function swiftParseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return pyJsonLoads(value);
  } catch {
    try {
      return pyLiteralEval(value);
    } catch {
      return undefined;
    }
  }
}

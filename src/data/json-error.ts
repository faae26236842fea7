// Where a line's JSON goes wrong. JSON.parse's error messages differ between engines (V8,
// SpiderMonkey, JavaScriptCore) and some carry no position, so when it fails we rescan the line
// with this small RFC 8259 checker (the grammar JSON.parse accepts) to get a stable column and a
// message a person can act on. It only runs on lines that already failed.

export interface JsonSyntaxError {
  /** 0-based UTF-16 offset of the offending character (the text's length at end of input). */
  index: number;
  message: string;
}

class Stop extends Error {
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(message);
  }
}

function describe(ch: string): string {
  if (ch === '\uFEFF') return 'byte-order mark (U+FEFF)';
  const code = ch.codePointAt(0)!;
  if (code < 0x20 || code === 0x7f) return `control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `'${ch}'`;
}

/** Null when `text` is valid JSON (one value, surrounded only by whitespace). */
export function findJsonError(text: string): JsonSyntaxError | null {
  let i = 0;
  const n = text.length;

  const fail = (message: string, at = i): never => {
    throw new Stop(at, message);
  };
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  const unexpected = (expected: string): never => {
    if (i >= n)
      fail(
        `unexpected end of line, expected ${expected}: the record is cut off or spans several lines ` +
          `(JSONL needs one record per line)`,
      );
    const ch = text[i];
    if (ch === "'") fail(`unexpected ${describe(ch)}, expected ${expected}: JSON strings use double quotes`);
    if (ch === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) fail('unexpected comment: JSON has no comments');
    return fail(`unexpected ${describe(String.fromCodePoint(text.codePointAt(i)!))}, expected ${expected}`);
  };

  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++) {
      if (text[i + k] !== word[k]) fail(`invalid literal, expected '${word}'`, i + k);
    }
    i += word.length;
  };

  const string = () => {
    const open = i;
    i++; // the opening quote
    for (;;) {
      if (i >= n) fail('unterminated string', open);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail(`${describe(text[i])} inside a string: write it as an escape (\\n, \\t, \\u00XX)`);
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          for (let k = 2; k < 6; k++) {
            if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) fail('invalid \\u escape: expected 4 hex digits', i);
          }
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          i += 2;
        } else {
          fail(`invalid escape '\\${e ?? ''}' in a string`);
        }
        continue;
      }
      i++;
    }
  };

  const digits = (what: string) => {
    const start = i;
    while (i < n && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
    if (i === start) unexpected(what);
  };

  const number = () => {
    if (text[i] === '-') i++;
    if (text[i] === '0') {
      i++;
      if (i < n && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) fail('leading zero in a number');
    } else digits('a digit');
    if (text[i] === '.') {
      i++;
      digits('a digit after the decimal point');
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits('a digit in the exponent');
    }
  };

  const value = (depth: number): void => {
    ws();
    if (depth > 5000) fail('nesting too deep');
    const ch = text[i];
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') {
          if (text[i] === '}') fail("unexpected '}' after a comma: JSON allows no trailing comma");
          unexpected('a property name in double quotes');
        }
        string();
        ws();
        if (text[i] !== ':') unexpected("':' after the property name");
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        unexpected("',' or '}'");
      }
    }
    if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] === ']') fail("unexpected ']' after a comma: JSON allows no trailing comma");
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        unexpected("',' or ']'");
      }
    }
    if (ch === '"') return string();
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return number();
    if (ch === 't') return literal('true');
    if (ch === 'f') return literal('false');
    if (ch === 'n') return literal('null');
    if (ch === 'N' || ch === 'I') fail(`unexpected ${describe(ch)}: JSON has no NaN or Infinity`);
    unexpected('a value');
  };

  try {
    value(0);
    ws();
    if (i < n)
      fail(
        `unexpected ${describe(String.fromCodePoint(text.codePointAt(i)!))} after the end of ` +
          `the value: one record per line`,
      );
    return null;
  } catch (err) {
    if (err instanceof Stop) return { index: err.index, message: err.message };
    // A stack overflow on absurd nesting: no position, but still an error.
    return { index: 0, message: 'nesting too deep' };
  }
}

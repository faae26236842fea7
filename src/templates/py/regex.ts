// Python `re` patterns run as JavaScript RegExps. The syntax ms-swift's loss-scale patterns use
// (literals, `.`, `+?`, `*`, `?`, `^`, escaped `|`, `\n`) means the same in both, except `\s`:
// Python's str patterns match Unicode whitespace as str.isspace() does, which adds U+001C–U+001F
// and U+0085 to JavaScript's set and leaves out U+FEFF. The class below is CPython's
// (`[c for c in range(0x110000) if re.match(r'\s', chr(c))]`), checked in regex.test.ts.

const PY_SPACE = '\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/** A Python pattern's source rewritten so that JavaScript's RegExp matches what Python's re does. */
export function pyRegexSource(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) {
      const n = pattern[i + 1];
      i++;
      if (n === 's') out += inClass ? PY_SPACE : `[${PY_SPACE}]`;
      else if (n === 'S' && !inClass) out += `[^${PY_SPACE}]`;
      else if (n === 'S') throw new Error(`pyRegexSource: \\S inside a character class is not supported: ${pattern}`);
      else out += c + n;
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    out += c;
  }
  return out;
}

// For patterns written directly as JavaScript (ports of ms-swift's get_toolcall parsers):
// - `\w` in a Python str pattern is Unicode letters, digits, numerics and `_`; JavaScript's `\w` is
//   ASCII only (even with the `u` flag). PY_W needs the `u` flag. (Letters Unicode added after the
//   Python build's Unicode version still count here: Node's tables are newer.)
// - `$` without re.MULTILINE also matches before a newline that ends the string; JavaScript's `$`
//   (without the `m` flag) only at the very end.

/** Python's `\s` (str patterns), as a JavaScript character class. */
export const PY_S = `[${PY_SPACE}]`;

/** Python's `\w` (str patterns), as a JavaScript character class; needs the `u` flag. */
export const PY_W = '[\\p{L}\\p{N}_]';

/** Python's `$` without re.MULTILINE. */
export const PY_END = '(?=\\n?$)';

/** Python's `re.findall(pattern, text)` for a pattern with groups: each match's groups (the `g` flag is added). */
export function pyFindall(re: RegExp, text: string): string[][] {
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g');
  return [...text.matchAll(g)].map((m) => m.slice(1).map((x) => x ?? ''));
}

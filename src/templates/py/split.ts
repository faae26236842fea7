// ms-swift's `split_str_parts_by` (swift/template/utils.py), which both the ReAct agent formats
// (finding `Action:` / `Action Input:`) and the loss scales (finding the parts to weight) use.
// Python's `re.split` with capturing groups and `re.DOTALL` behaves as JavaScript's
// `String.prototype.split` with the `s` flag for the patterns ms-swift uses; checked in
// split.test.ts against CPython.

export interface StrPart {
  /** The delimiter that starts this part ('' for text before the first one). */
  key: string;
  content: string;
}

/** A literal string as a RegExp source (Python's `re.escape` for the characters RegExp treats specially). */
export const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Python's `_split_str_by_regex`: ['', text] or [delim, content, delim, content, ...]. */
function splitByRegex(text: string, patterns: string[]): string[] {
  const combined = new RegExp(patterns.map((p) => `(${p})`).join('|'), 's');
  const parts = text.split(combined).filter((p) => p !== undefined);
  if (parts[0] === '') parts.shift();
  else parts.unshift('');
  if (parts.length % 2 !== 0 || parts.join('') !== text)
    throw new Error(`split_str_parts_by: cannot split ${JSON.stringify(text)}`);
  return parts;
}

/** `split_str_parts_by(text, delimiters, regex_mode)`. */
export function splitStrPartsBy(text: string, delimiters: string[], regexMode = false): StrPart[] {
  const patterns = regexMode ? delimiters : delimiters.map(escapeRe);
  const parts = patterns.length ? splitByRegex(text, patterns) : ['', text];
  if (regexMode) {
    return parts
      .filter((p) => p !== '')
      .map((part) => {
        const i = patterns.findIndex((p) => new RegExp(`^(?:${p})`, 's').test(part));
        return { key: i >= 0 ? delimiters[i] : '', content: part };
      });
  }
  const res: StrPart[] = [];
  for (let i = 0; i < parts.length; i += 2) res.push({ key: parts[i], content: parts[i + 1] });
  return res;
}

// How deeply a JSON text nests, found by a scan of its characters (no recursion, no allocation),
// so that a record nesting 100,000 levels deep is reported on its line instead of overflowing the
// stack of whatever walks it next (printing tool arguments as JSON, templates, tokenization).
// The limit sits well under what Python's json accepts (CPython 3.11: json.loads raises
// RecursionError from depth ~1000, sys.getrecursionlimit()), so a record we accept also loads in
// ms-swift and transformers, with room for the frames of the code that calls json there.

/** The deepest nesting of arrays and objects a JSON value in a record may have. */
export const MAX_JSON_DEPTH = 500;

/**
 * The 0-based index of the bracket that opens level `limit + 1` in a JSON text, or -1 when the
 * text nests no deeper than `limit`. Brackets inside strings do not count.
 */
export function deeperThan(text: string, limit = MAX_JSON_DEPTH): number {
  // Each level needs an opening and a closing bracket: short texts cannot be too deep.
  if (text.length <= 2 * limit) return -1;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
}

// Characters that make what a person sees differ from what the model reads: bidirectional
// controls (Unicode 15, UAX #9 table 1, plus the implicit marks LRM/RLM/ALM) reorder how the text
// around them is displayed ("ok" shown as "ko", `<|im_end|>` as `<|dne_mi|>`), and lone
// surrogates (half of a UTF-16 pair) are not Unicode at all: UTF-8 cannot encode them (Python's
// str.encode raises UnicodeEncodeError, JavaScript's TextEncoder writes U+FFFD). The reader warns about both on the
// line; the studio's views show them as visible markers (src/ui/studio/controls.ts).

export const BIDI_CONTROLS: Readonly<Record<number, string>> = {
  0x061c: 'ARABIC LETTER MARK',
  0x200e: 'LEFT-TO-RIGHT MARK',
  0x200f: 'RIGHT-TO-LEFT MARK',
  0x202a: 'LEFT-TO-RIGHT EMBEDDING',
  0x202b: 'RIGHT-TO-LEFT EMBEDDING',
  0x202c: 'POP DIRECTIONAL FORMATTING',
  0x202d: 'LEFT-TO-RIGHT OVERRIDE',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE',
  0x2066: 'LEFT-TO-RIGHT ISOLATE',
  0x2067: 'RIGHT-TO-LEFT ISOLATE',
  0x2068: 'FIRST STRONG ISOLATE',
  0x2069: 'POP DIRECTIONAL ISOLATE',
};

/** One bidi control (BIDI_CONTROLS' code points). */
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

/**
 * One bidi control, or one lone surrogate (a high one not followed by a low one, or a low one not
 * after a high one). UTF-16 code units: no `u` flag, so surrogates are matched one by one.
 */
export const HIDDEN_CHAR = new RegExp(
  `${BIDI.source}|${/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.source}`,
  'g',
);

export function isBidiControl(code: number): boolean {
  return BIDI_CONTROLS[code] !== undefined;
}

/** `U+202E`, as the markers and messages write a code unit. */
export function codePointLabel(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

// On the raw line: a hidden character written as itself, or as a JSON \u escape of one (a lone
// surrogate can only be an escape: UTF-8 text cannot hold one). A false hit (an escaped surrogate
// pair) only costs the exact walk below.
const MAYBE_HIDDEN = new RegExp(
  `${BIDI.source}|${/\\u(?:061[cC]|200[eEfF]|202[a-eA-E]|206[6-9]|[dD][89a-fA-F][0-9a-fA-F]{2})/.source}`,
);

/** A key in a path; hidden characters in it written as \u escapes, so the path itself shows them. */
function keyPath(base: string, key: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return base ? `${base}.${key}` : key;
  const quoted = JSON.stringify(key).replace(HIDDEN_CHAR, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${base}[${quoted}]`;
}

export interface HiddenFind {
  kind: 'bidi' | 'surrogate';
  /** JSON path of the string (`… (its key)` when it is the key of that field). */
  path: string;
  /** 0-based index in that string. */
  index: number;
  code: number;
}

/**
 * Every string (and object key) of a parsed record that holds a hidden character: the first one
 * of each string. Iterative (records may nest deeply); `text` is the line, for the quick test.
 */
export function findHidden(value: unknown, text: string): HiddenFind[] {
  if (!MAYBE_HIDDEN.test(text)) return [];
  const out: HiddenFind[] = [];
  const check = (s: string, path: string) => {
    HIDDEN_CHAR.lastIndex = 0;
    const m = HIDDEN_CHAR.exec(s);
    if (!m) return;
    const code = m[0].charCodeAt(0);
    out.push({ kind: isBidiControl(code) ? 'bidi' : 'surrogate', path, index: m.index, code });
    // A string with a control may also hold a lone surrogate further on (or the other way round).
    for (let n = HIDDEN_CHAR.exec(s); n; n = HIDDEN_CHAR.exec(s)) {
      const c = n[0].charCodeAt(0);
      const kind = isBidiControl(c) ? 'bidi' : 'surrogate';
      if (!out.some((f) => f.path === path && f.kind === kind)) out.push({ kind, path, index: n.index, code: c });
    }
  };
  // [value, its path, the key it sits under (checked when popped, so finds come in file order)]
  const stack: [unknown, string, string?][] = [[value, '']];
  while (stack.length > 0) {
    const [v, path, key] = stack.pop()!;
    if (key !== undefined) check(key, `${path} (its key)`);
    if (typeof v === 'string') check(v, path || '(the record)');
    else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`]);
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--)
        stack.push([(v as Record<string, unknown>)[keys[i]], keyPath(path, keys[i]), keys[i]]);
    }
  }
  return out;
}

// Text from the data, cut so the views can draw each hidden character (a bidirectional control
// or a lone surrogate, src/data/unicode.ts) as a visible marker such as ⟨U+202E⟩. The character
// itself stays in the text, alone in an isolated span (CSS `unicode-bidi: isolate`): an override
// or embedding it starts ends with that span, so it reorders nothing, and the DOM's text (copy,
// textContent) is still the data byte for byte. The marker is drawn by CSS from `label`.
import { BIDI_CONTROLS, codePointLabel, HIDDEN_CHAR, isBidiControl } from '../../data/unicode.ts';

export interface TextPiece {
  text: string;
  /** Set on a one-character piece that is a hidden character: `U+202E`. */
  label?: string;
  /** What it is, for the tooltip. */
  title?: string;
}

// Non-global twin of HIDDEN_CHAR for a quick test (no lastIndex state).
const ANY_HIDDEN = new RegExp(HIDDEN_CHAR.source);

/** The text as plain pieces and hidden-character pieces; they concatenate back to `text`. */
export function splitHidden(text: string): TextPiece[] {
  if (!ANY_HIDDEN.test(text)) return text ? [{ text }] : [];
  const out: TextPiece[] = [];
  const re = new RegExp(HIDDEN_CHAR.source, 'g');
  let at = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > at) out.push({ text: text.slice(at, m.index) });
    const code = m[0].charCodeAt(0);
    const label = codePointLabel(code);
    const title = isBidiControl(code)
      ? `${label} ${BIDI_CONTROLS[code]}: a bidirectional control in the data (shown, not applied)`
      : `${label}: a lone surrogate in the data (not valid Unicode)`;
    out.push({ text: m[0], label, title });
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push({ text: text.slice(at) });
  return out;
}

// Cutting rendered text into the pieces the Templates page draws: plain text and special-token
// chips (`<|im_start|>`, `<|eot_id|>`, `[INST]`). Pieces concatenate back to the input exactly,
// so the DOM's text is the rendered prompt byte for byte.
import type { TemplateSpec } from '../../templates/index.ts';

export interface Piece {
  text: string;
  special: boolean;
}

const cache = new Map<string, RegExp | null>();

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The chip pattern of a template: its special tokens plus BOS/EOS, longest first. */
export function specialPattern(spec: Pick<TemplateSpec, 'id' | 'specialTokens' | 'bos' | 'eos'>): RegExp | null {
  return tokenPattern([...spec.specialTokens, spec.bos, spec.eos]);
}

/** The chip pattern of any list of special tokens (an own-template column's), longest first. */
export function tokenPattern(tokens: string[]): RegExp | null {
  const toks = [...new Set(tokens.filter((t) => t.length > 0))];
  toks.sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  const key = toks.join('\u0000');
  if (cache.has(key)) return cache.get(key)!;
  const re = toks.length ? new RegExp(toks.map(escape).join('|'), 'g') : null;
  if (cache.size > 256) cache.clear();
  cache.set(key, re);
  return re;
}

export function splitSpecial(text: string, re: RegExp | null): Piece[] {
  if (!re) return text ? [{ text, special: false }] : [];
  const out: Piece[] = [];
  let at = 0;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > at) out.push({ text: text.slice(at, m.index), special: false });
    out.push({ text: m[0], special: true });
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push({ text: text.slice(at), special: false });
  return out;
}

// Tokens per turn for the token view: which span (turn content or scaffolding) each token starts in.
import type { Rendered, Span } from '../../templates/index.ts';
import type { TokenView } from './tokenizers.ts';

/** Tokens per turn: each non-scaffolding span with the tokens that start inside it. */
export function tokensPerSpan(rendered: Rendered, tokens: TokenView): { span: Span; tokens: number }[] {
  const counts = new Map<Span, number>();
  const spans = rendered.spans;
  let k = 0;
  for (let i = 0; i < tokens.ids.length; i++) {
    const s = tokens.offsets[2 * i];
    while (k < spans.length - 1 && spans[k].end <= s) k++;
    counts.set(spans[k], (counts.get(spans[k]) ?? 0) + 1);
  }
  return spans.map((span) => ({ span, tokens: counts.get(span) ?? 0 }));
}

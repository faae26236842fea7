// A rendered prompt drawn two ways. Text view: one element per span (data-start/-end/-trainable
// so tests and tools can read the trained ranges back), special tokens as chips. Token view: one
// box per token with its id on hover, trained tokens marked the same way as trained text.
// Trained vs not is told by background lightness, weight and an underline, never by hue alone.
import { Fragment, memo, type ReactNode } from 'react';
import type { Rendered, Span } from '../../templates/index.ts';
import { splitSpecial } from './segments.ts';
import { markHidden } from './mark-hidden.tsx';
import type { TokenView } from './tokenizers.ts';

/**
 * Newlines wrapped so CSS can draw a ↵ before each one, and bidirectional controls and lone
 * surrogates from the data as markers (mark-hidden.tsx); both are pseudo-elements, not part of the text,
 * so copying and textContent still give the exact prompt.
 */
function lines(text: string, show: boolean): ReactNode {
  if (!show || !text.includes('\n')) return markHidden(text);
  const parts = text.split('\n');
  const out: ReactNode[] = [];
  parts.forEach((p, i) => {
    if (i > 0) out.push(<span key={`n${i}`} className="nl">{'\n'}</span>);
    if (p) out.push(<Fragment key={`t${i}`}>{markHidden(p)}</Fragment>);
  });
  return out;
}

function spanClass(s: Span): string {
  return `sp sp-${s.role} ${s.trainable ? 'trained' : 'masked'}${s.added ? ' added' : ''}`;
}

function spanTitle(s: Span): string {
  const added = s.added ? ' · added for training (the official template does not write it)' : '';
  return `${s.role}${s.trainable ? ' · trained' : ' · not trained'}${added}`;
}

export const TextView = memo(function TextView({ rendered, special, newlines }: { rendered: Rendered; special: RegExp | null; newlines: boolean }) {
  const { text, spans } = rendered;
  return (
    <pre className="rendered" data-testid="rendered-text">
      {spans.map((s) => (
        <span
          key={s.start}
          className={spanClass(s)}
          data-start={s.start}
          data-end={s.end}
          data-role={s.role}
          data-trainable={String(s.trainable)}
          data-added={s.added ? 'true' : undefined}
          title={spanTitle(s)}
        >
          {splitSpecial(text.slice(s.start, s.end), special).map((p, i) =>
            p.special ? (
              <span key={i} className="chip">
                {p.text}
              </span>
            ) : (
              <Fragment key={i}>{lines(p.text, newlines)}</Fragment>
            ),
          )}
        </span>
      ))}
    </pre>
  );
});

export const TokensView = memo(function TokensView({
  rendered,
  tokens,
  special,
  newlines,
}: {
  rendered: Rendered;
  tokens: TokenView;
  special: RegExp | null;
  newlines: boolean;
}) {
  const { ids, labels, offsets } = tokens;
  const out = [];
  for (let i = 0; i < ids.length; i++) {
    const s = offsets[2 * i];
    const e = offsets[2 * i + 1];
    const piece = rendered.text.slice(s, e);
    const trained = labels[i] !== -100;
    const parts = splitSpecial(piece, special);
    const isSpecial = parts.length === 1 && parts[0].special;
    out.push(
      <span
        key={i}
        className={`tok tok-${i % 2} ${trained ? 'trained' : 'masked'}${isSpecial ? ' chip' : ''}`}
        data-id={ids[i]}
        data-trainable={String(trained)}
        title={`token ${i} · id ${ids[i]}${trained ? ' · trained' : ''}`}
      >
        {piece === '' ? '∅' : lines(piece, newlines)}
      </span>,
    );
  }
  return (
    <pre className="rendered tokens" data-testid="rendered-tokens">
      {out}
    </pre>
  );
});

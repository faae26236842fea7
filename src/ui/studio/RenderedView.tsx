// A rendered prompt drawn two ways. Text view: one element per span (data-start/-end/-trainable
// so tests and tools can read the trained ranges back), special tokens as chips. Token view: one
// box per token with its id on hover, trained tokens marked the same way as trained text.
// Trained vs not is told by background lightness, weight and an underline, never by hue alone.
// A loss weight other than 1 (ms-swift's loss_scale) changes the strength of that tint and the
// underline (weights.ts), with the number in the tooltip and in data-weight.
import { Fragment, memo, type ReactNode } from 'react';
import type { Rendered, Span } from '../../templates/index.ts';
import { splitSpecial } from './segments.ts';
import { markHidden } from './mark-hidden.tsx';
import type { TokenView } from './tokenizers.ts';
import { weightLook } from './weights.ts';

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
    if (i > 0)
      out.push(
        <span key={`n${i}`} className="nl">
          {'\n'}
        </span>,
      );
    if (p) out.push(<Fragment key={`t${i}`}>{markHidden(p)}</Fragment>);
  });
  return out;
}

/** A span's loss weight: its `weight` (1 when absent) when trained, else 0. */
const spanWeight = (s: Span) => (s.trainable ? (s.weight ?? 1) : 0);

function spanClass(s: Span): string {
  const w = weightLook(spanWeight(s)).className;
  return `sp sp-${s.role} ${s.trainable ? 'trained' : 'masked'}${s.added ? ' added' : ''}${w ? ` ${w}` : ''}`;
}

function spanTitle(s: Span): string {
  const added = s.added ? ' · added for training (the official template does not write it)' : '';
  const w = weightLook(spanWeight(s)).label;
  return `${s.role}${s.trainable ? ' · trained' : ' · not trained'}${w ? ` · ${w}` : ''}${added}`;
}

export const TextView = memo(function TextView({
  rendered,
  special,
  newlines,
}: {
  rendered: Rendered;
  special: RegExp | null;
  newlines: boolean;
}) {
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
          data-weight={s.trainable && s.weight !== undefined ? String(s.weight) : undefined}
          style={weightLook(spanWeight(s)).style}
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
  const { ids, labels, offsets, weights } = tokens;
  const out = [];
  for (let i = 0; i < ids.length; i++) {
    const s = offsets[2 * i];
    const e = offsets[2 * i + 1];
    const piece = rendered.text.slice(s, e);
    const trained = labels[i] !== -100;
    const parts = splitSpecial(piece, special);
    const isSpecial = parts.length === 1 && parts[0].special;
    const weight = weights ? weights[i] : trained ? 1 : 0;
    const look = weightLook(weight);
    out.push(
      <span
        key={i}
        className={
          `tok tok-${i % 2} ${trained ? 'trained' : 'masked'}${isSpecial ? ' chip' : ''}` +
          `${look.className ? ` ${look.className}` : ''}`
        }
        data-id={ids[i]}
        data-trainable={String(trained)}
        data-weight={trained && weight !== 1 ? String(weight) : undefined}
        style={look.style}
        title={`token ${i} · id ${ids[i]}${trained ? ' · trained' : ''}${look.label ? ` · ${look.label}` : ''}`}
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

// User text drawn with its hidden characters made visible (controls.ts): plain text as is, each
// bidirectional control or lone surrogate in an isolated span whose marker CSS draws (.ctl).
import { Fragment, type ReactNode } from 'react';
import { splitHidden } from './controls.ts';

export function markHidden(text: string): ReactNode {
  const pieces = splitHidden(text);
  if (pieces.length <= 1 && !pieces[0]?.label) return text;
  return pieces.map((p, i) =>
    p.label ? (
      <span key={i} className="ctl" data-cp={p.label} title={p.title}>
        {p.text}
      </span>
    ) : (
      <Fragment key={i}>{p.text}</Fragment>
    ),
  );
}

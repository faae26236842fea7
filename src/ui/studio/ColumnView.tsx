// What every Templates-page column shows under its header, built-in or the model's own template:
// counts, the tokenizer picker, the doctor's findings, the prompt (text or tokens) or the
// template's refusal, and tokens per turn.
import { useMemo, type ReactNode } from 'react';
import { TextView, TokensView } from './RenderedView.tsx';
import { showSpecNotes } from './SpecNotes.tsx';
import type { ColumnRender } from '../../templates/compare/render-column.ts';
import { trainedCharShare } from '../../templates/compare/render-column.ts';
import { useStudio } from './store.ts';
import { tokensPerSpan } from './token-turns.ts';
import { encodeForView, tokenizerFor, type TokenView } from './tokenizers.ts';
import { formatWeight } from './weights.ts';

const SEE_NOTES = 'see the spec notes';

/** A finding's message with a link to the column's notes: its own "see the spec notes", or one after it. */
function WithNotesLink({ message, column }: { message: string; column: number }) {
  const at = message.indexOf(SEE_NOTES);
  const link = (text: string) => (
    <button type="button" className="link" onClick={() => showSpecNotes(column)} data-testid={`notes-link-${column}`}>
      {text}
    </button>
  );
  if (at >= 0) {
    return (
      <>
        {message.slice(0, at)}
        {link(SEE_NOTES)}
        {message.slice(at + SEE_NOTES.length)}
      </>
    );
  }
  return (
    <>
      {message} ({link('spec notes')})
    </>
  );
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The token view of a column's result with the tokenizer filed under `tokKey`, if one is ready. */
export function useColumnTokens(
  tokKey: string | undefined,
  result: ColumnRender,
): TokenView | { error: string } | undefined {
  const tokStatus = useStudio((s) => (tokKey ? s.tokenizers[tokKey] : undefined));
  return useMemo(() => {
    const t = tokKey && tokStatus?.state === 'ready' ? tokenizerFor(tokKey) : undefined;
    if (!t || !result.ok) return undefined;
    try {
      return encodeForView(t, result.rendered);
    } catch (e) {
      return { error: (e as Error).message };
    }
  }, [tokStatus, tokKey, result]);
}

export function ColumnBody({
  column,
  name,
  result,
  tokens,
  special,
  picker,
  notices,
  notes,
  refusedText,
}: {
  column: number;
  /** What the column is called in labels ("qwen2_5", "model's own template"). */
  name: string;
  result: ColumnRender;
  tokens: TokenView | { error: string } | undefined;
  special: RegExp | null;
  picker: ReactNode;
  /** Shown above the doctor's list (the own-template column's approximate-spans badge). */
  notices?: ReactNode;
  /** A built-in template's notes panel (SpecNotes), which each finding links to. */
  notes?: ReactNode;
  refusedText: string;
}) {
  const maxLength = useStudio((s) => s.choices.maxLength);
  const viewTokens = useStudio((s) => s.viewTokens);
  const newlines = useStudio((s) => s.showNewlines);
  const tv = tokens && !('error' in tokens) ? tokens : undefined;
  const warnings = result.ok ? result.rendered.warnings : result.warnings;
  return (
    <>
      {result.ok && (
        <p className="column-stats" data-testid={`column-stats-${column}`}>
          <span>{result.rendered.text.length.toLocaleString()} chars</span>
          <span>trained {pct(trainedCharShare(result.rendered))} of chars</span>
          {tv && (
            <>
              <span data-testid={`token-count-${column}`}>
                <b>{tv.ids.length.toLocaleString()}</b> tokens
              </span>
              <span>
                <b>{pct(tv.ids.length ? tv.trained / tv.ids.length : 0)}</b> trained
              </span>
              {tv.ids.length > maxLength && (
                <span className="err-text" data-testid={`over-max-${column}`}>
                  over max_length {maxLength}
                </span>
              )}
            </>
          )}
        </p>
      )}
      {picker}
      {tokens && 'error' in tokens && <p className="err-text small">tokenizing failed: {tokens.error}</p>}
      {notices}
      {warnings.length > 0 && (
        <ul className="doctor" aria-label="Template doctor" data-testid={`doctor-${column}`}>
          {warnings.map((w, i) => (
            <li key={i} data-code={w.code}>
              <b>{w.code}</b>: {notes ? <WithNotesLink message={w.message} column={column} /> : w.message}
            </li>
          ))}
        </ul>
      )}
      {notes}
      {result.ok ? (
        <div className="render-box" tabIndex={0} aria-label={`${name} prompt`} data-testid={`render-${column}`}>
          {viewTokens && tv ? (
            <TokensView rendered={result.rendered} tokens={tv} special={special} newlines={newlines} />
          ) : (
            <TextView rendered={result.rendered} special={special} newlines={newlines} />
          )}
        </div>
      ) : (
        <p className="err-text refused" role="status" data-testid={`refused-${column}`}>
          {refusedText}: <span data-testid={`refused-message-${column}`}>{result.error}</span>
        </p>
      )}
      {result.ok && tv && (
        <details className="per-turn">
          <summary>Tokens per turn</summary>
          <table>
            <tbody>
              {tokensPerSpan(result.rendered, tv)
                .filter((x) => x.span.role !== 'template')
                .map((x) => (
                  <tr key={x.span.start}>
                    <td>{x.span.role}</td>
                    <td>{x.tokens}</td>
                    <td>
                      {x.span.trainable
                        ? x.span.weight !== undefined
                          ? `trained × ${formatWeight(x.span.weight)}`
                          : 'trained'
                        : ''}
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        </details>
      )}
    </>
  );
}

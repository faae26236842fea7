// A "model's own template" column: the record rendered by a Hugging Face chat_template through
// @huggingface/jinja, with the same highlighting as the built-in columns. Spans come from rendering
// prefixes; where the template rewrites earlier turns they are approximate, and the column says so
// and why. A template that refuses the record (raise_exception) shows its message in place.
import { useMemo, useState } from 'react';
import type { Conversation } from '../../data/index.ts';
import { ColumnBody, useColumnTokens } from './ColumnView.tsx';
import { OwnSourceForm } from './OwnSourceForm.tsx';
import { chipTokens, renderOwnColumn } from '../../templates/compare/own-template.ts';
import type { ColumnRender } from '../../templates/compare/render-column.ts';
import { tokenPattern } from './segments.ts';
import { useStudio, type OwnColumn } from './store.ts';
import { TokenizerPicker } from './TokenizerPicker.tsx';
import { unloadTokenizer } from './tokenizers.ts';

const KIND_LABEL = { paste: 'Pasted', jinja: 'Jinja file', file: 'File', tokenizer: 'Tokenizer' } as const;
const NOTHING: ColumnRender = { ok: false, error: 'no template yet', warnings: [] };

export function OwnTemplateColumn({
  own,
  column,
  conv,
  canRemove,
}: {
  own: OwnColumn;
  column: number;
  conv: Conversation;
  canRemove: boolean;
}) {
  const choices = useStudio((s) => s.choices);
  const removeOwnColumn = useStudio((s) => s.removeOwnColumn);
  const src = own.source;
  const [editing, setEditing] = useState(src === null);
  const result = useMemo(() => (src ? renderOwnColumn(src, conv, choices) : NOTHING), [src, conv, choices]);
  // The approximate-spans finding is shown as a badge, not in the doctor's list.
  const approx = result.ok ? result.rendered.warnings.find((w) => w.code === 'approximate_spans') : undefined;
  const shown = useMemo<ColumnRender>(
    () =>
      result.ok && approx
        ? { ok: true, rendered: { ...result.rendered, warnings: result.rendered.warnings.filter((w) => w !== approx) } }
        : result,
    [result, approx],
  );
  // A template taken from a loaded tokenizer tokenizes with it; otherwise the column's own picker.
  const tokKey = src?.kind === 'tokenizer' && src.tokenizerKey ? src.tokenizerKey : own.key;
  const tokens = useColumnTokens(tokKey, result);
  const special = useMemo(() => (src ? tokenPattern(chipTokens(src)) : null), [src]);
  const name = "model's own template";

  return (
    <article
      className="column own-column"
      data-testid={`column-${column}`}
      data-template="own"
      aria-label={`Model's own template (column ${column + 1})`}
    >
      <header className="column-head">
        <h3 className="own-title">Model's own template</h3>
        <button
          type="button"
          className="icon"
          disabled={!result.ok}
          onClick={() => result.ok && void navigator.clipboard?.writeText(result.rendered.text)}
          aria-label={`Copy the prompt of column ${column + 1}`}
          title="Copy the prompt text"
        >
          Copy
        </button>
        <button
          type="button"
          className="icon"
          onClick={() => {
            // Its tokenizer goes too, unless another own column took its template from it.
            const st = useStudio.getState();
            if (!st.ownColumns.some((c) => c.key !== own.key && c.source?.tokenizerKey === own.key))
              unloadTokenizer(own.key);
            removeOwnColumn(own.key);
          }}
          disabled={!canRemove}
          aria-label={`Remove column ${column + 1}`}
          title="Remove this column"
        >
          ✕
        </button>
      </header>
      <p className="column-models small muted" data-testid={`own-source-${column}`} title={src?.label}>
        {src
          ? `${KIND_LABEL[src.kind]}: ${src.label}${src.templateName ? ` · ${src.templateName}` : ''}`
          : 'No template yet: choose a source below'}
      </p>
      <details
        className="own-source"
        open={editing}
        onToggle={(e) => setEditing((e.currentTarget as HTMLDetailsElement).open)}
      >
        <summary data-testid={`own-edit-${column}`}>{src ? 'Change the template' : 'Template source'}</summary>
        <OwnSourceForm ownKey={own.key} column={column} current={src} onApplied={() => setEditing(false)} />
      </details>
      {src ? (
        <ColumnBody
          column={column}
          name={name}
          result={shown}
          tokens={tokens}
          special={special}
          picker={
            src.kind === 'tokenizer' && src.tokenizerKey !== own.key ? (
              <p className="small muted">Tokens: with the tokenizer the template came from ({src.label}).</p>
            ) : (
              <TokenizerPicker tokKey={own.key} models={[]} column={column} />
            )
          }
          notices={
            approx && (
              <div className="approx" role="note" data-testid={`approx-${column}`}>
                <span className="badge badge-warning">approximate spans</span>{' '}
                <span className="small">{approx.message.replace(/^spans are approximate: /, '')}</span>
              </div>
            )
          }
          refusedText="The template refuses this record"
        />
      ) : (
        <TokenizerPicker tokKey={own.key} models={[]} column={column} />
      )}
    </article>
  );
}

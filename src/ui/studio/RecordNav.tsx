// Moving through records: previous/next, jump to a line, and ←/→ (or j/k) from the keyboard
// anywhere on the page except inside a text field.
import { useEffect, useState, type FormEvent } from 'react';
import { indexAtOrAfter } from './line-index.ts';
import { useStudio } from './store.ts';

const KEYS_OF_THEIR_OWN = new Set(['text', 'number', 'search', 'email', 'url', 'password', 'date', 'radio']);

/** Arrow keys belong to text fields, selects and radio groups while they have focus. */
function isTyping(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  if (!el) return false;
  if (el.tagName === 'INPUT') return KEYS_OF_THEIR_OWN.has((el as HTMLInputElement).type);
  return el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable;
}

export function RecordNav({ validOnly = false }: { validOnly?: boolean }) {
  const results = useStudio((s) => s.results);
  const selected = useStudio((s) => s.selected);
  const select = useStudio((s) => s.select);
  const [jump, setJump] = useState('');
  const [jumpError, setJumpError] = useState('');

  const ok = (i: number) =>
    i >= 0 && i < results.length && results[i].line > 0 && (!validOnly || !!results[i].conversation);
  const step = (dir: 1 | -1) => {
    for (let i = selected + dir; i >= 0 && i < results.length; i += dir) {
      if (ok(i)) return select(i);
    }
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey || isTyping(e.target)) return;
      if (e.key === 'ArrowRight' || e.key === 'j') {
        e.preventDefault();
        step(1);
      } else if (e.key === 'ArrowLeft' || e.key === 'k') {
        e.preventDefault();
        step(-1);
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  });

  // Counted, not filtered into a new array: this renders on every batch of a loading file.
  const total = useStudio((s) => (validOnly ? s.summary.valid : s.summary.records));
  const current = results[selected];
  let position = 0;
  if (current && ok(selected)) {
    for (let i = 0; i <= selected; i++) if (ok(i)) position++;
  }
  const records = { length: total };

  const onJump = (e: FormEvent) => {
    e.preventDefault();
    const n = Number(jump);
    let i = -1;
    if (Number.isInteger(n))
      for (let k = Math.max(0, indexAtOrAfter(results, n)); k < results.length && i < 0; k++) if (ok(k)) i = k;
    if (!Number.isInteger(n) || i < 0) {
      setJumpError(`no ${validOnly ? 'valid ' : ''}record at line ${jump}`);
      return;
    }
    setJumpError('');
    select(i);
  };

  return (
    <div className="record-nav" role="group" aria-label="Record navigation">
      <button
        type="button"
        onClick={() => step(-1)}
        disabled={position <= 1}
        aria-label="Previous record"
        title="Previous record (← or k)"
      >
        ← Prev
      </button>
      <span className="record-pos" data-testid="record-position" aria-live="polite">
        {position > 0 ? (
          <>
            Record <b>{position}</b> of {records.length} · line <b data-testid="record-line">{current.line}</b>
          </>
        ) : (
          'No record'
        )}
      </span>
      <button
        type="button"
        onClick={() => step(1)}
        disabled={position >= records.length}
        aria-label="Next record"
        title="Next record (→ or j)"
      >
        Next →
      </button>
      <form onSubmit={onJump} className="jump">
        <label>
          Line{' '}
          <input
            type="number"
            min={1}
            value={jump}
            onChange={(e) => setJump(e.target.value)}
            aria-label="Jump to line"
          />
        </label>
        <button type="submit">Go</button>
        {jumpError && (
          <span className="warn" role="status">
            {jumpError}
          </span>
        )}
      </form>
    </div>
  );
}

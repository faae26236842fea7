// One record as the reader understood it: system, tools and turns, or why it was rejected.
// Everything from the file is rendered as React text (never as HTML), with bidirectional controls
// and lone surrogates drawn as visible markers (mark-hidden.tsx) so they cannot reorder what is shown.
import type { Conversation } from '../../data/index.ts';
import type { StudioRecord } from '../../workers/dataset-protocol.ts';
import { markHidden } from './mark-hidden.tsx';

function json(v: unknown): string {
  try {
    return JSON.stringify(v, null, 2);
  } catch {
    return String(v);
  }
}

export function IssueBadge({ severity, code }: { severity: string; code: string }) {
  return (
    <span className={`badge badge-${severity}`}>
      <span className="sr-only">{severity}: </span>
      {severity === 'error' ? '✕' : '!'} {code}
    </span>
  );
}

function Turns({ conv }: { conv: Conversation }) {
  return (
    <ol className="turns">
      {conv.system !== undefined && (
        <li className="turn turn-system">
          <div className="turn-role">system</div>
          <div className="turn-text">{markHidden(conv.system)}</div>
        </li>
      )}
      {conv.messages.map((m, i) => (
        <li key={i} className={`turn turn-${m.role}`}>
          <div className="turn-role">
            {m.role}
            {m.name ? <> · {markHidden(m.name)}</> : ''}
            {m.tool_call_id ? <> · {markHidden(m.tool_call_id)}</> : ''}
            {m.loss !== undefined && <span className="muted"> · loss: {String(m.loss)}</span>}
          </div>
          {m.reasoning_content !== undefined && (
            <details className="turn-reasoning">
              <summary>reasoning</summary>
              <div className="turn-text">{markHidden(m.reasoning_content)}</div>
            </details>
          )}
          {m.content !== '' && <div className="turn-text">{markHidden(m.content)}</div>}
          {m.tool_calls?.map((c, k) => (
            <div key={k} className="tool-call">
              <span className="tool-call-name">→ {markHidden(c.name)}</span>
              {c.id && <span className="muted"> ({markHidden(c.id)})</span>}
              <pre>{markHidden(json(c.arguments))}</pre>
            </div>
          ))}
        </li>
      ))}
    </ol>
  );
}

/** The rejected line as written, with the invalid-JSON column marked. */
function RawLine({ raw, column }: { raw: string; column?: number }) {
  const at = column !== undefined && column >= 1 && column <= raw.length ? column - 1 : -1;
  return (
    <figure className="raw">
      <figcaption className="small muted">The line as written{at >= 0 ? `, column ${column} marked` : ''}:</figcaption>
      <pre data-testid="raw-line">
        {at >= 0 ? (
          <>
            {markHidden(raw.slice(0, at))}
            <mark className="raw-at">{markHidden(raw.slice(at, at + 1))}</mark>
            {markHidden(raw.slice(at + 1))}
          </>
        ) : (
          markHidden(raw)
        )}
      </pre>
    </figure>
  );
}

export function RecordView({ result }: { result: StudioRecord | undefined }) {
  if (!result) return <p className="muted">No record selected.</p>;
  const conv = result.conversation;
  return (
    <div className="record" data-testid="record-view" data-line={result.line}>
      <p className="record-meta">
        Line {result.line}
        {result.format && (
          <>
            {' '}
            · format <code>{result.format}</code>
          </>
        )}
        {conv && <> · {conv.messages.length} turns</>}
        {conv?.tools?.length ? <> · {conv.tools.length} tools</> : null}
        {!conv && <strong className="err-text"> · rejected</strong>}
      </p>
      {result.issues.length > 0 && (
        <ul className="record-issues">
          {result.issues.map((i, k) => (
            <li key={k}>
              <IssueBadge severity={i.severity} code={i.code} /> {markHidden(i.message)}
              {i.path && <span className="muted"> ({markHidden(i.path)})</span>}
            </li>
          ))}
        </ul>
      )}
      {result.raw !== undefined && <RawLine raw={result.raw} column={result.issues.find((i) => i.column)?.column} />}
      {conv?.tools?.length ? (
        <details className="tools">
          <summary>Tools ({markHidden(conv.tools.map((t) => t.function.name).join(', '))})</summary>
          <pre>{markHidden(json(conv.tools))}</pre>
        </details>
      ) : null}
      {conv && <Turns conv={conv} />}
    </div>
  );
}

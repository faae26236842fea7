// The Chat page's pieces that show a conversation: each side's history, and a reply's tool calls
// parsed back into name + arguments beside the call as the template writes it.
import type { Message } from '../../data/types.ts';
import type { ToolCallParse } from '../../infer/tool-calls.ts';

export interface Live {
  text: string;
  state: 'idle' | 'loading' | 'streaming' | 'done' | 'error';
  note: string;
  /** The finished reply's tool calls, parsed back (null before it finished). */
  parse: ToolCallParse | null;
  /** The finished reply's calls as the template writes them. */
  callText: string | null;
}

export const IDLE: Live = { text: '', state: 'idle', note: '', parse: null, callText: null };

export function HistoryView({ messages }: { messages: readonly Message[] }) {
  if (!messages.length) return null;
  return (
    <ol className="chat-history plain" data-testid="chat-history">
      {messages.map((m, i) => (
        <li key={i} className={`bubble ${m.role}`} data-role={m.role}>
          <span className="who small muted">{m.role === 'tool' ? `tool result · ${m.name ?? ''}` : m.role}</span>
          {m.tool_calls?.length ? (
            <>
              {m.content ? <span className="text">{m.content}</span> : null}
              {m.tool_calls.map((c, k) => (
                <code key={k} className="call-line">
                  {c.name}({JSON.stringify(c.arguments)})
                </code>
              ))}
            </>
          ) : (
            <span className="text">{m.content}</span>
          )}
        </li>
      ))}
    </ol>
  );
}

export function ToolCalls({ live, testid }: { live: Live; testid: string }) {
  const p = live.parse;
  if (!p || (!p.calls.length && !p.error)) return null;
  return (
    <div className="tool-calls" data-testid={`${testid}-calls`}>
      {p.calls.map((c, i) => (
        <div key={i} className="tool-call-parsed" data-testid={`${testid}-call`} data-name={c.name}>
          <strong className="small">Tool call</strong> <code>{c.name}</code>
          <pre className="args" data-testid={`${testid}-call-args`}>
            {c.arguments !== undefined ? JSON.stringify(c.arguments, null, 2) : c.argumentsText}
          </pre>
          {c.arguments === undefined && (
            <p className="warn small">The arguments are neither JSON nor a Python literal.</p>
          )}
        </div>
      ))}
      {p.calls.length > 0 && <small className="muted">Parsed with ms-swift&apos;s {p.parser} get_toolcall.</small>}
      {live.callText && (
        <>
          <div className="small muted">As the template writes this call:</div>
          <pre className="reply call-text" data-testid={`${testid}-call-text`}>
            {live.callText}
          </pre>
        </>
      )}
      {p.error && <p className="muted small">{p.error}</p>}
    </div>
  );
}

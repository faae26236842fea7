// Which tool call each tool result answers. The reader uses it to find results with no call; a
// template that prints a result's function name can use it for data that does not repeat the
// name on the tool message (ms-swift, sharegpt, most OpenAI data).
import type { Message, ToolCall } from './types.ts';

export interface ToolResultMatch {
  /** Per message index: for a tool message, the call it answers (undefined when none). */
  answers: (ToolCall | undefined)[];
  /** Tool messages that answer nothing: `id` = their tool_call_id names no earlier call,
   * `exhausted` = every call of the current round already has its result, `none` = no call before. */
  orphans: { message: number; reason: 'id' | 'exhausted' | 'none' }[];
  /** Calls that get no result before the next user or assistant turn. */
  unanswered: { message: number; call: number }[];
}

/**
 * Each tool result answers one call: the one its `tool_call_id` names, else the next unanswered
 * call of the latest assistant turn, in order (ms-swift and sharegpt have no ids: parallel
 * results come in the order of the calls). Calls still open when the conversation ends are not
 * `unanswered`: a record may end on a call.
 */
export function matchToolResults(messages: Message[]): ToolResultMatch {
  interface Open {
    call: ToolCall;
    message: number;
    index: number;
    answered: boolean;
  }
  const out: ToolResultMatch = { answers: messages.map(() => undefined), orphans: [], unanswered: [] };
  const all: Open[] = [];
  let round: Open[] = [];
  const close = () => {
    for (const o of round) if (!o.answered) out.unanswered.push({ message: o.message, call: o.index });
    round = [];
  };
  messages.forEach((m, i) => {
    if (m.role === 'user') close();
    if (m.role === 'assistant') {
      close();
      m.tool_calls?.forEach((call, j) => {
        const o = { call, message: i, index: j, answered: false };
        round.push(o);
        all.push(o);
      });
    }
    if (m.role !== 'tool') return;
    let match: Open | undefined;
    if (m.tool_call_id !== undefined) {
      const withId = all.filter((o) => o.call.id === m.tool_call_id);
      match = withId.find((o) => !o.answered) ?? withId[0];
      if (!match) out.orphans.push({ message: i, reason: 'id' });
    } else {
      match = round.find((o) => !o.answered);
      if (!match) out.orphans.push({ message: i, reason: round.length > 0 ? 'exhausted' : 'none' });
    }
    if (match) {
      match.answered = true;
      out.answers[i] = match.call;
    }
  });
  return out;
}

// Checks on the conversation as a whole, once every field has been read. They run only when the
// fields were all fine: a record with a broken field is invalid already, and judging the turn
// order of a half-read conversation would only add noise to its report.
import type { Draft } from './draft.ts';
import type { NormalizeOptions } from './normalize.ts';
import { matchToolResults } from './tool-results.ts';

export function checkConversation(d: Draft, opts: NormalizeOptions = {}): void {
  if (d.tools) {
    const names = new Set(d.tools.map((t) => t.function.name));
    d.messages.forEach((m, i) => {
      m.tool_calls?.forEach((c, j) => {
        if (!names.has(c.name)) {
          const path = d.callPaths[i][j];
          d.issue(
            'unknown_tool',
            `${path} calls '${c.name}', which is not among tools (${[...names].join(', ')})`,
            path,
          );
        }
      });
    });
  }
  if (d.failed) return;

  const last = d.messages.at(-1);
  // A prompt to generate from ends where the model's reply starts: after the user or a tool result.
  const prompt = opts.forGeneration === true && (last?.role === 'user' || last?.role === 'tool');
  if (!prompt && !d.messages.some((m) => m.role === 'assistant')) {
    d.issue(
      'no_assistant_turn',
      d.messages.length === 0 ? 'the conversation has no turns' : 'the conversation has no assistant turn to train on',
    );
    return;
  }
  toolResults(d);
  if (d.failed) return;
  roleOrder(d, prompt);
  d.messages.forEach((m, i) => {
    if (m.content === '' && (m.role === 'user' || (m.role === 'assistant' && !m.tool_calls))) {
      d.issue('empty_content', `${d.paths[i]} is an empty ${m.role} turn`, d.paths[i]);
    }
  });
}

function toolResults(d: Draft): void {
  const match = matchToolResults(d.messages);
  for (const o of match.orphans) {
    const m = d.messages[o.message];
    if (o.reason === 'id') {
      const path = `${d.paths[o.message]}.tool_call_id`;
      d.issue('tool_result_without_call', `${path} is '${m.tool_call_id}', but no earlier tool call has that id`, path);
    } else {
      const why =
        o.reason === 'exhausted'
          ? 'every call before it already has its result'
          : 'no assistant tool call comes before it';
      d.issue('tool_result_without_call', `${d.paths[o.message]} is a tool result, but ${why}`, d.paths[o.message]);
    }
  }
  for (const u of match.unanswered) {
    // The call itself, not its name: callPaths point at names for unknown_tool.
    const path = d.callPaths[u.message][u.call].replace(/(\.function)?\.name$/, '');
    const name = d.messages[u.message].tool_calls![u.call].name;
    d.issue('tool_call_without_result', `${path}: the call to '${name}' gets no tool result`, path);
  }
}

function roleOrder(d: Draft, prompt: boolean): void {
  const msgs = d.messages;
  const first = msgs[0];
  if (first.role !== 'user') {
    d.issue('role_order', `${d.paths[0]}: the first turn is from the ${first.role}, not the user`, d.paths[0]);
  }
  for (let i = 1; i < msgs.length; i++) {
    const prev = msgs[i - 1];
    const cur = msgs[i];
    const twoUsers = prev.role === 'user' && cur.role === 'user';
    // After a turn with calls, a missing result is tool_call_without_result's to report.
    const twoReplies = prev.role === 'assistant' && cur.role === 'assistant' && !prev.tool_calls;
    if (twoUsers || twoReplies) {
      d.issue('role_order', `${d.paths[i]}: two ${cur.role} turns in a row`, d.paths[i]);
    }
  }
  const last = msgs[msgs.length - 1];
  if (!prompt && (last.role === 'user' || last.role === 'tool')) {
    const path = d.paths[msgs.length - 1];
    d.issue('role_order', `${path}: the conversation ends with a ${last.role} turn, which is not trained`, path);
  }
}

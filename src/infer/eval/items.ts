// What an evaluation asks of a record: everything before its last assistant reply is the prompt
// (rendered with the template's generation prompt), and that reply — its text, its tool calls — is
// the reference the generated reply is scored against. A record whose last assistant reply is
// not the end of the conversation is cut there; one without an assistant reply is asked as it is
// and scored on nothing.
import type { Conversation, ToolCall } from '../../data/types.ts';

export interface EvalItem {
  /** The record's line in its file. */
  line: number;
  /** The conversation up to the reply to generate. */
  prompt: Conversation;
  /** The reference reply; null when the record has none. */
  reference: { content: string; tool_calls?: ToolCall[] } | null;
}

export function evalItem(conv: Conversation): EvalItem {
  const at = conv.messages.findLastIndex((m) => m.role === 'assistant');
  const line = conv.source.line;
  if (at < 0) return { line, prompt: conv, reference: null };
  const reply = conv.messages[at];
  const prompt: Conversation = { ...conv, messages: conv.messages.slice(0, at) };
  const reference = reply.tool_calls?.length
    ? { content: reply.content, tool_calls: reply.tool_calls }
    : { content: reply.content };
  return { line, prompt, reference };
}

/** The last user message of the prompt (or tool result), shown beside the replies. */
export function lastAsk(item: EvalItem): string {
  const m = item.prompt.messages.findLast((x) => x.role !== 'assistant');
  return m ? (m.role === 'tool' ? `[tool ${m.name ?? 'result'}] ${m.content}` : m.content) : '';
}

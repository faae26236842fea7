// Qwen3.5's reasoning rule (official ../shared/reference/chat_templates/Qwen3.5-4B.jinja): content
// is trimmed first (`render_content(...)|trim`); reasoning comes from `reasoning_content`, else from
// an inline `<think>…</think>` (the text before `</think>`, right-stripped of newlines, after the
// last `<think>`, left-stripped of newlines; the content after the last `</think>`, left-stripped of
// newlines), and is trimmed. EVERY reply after the last user query gets `<think>\n…\n</think>\n\n`
// (empty when there is no reasoning; Qwen3 only gives the last one an empty block); replies before
// it get none and lose their reasoning. A user turn that is only a <tool_response> block is not a
// query. The generation prompt opens `<think>\n` (thinking) or writes an empty block
// (enable_thinking=false).
import type { Conversation, Message } from '../../data/types.ts';
import { TemplateError } from '../errors.ts';
import { pyLstrip, pyRstrip, pyStrip } from '../pyjson.ts';
import type { ThinkingRule } from '../thinking.ts';

const DROPPED = 'reasoning of turns before the last user message is dropped, as the official template does';

/** `<tool_response>…</tool_response>` as a whole user turn: results passed as user text, not a query. */
export const isToolResponseTurn = (content: string): boolean =>
  content.startsWith('<tool_response>') && content.endsWith('</tool_response>');

/** Qwen's split of an inline think block: [reasoning, content] as the official templates cut them. */
export function splitInlineThink(content: string): [string, string] {
  const parts = content.split('</think>');
  const before = pyRstrip(parts[0], '\n').split('<think>');
  return [pyLstrip(before[before.length - 1], '\n'), pyLstrip(parts[parts.length - 1], '\n')];
}

export const qwen3_5: ThinkingRule = {
  check(conv: Conversation) {
    if (conv.system === undefined && conv.messages.length === 0) throw new TemplateError('No messages provided.');
    if (qwen3_5.lastQuery(conv.messages) < 0) throw new TemplateError('No user query found in messages.');
  },
  lastQuery(messages: Message[]) {
    for (let i = messages.length - 1; i >= 0; i--) {
      if (messages[i].role === 'user' && !isToolResponseTurn(pyStrip(messages[i].content))) return i;
    }
    return -1;
  },
  reply(m, ctx) {
    const i = ctx.index;
    let content = pyStrip(m.content);
    let reasoning = '';
    if (typeof m.reasoning_content === 'string') reasoning = m.reasoning_content;
    else if (content.includes('</think>')) [reasoning, content] = splitInlineThink(content);
    reasoning = pyStrip(reasoning);
    if (i > ctx.lastQuery) {
      const think = '<think>\n' + reasoning + '\n</think>\n\n';
      const empty = reasoning === '' && !ctx.trainEmptyThink;
      return {
        pieces: [
          empty ? { text: think, role: 'template' } : { text: think, role: 'assistant', msg: i },
          { text: content, role: 'assistant', msg: i },
        ],
        content,
      };
    }
    if (reasoning) ctx.warn('thinking_dropped', DROPPED);
    return { pieces: [{ text: content, role: 'assistant', msg: i }], content };
  },
  thinkPrompt: '<think>\n',
  thinkPromptByDefault: true,
  noThinkPrompt: '<think>\n\n</think>\n\n',
};

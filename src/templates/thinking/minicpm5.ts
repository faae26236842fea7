// MiniCPM5's reasoning rule (official ../shared/reference/chat_templates/openbmb-MiniCPM5-1B.jinja):
// reasoning from `reasoning_content`, else Qwen's inline `<think>…</think>` split; replies after the
// last user query that have reasoning are written `<think>\n` + reasoning (newlines stripped) +
// `\n</think>\n\n` + content (leading newlines stripped), every other reply as its content alone
// (reasoning before the query is dropped). A user turn that is only a <tool_response> block is not
// a query; without any query, the last message counts as one. enable_thinking only changes the
// generation prompt, and only when given: true `<think>\n`, false `<think>\n\n</think>\n\n`.
import { pyLstrip, pyStrip } from '../pyjson.ts';
import type { ThinkingRule } from '../thinking.ts';
import { isToolResponseTurn, splitInlineThink } from './qwen3_5.ts';

export const minicpm5: ThinkingRule = {
  lastQuery(messages) {
    for (let i = messages.length - 1; i >= 0; i--) {
      if (messages[i].role === 'user' && !isToolResponseTurn(messages[i].content)) return i;
    }
    return messages.length - 1;
  },
  reply(m, ctx) {
    const i = ctx.index;
    let content = m.content;
    let reasoning = '';
    if (typeof m.reasoning_content === 'string') reasoning = m.reasoning_content;
    else if (content.includes('</think>')) [reasoning, content] = splitInlineThink(content);
    if (i > ctx.lastQuery && reasoning) {
      const think = '<think>\n' + pyStrip(reasoning, '\n') + '\n</think>\n\n';
      return {
        pieces: [
          { text: think, role: 'assistant', msg: i },
          { text: pyLstrip(content, '\n'), role: 'assistant', msg: i },
        ],
        content,
      };
    }
    if (reasoning)
      ctx.warn(
        'thinking_dropped',
        'reasoning of turns before the last user message is dropped, as the official template does',
      );
    return { pieces: [{ text: content, role: 'assistant', msg: i }], content };
  },
  thinkPrompt: '<think>\n',
  thinkPromptByDefault: false,
  noThinkPrompt: '<think>\n\n</think>\n\n',
};

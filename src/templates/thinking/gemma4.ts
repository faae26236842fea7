// Gemma 4's replies and system turn (official ../shared/reference/chat_templates/google-gemma-4-31B-it.jinja):
// a reply's content has its `<|channel>…<channel|>` parts cut out and is trimmed (strip_thinking);
// reasoning is written only for a call turn after the last user message
// (`<|channel>thought\nR\n<channel|>` before the calls); other reasoning is dropped (warning
// thinking_dropped). enable_thinking (default off) puts `<|think|>\n` at the top of the system turn
// (written for it alone if need be) and, off, the generation prompt closes an empty thought channel.
import type { Piece } from '../agent/types.ts';
import { pyStrip } from '../pyjson.ts';
import type { ThinkingRule } from '../thinking.ts';

export function gemmaStripThinking(text: string): string {
  let out = '';
  for (const part of text.split('<channel|>')) out += part.includes('<|channel>') ? part.split('<|channel>')[0] : part;
  return pyStrip(out);
}

export const gemma4: ThinkingRule = {
  lastQuery(messages) {
    for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'user') return i;
    return -1;
  },
  system(sys, opts) {
    if (!opts.enableThinking) return sys;
    return [{ text: '<|think|>\n', role: 'template' }, ...(sys ?? [])];
  },
  reply(m, ctx) {
    const i = ctx.index;
    const pieces: Piece[] = [];
    const r = m.reasoning_content;
    if (ctx.hasCalls) {
      if (r && i > ctx.lastQuery)
        pieces.push({
          text: '<|channel>thought\n' + r + '\n<channel|>',
          role: 'assistant',
          msg: i,
        });
      else if (r)
        ctx.warn(
          'thinking_dropped',
          'Gemma 4 writes reasoning only in the tool-calling turns after the last user message',
        );
      // The call turn's text comes after its results (the format writes it).
      return { pieces, content: gemmaStripThinking(m.content) };
    }
    if (r)
      ctx.warn(
        'thinking_dropped',
        'Gemma 4 writes reasoning only in the tool-calling turns after the last user message',
      );
    const content = gemmaStripThinking(m.content);
    if (content) pieces.push({ text: content, role: 'assistant', msg: i });
    return { pieces, content };
  },
  promptSuffix: (opts) => (opts.enableThinking ? '' : '<|channel>thought\n<channel|>'),
};

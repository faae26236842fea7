// LFM2.5's reasoning rule (official ../shared/reference/chat_templates/LFM2.5-Instruct.jinja): the
// reasoning lives in the content (`…</think>answer`); every assistant reply but the LAST assistant
// message of the conversation is cut to what follows its last `</think>`, trimmed, unless
// keep_past_thinking (default false). There is no reasoning field: reasoning_content is not written
// (warning thinking_dropped).
import type { Message } from '../../data/types.ts';
import { pyStrip } from '../pyjson.ts';
import type { ThinkingRule, ThinkingOptions } from '../thinking.ts';

/** The content as LFM2.5 writes it for message i (also used on a call turn's text with its calls). */
export function lfm2_5Content(
  messages: Message[],
  i: number,
  content: string,
  opts: Pick<ThinkingOptions, 'vars'>,
): string {
  let last = -1;
  messages.forEach((m, k) => m.role === 'assistant' && (last = k));
  if (opts.vars.keep_past_thinking || i === last || !content.includes('</think>')) return content;
  return pyStrip(content.split('</think>').at(-1)!);
}

export const lfm2_5: ThinkingRule = {
  lastQuery: (messages) => messages.length - 1,
  reply(m, ctx) {
    if (m.reasoning_content)
      ctx.warn('thinking_dropped', 'the official template has no reasoning field: reasoning_content is not written');
    const content = lfm2_5Content(ctx.conversation.messages, ctx.index, m.content, ctx);
    if (content !== m.content)
      ctx.warn(
        'thinking_dropped',
        'reasoning in the content of earlier replies is cut, as the official template does ' +
          '(keep_past_thinking keeps it)',
      );
    return { pieces: [{ text: content, role: 'assistant', msg: ctx.index }], content };
  },
};

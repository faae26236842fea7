// DeepSeek-V3.1's reasoning rule (official ../shared/reference/chat_templates/deepseek-ai-DeepSeek-V3.1.jinja):
// a reply that follows a user turn gets `<｜Assistant｜>` and a think block, written empty
// (`<think></think>`); the content of a reply that does not follow a tool result is cut after its
// first `</think>`. The official template, written for inference, never writes reasoning; like
// deepseek_r1 we keep the reasoning of the reply after the LAST user turn as `<think>R</think>`
// so it is trained (warning reasoning_kept); earlier reasoning is dropped (warning thinking_dropped).
// `thinking` / enable_thinking (default false) only chooses the generation prompt's block:
// `<think>` (thinking) or `<think></think>`. A reply after tool results has no header and no block.
import type { Piece } from '../agent/types.ts';
import type { ThinkingRule } from '../thinking.ts';

export const deepseek_v3_1: ThinkingRule = {
  lastQuery(messages) {
    for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'user') return i;
    return -1;
  },
  reply(m, ctx) {
    const i = ctx.index;
    const prev = ctx.conversation.messages[i - 1]?.role;
    let content = m.content;
    let reasoning = m.reasoning_content;
    if (!ctx.hasCalls && prev !== 'tool' && content.includes('</think>')) {
      const k = content.indexOf('</think>');
      if (reasoning === undefined) reasoning = content.slice(0, k).split('<think>').pop();
      content = content.slice(k + '</think>'.length);
    }
    const pieces: Piece[] = [];
    if (prev === 'user') {
      if (i > ctx.lastQuery && reasoning) {
        ctx.warn(
          'reasoning_kept',
          'reasoning of the final round is written as <think>…</think> so it is trained; the official template ' +
            '(written for inference) always writes an empty block',
        );
        pieces.push({ text: '<think>' + reasoning + '</think>', role: 'assistant', msg: i });
      } else {
        if (reasoning)
          ctx.warn(
            'thinking_dropped',
            'reasoning of turns before the last user message is dropped, as the official template does',
          );
        pieces.push(
          ctx.trainEmptyThink
            ? {
                text: '<think></think>',
                role: 'assistant',
                msg: i,
              }
            : { text: '<think></think>', role: 'template' },
        );
      }
    } else if (reasoning) {
      ctx.warn(
        'thinking_dropped',
        'the official template writes no think block in a reply that does not follow a user turn: its reasoning is ' +
          'dropped',
      );
    }
    if (content) pieces.push({ text: content, role: 'assistant', msg: i });
    return { pieces, content };
  },
  promptSuffix: (opts) => (opts.enableThinking ? '<think>' : '<think></think>'),
};

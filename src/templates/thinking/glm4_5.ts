// GLM-4.5/4.6 and GLM-4.7's reasoning rules (official ../shared/reference/chat_templates/GLM-4.6.jinja
// and GLM-4.7-Flash.jinja): reasoning from `reasoning_content`, else Qwen's inline <think> split;
// every reply opens with a think block: `<think>R</think>` (R stripped) after the last user turn when
// there is reasoning — GLM-4.7 also before it with clear_thinking=false — else an empty one (4.6
// `<think></think>`, 4.7 a bare `</think>`), trained only with trainEmptyThink. Then the stripped
// content, if any. GLM-4.6 puts a newline before the think block and before the content;
// enable_thinking=false appends `/nothink` to user turns (4.6) and closes the generation prompt's
// think block.
import type { Message } from '../../data/types.ts';
import type { Piece } from '../agent/types.ts';
import { pyStrip } from '../pyjson.ts';
import type { ThinkingRule } from '../thinking.ts';
import { splitInlineThink } from './qwen3_5.ts';

function lastUser(messages: Message[]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'user') return i;
  return -1;
}

function glmRule(newlines: boolean): ThinkingRule {
  const nl = newlines ? '\n' : '';
  return {
    lastQuery: lastUser,
    reply(m, ctx) {
      const i = ctx.index;
      let content = m.content;
      let reasoning = '';
      if (typeof m.reasoning_content === 'string') reasoning = m.reasoning_content;
      else if (content.includes('</think>')) [reasoning, content] = splitInlineThink(content);
      const keepAll = !newlines && ctx.vars.clear_thinking === false;
      const pieces: Piece[] = [];
      const stripped = pyStrip(content);
      // The newline before the content belongs with the think block: trained when it is.
      const gap = stripped ? nl : '';
      if ((keepAll || i > ctx.lastQuery) && reasoning)
        pieces.push({
          text: nl + '<think>' + pyStrip(reasoning) + '</think>' + gap,
          role: 'assistant',
          msg: i,
        });
      else {
        if (reasoning)
          ctx.warn(
            'thinking_dropped',
            'reasoning of turns before the last user message is dropped, as the official template does',
          );
        const empty = nl + (newlines ? '<think></think>' : '</think>') + gap;
        pieces.push(
          ctx.trainEmptyThink
            ? {
                text: empty,
                role: 'assistant',
                msg: i,
              }
            : { text: empty, role: 'template' },
        );
      }
      if (stripped) pieces.push({ text: stripped, role: 'assistant', msg: i });
      return { pieces, content: stripped };
    },
  };
}

export const glm4_5: ThinkingRule = {
  ...glmRule(true),
  userSuffix: (content, opts) => (opts.enableThinking === false && !content.endsWith('/nothink') ? '/nothink' : ''),
  noThinkPrompt: '\n<think></think>',
};

export const glm4_7: ThinkingRule = {
  ...glmRule(false),
  thinkPrompt: '<think>',
  thinkPromptByDefault: true,
  noThinkPrompt: '</think>',
};

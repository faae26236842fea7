// Families whose official template has no reasoning at all (Qwen3-Coder, Mistral Small 3.2, Kimi-K2,
// Hermes 3, Granite 4.0): `reasoning_content` is not written, content is written as it is (an
// inline <think> block stays text). The rule only says so (warning thinking_dropped), so data is
// never lost silently.
import type { ThinkingRule } from '../thinking.ts';

export const ignored: ThinkingRule = {
  lastQuery: (messages) => messages.length - 1,
  reply(m, ctx) {
    if (m.reasoning_content) {
      ctx.warn(
        'thinking_dropped',
        'the official template has no reasoning: reasoning_content is not written (inline <think> text in the ' +
          'content is kept as text)',
      );
    }
    return { pieces: [{ text: m.content, role: 'assistant', msg: ctx.index }], content: m.content };
  },
};

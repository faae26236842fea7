// DeepSeek-V3.1's own tool format (official ../shared/reference/chat_templates/deepseek-ai-DeepSeek-V3.1.jinja,
// edited by llama.cpp after import: arguments go through `tojson`, the Hugging Face original
// concatenates them as the JSON string OpenAI clients send): the template has no tool list; a call
// turn is the reply's text + `<｜tool▁calls▁begin｜>` + one
// `<｜tool▁call▁begin｜>NAME<｜tool▁sep｜>ARGS<｜tool▁call▁end｜>` per call + `<｜tool▁calls▁end｜>`,
// closed by `<｜end▁of▁sentence｜>`; each result is `<｜tool▁output▁begin｜>…<｜tool▁output▁end｜>` and
// the reply after results goes on with no `<｜Assistant｜>` header (no generation prompt either).
// ms-swift's deepseek_v3_1 agent template writes the same calls and results.
import type { ToolCall } from '../../../data/types.ts';
import { pyJsonDumps } from '../../pyjson.ts';
import { of } from '../pieces.ts';
import { nativeId, type NativeAgentDef } from './types.ts';

export const deepseekV31Call = (c: ToolCall): string =>
  '<｜tool▁call▁begin｜>' + c.name + '<｜tool▁sep｜>' + pyJsonDumps(c.arguments) + '<｜tool▁call▁end｜>';

export const deepseekV31: NativeAgentDef = {
  id: nativeId('deepseek_v3_1'),
  kind: 'native',
  format: 'deepseek_v3_1',
  families: ['deepseek'],
  description:
    'DeepSeek-V3.1: no tool list; calls as <｜tool▁call▁begin｜>NAME<｜tool▁sep｜>ARGS blocks, results as ' +
    '<｜tool▁output▁begin｜> blocks',
  create: () => ({
    id: nativeId('deepseek_v3_1'),
    kind: 'native',
    tools(_tools, ctx) {
      ctx.warn(
        'tools_not_listed',
        `${ctx.spec.id}'s official template has no tool list: the record's tools are not written`,
      );
      return {};
    },
    calls({ index, calls, text }, ctx) {
      const prev = ctx.conversation.messages[index - 1]?.role;
      const block = '<｜tool▁calls▁begin｜>' + calls.map(deepseekV31Call).join('') + '<｜tool▁calls▁end｜>';
      // After a user turn the header opens the reply; elsewhere the calls go on with no header.
      return [
        {
          prefix: prev === 'user' ? ctx.spec.assistant.prefix : '',
          body: [...text, of(index, block, 'assistant')],
        },
      ];
    },
    results({ indexes }, ctx) {
      const wrapper = { prefix: '<｜tool▁output▁begin｜>', suffix: '<｜tool▁output▁end｜>', sep: '' };
      const parts = indexes.map((i) => ({
        kind: 'turn' as const,
        wrapper,
        content: [of(i, ctx.conversation.messages[i].content, 'tool')],
        msg: i,
      }));
      return { parts, next: { assistantPrefix: '', callPrefix: '', generationPrompt: false }, carriedBy: 'tool' };
    },
  }),
};

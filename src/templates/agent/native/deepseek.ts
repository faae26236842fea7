// DeepSeek's tool format as the R1 distills write it (official
// ../shared/reference/chat_templates/deepseek-ai-DeepSeek-R1-Distill-*.jinja): calls in a
// <｜tool▁calls▁begin｜> block with ```json arguments after the text, results as
// <｜tool▁output▁begin｜> blocks inside one <｜tool▁outputs▁begin｜>…<｜tool▁outputs▁end｜> run that
// closes where the next reply starts. As the official template, only the first result of the
// whole conversation opens <｜tool▁outputs▁begin｜> (its `is_output_first` is never reset). The
// official files leave some call markers out; we write them all (warning tool_format_repaired).
// The template has no tool list.
import type { ToolCall } from '../../../data/types.ts';
import { pyJsonDumps } from '../../pyjson.ts';
import { contentOf, of } from '../pieces.ts';
import { nativeId, type NativeAgentDef } from './types.ts';

const OUTPUTS_BEGIN = '<｜tool▁outputs▁begin｜>';
const OUTPUTS_END = '<｜tool▁outputs▁end｜>';

export function deepseekCall(call: ToolCall): string {
  const args = typeof call.arguments === 'string' ? call.arguments : pyJsonDumps(call.arguments);
  return '<｜tool▁call▁begin｜>function<｜tool▁sep｜>' + call.name + '\n```json\n' + args + '\n```<｜tool▁call▁end｜>';
}

export const deepseek: NativeAgentDef = {
  id: nativeId('deepseek'),
  kind: 'native',
  format: 'deepseek',
  families: ['deepseek'],
  description: 'DeepSeek: <｜tool▁calls▁begin｜> call blocks with ```json arguments, <｜tool▁outputs▁begin｜> results',
  create: () => {
    let outputFirst = true;
    return {
      id: nativeId('deepseek'),
      kind: 'native',
      tools(_tools, ctx) {
        ctx.warn(
          'tools_not_listed',
          `${ctx.spec.id}'s official template has no tool list: the record's tools are not written`,
        );
        return {};
      },
      calls({ index, calls, text }, ctx) {
        ctx.warn(
          'tool_format_repaired',
          `${ctx.spec.id}'s official template leaves out the markers of later tool-call turns ` +
            `and the text of a call turn; ` +
            "calls are written with DeepSeek's full markers, text before them (as DeepSeek-V3 does)",
        );
        const block = '<｜tool▁calls▁begin｜>' + calls.map(deepseekCall).join('\n') + '<｜tool▁calls▁end｜>';
        return [{ body: [...text, of(index, block, 'assistant')], suffix: ctx.spec.eos }];
      },
      results({ indexes }, ctx) {
        const parts = indexes.map((i) => {
          const prefix = outputFirst ? OUTPUTS_BEGIN + '<｜tool▁output▁begin｜>' : '\n<｜tool▁output▁begin｜>';
          outputFirst = false;
          const wrapper = { prefix, suffix: '<｜tool▁output▁end｜>', sep: '' };
          return { kind: 'turn' as const, wrapper, content: [of(i, contentOf(ctx, i), 'tool')], msg: i };
        });
        // The run stays open until the next reply (which then has no <｜Assistant｜> of its own)
        // or the end of the text; a user turn drops it.
        const next = {
          assistantPrefix: OUTPUTS_END,
          callPrefix: OUTPUTS_END + ctx.spec.assistant.prefix,
          end: OUTPUTS_END,
          generationPrompt: false,
        };
        return { parts, next, carriedBy: 'tool' };
      },
    };
  },
};

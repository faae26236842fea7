// Granite 3.3's tool format (official ../shared/reference/chat_templates/ibm-granite-granite-3.3-2B-Instruct.jinja):
// the tools in an `available_tools` turn after the system turn (`tojson(indent=4)`), results as
// `tool` turns. The official template writes no tool calls (it prints only the content, so a call
// turn is lost); its default system prompt asks for `<|tool_call|>` followed by a JSON list, so we
// write the calls that way after the reply's text: `<|tool_call|>[{"name": …, "arguments": …}]`
// (warning tool_calls_native). The conformance suite gives the official template that text as the
// content (granite3_3Equivalent) and compares.
import type { Conversation, ToolCall } from '../../../data/types.ts';
import { pyJsonDumps } from '../../pyjson.ts';
import { of, tpl, toolsText } from '../pieces.ts';
import { nativeId, type NativeAgentDef } from './types.ts';

export const granite3_3Calls = (calls: ToolCall[]): string =>
  '<|tool_call|>' + pyJsonDumps(calls.map((c) => ({ name: c.name, arguments: c.arguments })));

/** The conversation as the official template must be given it to write what we write (calls as content). */
export function granite3_3Equivalent(conv: Conversation): Conversation {
  return {
    ...conv,
    messages: conv.messages.map((m) => {
      if (!m.tool_calls?.length) return m;
      const { tool_calls, ...rest } = m;
      return { ...rest, content: m.content + granite3_3Calls(tool_calls) };
    }),
  };
}

export const granite3_3: NativeAgentDef = {
  id: nativeId('granite3_3'),
  kind: 'native',
  format: 'granite3_3',
  families: ['granite'],
  description:
    'Granite 3.3: tools in an available_tools turn, calls as <|tool_call|>[{"name", "arguments"}] after ' +
    'the text, results as tool turns',
  create: () => ({
    id: nativeId('granite3_3'),
    kind: 'native',
    tools(tools) {
      return {
        afterSystem: [
          tpl('<|start_of_role|>available_tools<|end_of_role|>'),
          toolsText(pyJsonDumps(tools, { indent: 4 })),
          tpl('<|end_of_text|>\n'),
        ],
      };
    },
    calls({ index, calls, text }, ctx) {
      ctx.warn(
        'tool_calls_native',
        `${ctx.spec.id}'s official template writes no tool calls: they are written as <|tool_call|> + a JSON list ` +
          `after the text, the form its system prompt asks for`,
      );
      return [{ body: [...text, of(index, granite3_3Calls(calls), 'assistant')], callsInContent: true }];
    },
    results({ indexes }, ctx) {
      const parts = indexes.map((i) => ({
        kind: 'turn' as const,
        content: [of(i, ctx.conversation.messages[i].content, 'tool')],
        msg: i,
      }));
      return { parts, carriedBy: 'tool' };
    },
  }),
};

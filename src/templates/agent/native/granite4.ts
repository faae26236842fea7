// Granite 4.0's own tool format (official ../shared/reference/chat_templates/ibm-granite-granite-4.0.jinja,
// from llama.cpp PR #20804 "with correct tool_call role mapping"): the tool list (Hermes-style JSON
// lines in <tools></tools> with Granite's instructions) appended to the system prompt after a blank
// line, or the whole system prompt without one; calls `<tool_call>\n{"name": …, "arguments": …}\n</tool_call>`
// after the reply's text, one per line (arguments given as a string printed as they are); a run of
// results is one user turn of '\n<tool_response>\n…\n</tool_response>' blocks.
import type { Tool } from '../../../data/types.ts';
import { pyJsonDumps } from '../../pyjson.ts';
import { of, tpl, toolsText } from '../pieces.ts';
import type { Piece } from '../types.ts';
import { hermesCall } from './hermes.ts';
import { nativeId, type NativeAgentDef } from './types.ts';

export function granite4ToolsText(tools: Tool[]): string {
  return (
    'You are a helpful assistant with access to the following tools. You may call one or more tools to assist with ' +
    'the user query.\n\n' +
    'You are provided with function signatures within <tools></tools> XML tags:\n<tools>' +
    tools.map((t) => '\n' + pyJsonDumps(t)).join('') +
    '\n</tools>\n\nFor each tool call, return a json object with function name and arguments within ' +
    '<tool_call></tool_call> XML tags:\n<tool_call>\n{"name": <function-name>, "arguments": ' +
    '<args-json-object>}\n</tool_call>. If a tool does not exist in the provided list of tools, notify the user that ' +
    'you do not have the ability to fulfill the request.'
  );
}

export const granite4: NativeAgentDef = {
  id: nativeId('granite4'),
  kind: 'native',
  format: 'granite4',
  families: ['granite'],
  description:
    'Granite 4.0: tools as JSON in <tools></tools> in the system prompt, calls as <tool_call>{"name", ' +
    '"arguments"}</tool_call>, results as <tool_response> blocks in a user turn',
  create: () => ({
    id: nativeId('granite4'),
    kind: 'native',
    tools(tools, ctx) {
      const sys = ctx.conversation.system;
      const head: Piece[] = sys !== undefined ? [{ text: sys, role: 'system' }, toolsText('\n\n')] : [];
      return { system: [...head, toolsText(granite4ToolsText(tools))] };
    },
    calls({ index, calls, text, content }) {
      const body = [...text];
      calls.forEach((c, k) => {
        if (k > 0 || content) body.push(of(index, '\n', 'assistant'));
        body.push(of(index, hermesCall(c, true), 'assistant'));
      });
      return [{ body }];
    },
    results({ indexes }, ctx) {
      const content: Piece[] = [];
      for (const i of indexes)
        content.push(
          tpl('\n<tool_response>\n'),
          of(i, ctx.conversation.messages[i].content, 'tool'),
          tpl('\n</tool_response>'),
        );
      const wrapper = { prefix: '<|start_of_role|>user<|end_of_role|>', suffix: '<|end_of_text|>', sep: '\n' };
      return { parts: [{ kind: 'turn', wrapper, content, msg: indexes[indexes.length - 1] }], carriedBy: 'user' };
    },
  }),
};

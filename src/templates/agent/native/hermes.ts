// Hermes tool calling as Qwen2.5 / Qwen3 write it (official chat templates
// ../shared/reference/chat_templates/Qwen-Qwen2.5-7B-Instruct.jinja and Qwen-Qwen3-0.6B.jinja):
// tools as JSON lines in <tools></tools> after the system prompt (the family's default system
// when there is none), calls as <tool_call>{"name", "arguments"}</tool_call> lines after the text,
// a run of results as one user turn of <tool_response> blocks. Built from the family's wrappers,
// so it works with any model template.
import type { Tool, ToolCall } from '../../../data/types.ts';
import { pyJsonDumps } from '../../pyjson.ts';
import { contentOf, of, tpl, toolsText } from '../pieces.ts';
import type { Piece } from '../types.ts';
import { nativeId, type NativeAgentDef } from './types.ts';

export function hermesToolsText(tools: Tool[]): string {
  return (
    '# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function ' +
    'signatures within <tools></tools> XML tags:\n<tools>' +
    tools.map((t) => '\n' + pyJsonDumps(t)).join('') +
    '\n</tools>\n\nFor each function call, return a json object with function name and arguments within ' +
    '<tool_call></tool_call> XML tags:\n<tool_call>\n{"name": <function-name>, "arguments": ' +
    '<args-json-object>}\n</tool_call>'
  );
}

/** One call; Qwen3 prints string arguments as they are (spec.rawStringArguments), Qwen2.5 through tojson. */
export function hermesCall(call: ToolCall, rawStringArgs: boolean): string {
  const args = rawStringArgs && typeof call.arguments === 'string' ? call.arguments : pyJsonDumps(call.arguments);
  return '<tool_call>\n{"name": "' + call.name + '", "arguments": ' + args + '}\n</tool_call>';
}

export const hermes: NativeAgentDef = {
  id: nativeId('hermes'),
  kind: 'native',
  format: 'hermes',
  description:
    'Hermes/Qwen: tools as JSON in <tools></tools> after the system prompt, calls as ' +
    '<tool_call>{"name", "arguments"}</tool_call>, results as <tool_response> blocks in a user turn',
  create: () => ({
    id: nativeId('hermes'),
    kind: 'native',
    tools(tools, ctx) {
      const sys = ctx.conversation.system ?? ctx.spec.defaultSystem;
      const head: Piece[] = sys !== undefined ? [{ text: sys, role: 'system' }, toolsText('\n\n')] : [];
      return { system: [...head, toolsText(hermesToolsText(tools))] };
    },
    calls({ index, calls, text, content }, ctx) {
      const body = [...text];
      calls.forEach((c, k) => {
        // The official templates: '\n' before a call, except the first one when there is no text.
        if ((k === 0 && content) || k > 0) body.push(of(index, '\n', 'assistant'));
        body.push(of(index, hermesCall(c, !!ctx.spec.rawStringArguments), 'assistant'));
      });
      return [{ body }];
    },
    results({ indexes }, ctx) {
      const content: Piece[] = [];
      indexes.forEach((i, k) => {
        if (k > 0) content.push(tpl('\n'));
        content.push(tpl('<tool_response>\n'), of(i, contentOf(ctx, i), 'tool'), tpl('\n</tool_response>'));
      });
      return { parts: [{ kind: 'user', content, msg: indexes[indexes.length - 1] }], carriedBy: 'user' };
    },
  }),
};

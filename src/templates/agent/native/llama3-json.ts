// Llama 3.1+ JSON tool calling (official ../shared/reference/chat_templates/
// meta-llama-Llama-3.1-8B-Instruct.jinja, tools_in_user_message=true): `Environment: ipython` in
// the system turn, the tool list (indented JSON) at the start of the first message, which the
// template writes as a user turn whatever its role; one call per turn as {"name", "parameters"};
// results in `ipython` turns (the family's tool wrapper), content as a JSON string.
import type { Tool, ToolCall } from '../../../data/types.ts';
import { TemplateError } from '../../errors.ts';
import { pyJsonDumps } from '../../pyjson.ts';
import { contentOf, of, toolsText } from '../pieces.ts';
import { nativeId, type NativeAgentDef } from './types.ts';

export const LLAMA3_USER_TOOLS_INTRO =
  'Given the following functions, please respond with a JSON for a function call with its proper arguments that best ' +
  'answers the given prompt.\n\n' +
  'Respond in the format {"name": function name, "parameters": dictionary of argument name and its ' +
  'value}.Do not use variables.\n\n';

export function llama3ToolsList(tools: Tool[]): string {
  return tools.map((t) => pyJsonDumps(t, { indent: 4 }) + '\n\n').join('');
}

export function llama3Call(call: ToolCall): string {
  return '{"name": "' + call.name + '", "parameters": ' + pyJsonDumps(call.arguments) + '}';
}

export const llama3Json: NativeAgentDef = {
  id: nativeId('llama3_json'),
  kind: 'native',
  format: 'llama3_json',
  families: ['llama'],
  description:
    'Llama 3.1+: tools as indented JSON in the first user message, one call per turn as {"name", "parameters"} JSON, ' +
    'results in ipython turns',
  create: () => ({
    id: nativeId('llama3_json'),
    kind: 'native',
    tools: (tools) => ({
      systemHead: [toolsText('Environment: ipython\n')],
      firstMessage: {
        pieces: [toolsText(LLAMA3_USER_TOOLS_INTRO + llama3ToolsList(tools))],
        asUserTurn: true,
        refusal: "Cannot put tools in the first user message when there's no first user message!",
      },
    }),
    calls({ index, message, calls }, ctx) {
      if (calls.length !== 1) throw new TemplateError('This model only supports single tool-calls at once!');
      if (message.content !== '') {
        ctx.warn(
          'content_dropped',
          `${ctx.spec.id}'s template writes only the call of a tool-call turn: its text content is dropped`,
        );
      }
      return [{ body: [of(index, llama3Call(calls[0]), 'assistant')] }];
    },
    // The template tests `content is iterable`, which a string is: results are JSON strings.
    results: ({ indexes }, ctx) => ({
      parts: indexes.map((i) => ({
        kind: 'turn' as const,
        content: [of(i, pyJsonDumps(contentOf(ctx, i)), 'tool')],
        msg: i,
      })),
      carriedBy: 'tool',
    }),
  }),
};

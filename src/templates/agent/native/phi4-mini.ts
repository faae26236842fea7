// Phi-4-mini's tool format (model card; official template
// ../shared/reference/chat_templates/microsoft-Phi-4-mini-instruct.jinja prints the system
// message's `tools` between <|tool|> tags and otherwise only content): tools as
// <|tool|>JSON<|/tool|> in the system turn, calls as <|tool_call|>[...]<|/tool_call|> after the
// text, results as <|tool|> turns (the family's tool wrapper).
import type { Tool, ToolCall } from '../../../data/types.ts';
import { pyJsonDumps } from '../../pyjson.ts';
import { contentOf, of, tpl, toolsText } from '../pieces.ts';
import { warnNativeCalls } from './glm4.ts';
import { nativeId, type NativeAgentDef } from './types.ts';

export function phi4ToolsJson(tools: Tool[]): string {
  return pyJsonDumps(tools.map((t) => t.function));
}

export function phi4Calls(calls: ToolCall[]): string {
  return '<|tool_call|>' + pyJsonDumps(calls.map((c) => ({ name: c.name, arguments: c.arguments }))) + '<|/tool_call|>';
}

export const phi4Mini: NativeAgentDef = {
  id: nativeId('phi4_mini'),
  kind: 'native',
  format: 'phi4_mini',
  families: ['phi'],
  description:
    'Phi-4-mini: tools as <|tool|>JSON<|/tool|> in the system turn, calls as <|tool_call|>JSON<|/tool_call|>, ' +
    'results as <|tool|> turns',
  create: () => ({
    id: nativeId('phi4_mini'),
    kind: 'native',
    tools(tools, ctx) {
      const sys = ctx.conversation.system;
      const head = sys !== undefined ? [{ text: sys, role: 'system' as const }] : [];
      return { system: [...head, tpl('<|tool|>'), toolsText(phi4ToolsJson(tools)), tpl('<|/tool|>')] };
    },
    calls({ index, calls, text }, ctx) {
      warnNativeCalls(ctx);
      return [{ body: [...text, of(index, phi4Calls(calls), 'assistant')] }];
    },
    results: ({ indexes }, ctx) => ({
      parts: indexes.map((i) => ({ kind: 'turn' as const, content: [of(i, contentOf(ctx, i), 'tool')], msg: i })),
      carriedBy: 'tool',
    }),
  }),
};

// LFM2.5's tool format (official ../shared/reference/chat_templates/LFM2.5-Instruct.jinja): the tools
// appended to the system prompt as `List of tools: [JSON, JSON]` (after a newline when there is a
// system prompt), results as `tool` turns. The official template writes no tool calls (content
// only); we write them the way LFM2.5 models emit them and LiquidAI's own LFM2.5-8B-A1B template
// renders them (LFM2.5-8B-A1B.jinja): `<|tool_call_start|>[name(key='value', n=5)]<|tool_call_end|>`
// after the text (warning tool_calls_native); the conformance suite gives the official template
// that text as the content (lfm2_5Equivalent).
import { pyItems } from '../../py/float.ts';
import type { Conversation, Tool, ToolCall } from '../../../data/types.ts';
import { TemplateError } from '../../errors.ts';
import { pyJsonDumps } from '../../pyjson.ts';
import { pyStr } from '../../py/repr.ts';
import { lfm2_5Content } from '../../thinking/lfm2_5.ts';
import { of, toolsText } from '../pieces.ts';
import { nativeId, type NativeAgentDef } from './types.ts';

/** LFM2.5-8B-A1B's format_arg_value: a string quoted as is (no escaping), a mapping as JSON, the rest str(). */
function argValue(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return pyJsonDumps(v);
  return pyStr(v);
}

export function lfm2_5Calls(calls: ToolCall[]): string {
  const one = (c: ToolCall) => {
    if (typeof c.arguments !== 'object' || c.arguments === null || Array.isArray(c.arguments)) {
      throw new TemplateError(
        `tool call ${c.name}: LFM2.5 writes arguments as name=value pairs, so they must be an object`,
      );
    }
    return `${c.name}(${pyItems(c.arguments as Record<string, unknown>)
      .map(([k, v]) => `${k}=${argValue(v)}`)
      .join(', ')})`;
  };
  return '<|tool_call_start|>[' + calls.map(one).join(', ') + ']<|tool_call_end|>';
}

export const lfm2_5ToolsText = (tools: Tool[]): string =>
  'List of tools: [' + tools.map((t) => pyJsonDumps(t)).join(', ') + ']';

/** The conversation as the official template must be given it to write what we write (calls as content). */
export function lfm2_5Equivalent(conv: Conversation): Conversation {
  return {
    ...conv,
    messages: conv.messages.map((m) => {
      if (!m.tool_calls?.length) return m;
      const { tool_calls, ...rest } = m;
      return { ...rest, content: m.content + lfm2_5Calls(tool_calls) };
    }),
  };
}

export const lfm2_5: NativeAgentDef = {
  id: nativeId('lfm2_5'),
  kind: 'native',
  format: 'lfm2_5',
  families: ['lfm'],
  description:
    'LFM2.5: tools as a JSON list in the system prompt, calls as ' +
    "<|tool_call_start|>[name(key='value')]<|tool_call_end|>, results as tool turns",
  create: () => ({
    id: nativeId('lfm2_5'),
    kind: 'native',
    tools(tools, ctx) {
      const sys = ctx.conversation.system ?? '';
      return {
        system: [
          ...(sys ? [{ text: sys, role: 'system' as const }, toolsText('\n')] : []),
          toolsText(lfm2_5ToolsText(tools)),
        ],
      };
    },
    calls({ index, message, calls }, ctx) {
      ctx.warn(
        'tool_calls_native',
        `${ctx.spec.id}'s official template writes no tool calls: they are written as ` +
          `<|tool_call_start|>[…]<|tool_call_end|> after the text, as LFM2.5 models emit them`,
      );
      // The template cuts earlier replies at their last </think> and trims: on the text with its calls.
      const whole = message.content + lfm2_5Calls(calls);
      const text = lfm2_5Content(ctx.conversation.messages, index, whole, { vars: ctx.vars ?? {} });
      return [{ body: [of(index, text, 'assistant')], callsInContent: true }];
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

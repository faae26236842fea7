// Mistral tool calling (official ../shared/reference/chat_templates/
// mistralai-Mistral-7B-Instruct-v0.3.jinja and mistralai-Mistral-Nemo-Instruct-2407.jinja):
// [AVAILABLE_TOOLS] before the last user message (and any equal to it), [TOOL_CALLS] turns with
// 9-character ids and no text, [TOOL_RESULTS] per result. v0.3 writes a space after each control
// token (spec.spaceAfterToolTokens), Nemo does not. The official template refuses ids that are
// not 9 characters; we replace them (warning tool_call_ids_rewritten).
import { pyItems } from '../../py/float.ts';
import type { Conversation, Tool, ToolCall } from '../../../data/types.ts';
import { pyJsonDumps } from '../../pyjson.ts';
import { of, toolsText } from '../pieces.ts';
import { nativeId, type NativeAgentDef } from './types.ts';

/** Mistral's tool list: string fields are pasted unescaped, as the official template does. */
export function mistralToolsText(tools: Tool[], space: string): string {
  const items = tools.map((t) => {
    const fields = pyItems(t.function as unknown as Record<string, unknown>)
      .filter(([k, v]) => k !== 'return' && v !== undefined)
      .map(([k, v]) => (typeof v === 'string' ? `"${k}": "${v}"` : `"${k}": ${pyJsonDumps(v)}`));
    return '{"type": "function", "function": {' + fields.join(', ') + '}}';
  });
  return `[AVAILABLE_TOOLS]${space}[` + items.join(', ') + ']' + '[/AVAILABLE_TOOLS]';
}

export function mistralCalls(calls: ToolCall[], space: string): string {
  return (
    `[TOOL_CALLS]${space}[` +
    calls
      .map((c) => pyJsonDumps({ name: c.name, arguments: c.arguments }).slice(0, -1) + ', "id": "' + c.id + '"}')
      .join(', ') +
    ']'
  );
}

/** A deterministic 9-character alphanumeric id (Mistral requires exactly 9). */
export function nineCharId(seed: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < seed.length; i++) {
    h1 = Math.imul(h1 ^ seed.charCodeAt(i), 16777619) >>> 0;
    h2 = Math.imul(h2 + seed.charCodeAt(i), 2246822519) >>> 0;
  }
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let out = '';
  for (let i = 0; i < 9; i++) {
    const v = i < 5 ? h1 >>> (i * 6) : h2 >>> ((i - 5) * 7);
    out += alphabet[v % alphabet.length];
  }
  return out;
}

/**
 * Mistral needs 9-character call ids on calls and results. When every id is valid the conversation
 * is returned as is; otherwise every id is replaced by a deterministic one, results matched to
 * calls by id or else in order. Exported so the conformance test can give the official template
 * the same ids.
 */
export function withNineCharIds(conv: Conversation): { conversation: Conversation; rewritten: boolean } {
  const valid = (id?: string) => id !== undefined && id.length === 9;
  const allValid = conv.messages.every((m) =>
    m.role === 'tool' ? valid(m.tool_call_id) : (m.tool_calls ?? []).every((c) => valid(c.id)),
  );
  if (allValid) return { conversation: conv, rewritten: false };
  const byOriginal = new Map<string, string>();
  let pending: string[] = [];
  const messages = conv.messages.map((m, i) => {
    if (m.tool_calls?.length) {
      const tool_calls = m.tool_calls.map((c, k) => {
        const id = nineCharId(`${i}:${k}:${c.id ?? ''}:${c.name}`);
        if (c.id !== undefined) byOriginal.set(c.id, id);
        return { ...c, id };
      });
      pending = tool_calls.map((c) => c.id);
      return { ...m, tool_calls };
    }
    if (m.role === 'tool') {
      const byId = m.tool_call_id !== undefined && byOriginal.get(m.tool_call_id);
      const id = byId || pending.shift() || nineCharId(`result:${i}`);
      pending = pending.filter((p) => p !== id);
      return { ...m, tool_call_id: id };
    }
    return m;
  });
  return { conversation: { ...conv, messages }, rewritten: true };
}

export const mistral: NativeAgentDef = {
  id: nativeId('mistral'),
  kind: 'native',
  format: 'mistral',
  families: ['mistral'],
  description:
    'Mistral: [AVAILABLE_TOOLS] before the last user message, [TOOL_CALLS] with 9-character ids, [TOOL_RESULTS]',
  create: (spec) => {
    const space = spec.spaceAfterToolTokens ? ' ' : '';
    return {
      id: nativeId('mistral'),
      kind: 'native',
      prepare(conv, ctx) {
        const ids = withNineCharIds(conv);
        if (ids.rewritten) {
          ctx.warn(
            'tool_call_ids_rewritten',
            'Mistral needs 9-character tool call ids; ids were replaced by generated ones (the ' +
              'official template refuses these)',
          );
        }
        return ids.conversation;
      },
      tools: (tools) => ({ beforeLastUser: [toolsText(mistralToolsText(tools, space))] }),
      calls({ index, message, calls }, ctx) {
        if (message.content !== '') {
          ctx.warn(
            'content_dropped',
            `${ctx.spec.id}'s template writes only the calls of a tool-call turn: its text content is dropped`,
          );
        }
        // A call turn has no leading space and ends with eos_token.
        const body = [of(index, mistralCalls(calls, space), 'assistant')];
        return [{ prefix: '', body, suffix: ctx.spec.eos, sep: '' }];
      },
      results: ({ indexes }, ctx) => ({
        parts: indexes.map((i) => {
          const m = ctx.conversation.messages[i];
          const suffix = ', "call_id": "' + m.tool_call_id + '"}[/TOOL_RESULTS]';
          const wrapper = { prefix: `[TOOL_RESULTS]${space}{"content": `, suffix, sep: '' };
          return { kind: 'turn' as const, wrapper, content: [of(i, m.content, 'tool')], msg: i };
        }),
        carriedBy: 'tool',
      }),
    };
  },
};

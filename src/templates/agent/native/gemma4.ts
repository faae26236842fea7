// Gemma 4's own tool format (official ../shared/reference/chat_templates/google-gemma-4-31B-it.jinja,
// re-aligned by llama.cpp to the updated official template): tools as
// `<|tool>declaration:NAME{…}<tool|>` after the system prompt in the system turn (byte for byte
// ms-swift's gemma4 agent template's declarations, reused: swift/gemma4.ts); a call is
// `<|tool_call>call:NAME{k:v,…}<tool_call|>` (keys sorted as Jinja's dictsort, strings quoted
// with <|"|>, None printed `None`); the results are written INSIDE the calling model turn, right
// after the calls: `<|tool_response>response:NAME{value:…}<tool_response|>` each, NAME resolved
// from the call whose id the result answers (missing ids match, so the last call wins); then the
// call turn's own text, and `<turn|>` only when it has text — else the model turn stays open; the
// next reply goes on without a header either way (the template opens none after a calling reply). A call turn without
// results ends with `<|tool_response>` (the model's cue to stop and wait). No generation prompt after results.
import type { Message, ToolCall } from '../../../data/types.ts';
import { pyJsonDumps } from '../../pyjson.ts';
import { parseJsonPy } from '../../../data/py-json.ts';
import { pyItems, pyList } from '../../py/float.ts';
import { pyStr } from '../../py/repr.ts';
import { isPyDict } from '../../py/values.ts';
import { gemmaStripThinking } from '../../thinking/gemma4.ts';
import { of, tpl, toolsText } from '../pieces.ts';
import { Gemma4AgentTemplate } from '../swift/gemma4.ts';
import type { Piece } from '../types.ts';
import { nativeId, type NativeAgentDef } from './types.ts';

const Q = '<|"|>';
type Json = Record<string, unknown>;
/** A dict (a float written 1.0 is a PyFloat, not a mapping). */
const isMapping = (x: unknown): x is Json => isPyDict(x);

/** Jinja's dictsort (case-insensitive keys; a stable sort of the items in Python's order). */
const dictsort = (d: Json): [string, unknown][] =>
  pyItems(d).sort(([a], [b]) => {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  });

/** The template's format_argument macro. */
export function gemmaArgument(v: unknown, escapeKeys = true): string {
  if (typeof v === 'string') return Q + v + Q;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (isMapping(v))
    return (
      '{' +
      dictsort(v)
        .map(([k, x]) => (escapeKeys ? Q + k + Q : k) + ':' + gemmaArgument(x, escapeKeys))
        .join(',') +
      '}'
    );
  if (Array.isArray(v))
    return (
      '[' +
      pyList(v)
        .map((x) => gemmaArgument(x, escapeKeys))
        .join(',') +
      ']'
    );
  return pyStr(v);
}

export function gemmaCall(c: ToolCall): string {
  const a = c.arguments;
  const args = isMapping(a)
    ? dictsort(a)
        .map(([k, v]) => `${k}:${gemmaArgument(v, false)}`)
        .join(',')
    : typeof a === 'string'
      ? a
      : '';
  return `<|tool_call>call:${c.name}{${args}}<tool_call|>`;
}

/** A result's name: its own `name` (else unknown), replaced by each call whose id equals its tool_call_id. */
function resultName(call: Message, result: Message): string {
  let name = result.name ?? 'unknown';
  for (const c of call.tool_calls ?? []) if ((c.id ?? null) === (result.tool_call_id ?? null)) name = c.name;
  return name;
}

export const gemma4: NativeAgentDef = {
  id: nativeId('gemma4'),
  kind: 'native',
  format: 'gemma4',
  families: ['gemma'],
  description:
    'Gemma 4: <|tool>declaration:…<tool|> in the system turn, calls as ' +
    '<|tool_call>call:NAME{…}<tool_call|>, results as <|tool_response>response:NAME{…}<tool_response|> inside the ' +
    'calling turn',
  create: () => ({
    id: nativeId('gemma4'),
    kind: 'native',
    tools(tools, ctx) {
      const decls = new Gemma4AgentTemplate().formatTools(
        tools.map((t) => parseJsonPy(pyJsonDumps(t)) as unknown),
        null,
      );
      const sys = ctx.conversation.system;
      return { system: [...(sys !== undefined ? [{ text: sys, role: 'system' as const }] : []), toolsText(decls)] };
    },
    calls({ index, message, calls, text }, ctx) {
      const body: Piece[] = [...text];
      for (const c of calls) body.push(of(index, gemmaCall(c), 'assistant'));
      if (ctx.conversation.messages[index + 1]?.role === 'tool') return [{ body, suffix: '', sep: '' }];
      // No results follow: the turn's text, then the cue that results are awaited.
      const content = gemmaStripThinking(message.content);
      if (content) body.push(of(index, content, 'assistant'));
      return [{ body, suffix: '<|tool_response>', sep: '' }];
    },
    results({ indexes, after }, ctx) {
      const msgs = ctx.conversation.messages;
      const call =
        after && after.role === 'assistant' && msgs[after.index].tool_calls?.length ? msgs[after.index] : undefined;
      const pieces: Piece[] = [];
      indexes.forEach((i, k) => {
        const name = call ? resultName(call, msgs[i]) : (msgs[i].name ?? 'unknown');
        // The first opener is where the calling reply stops: trained as its end.
        pieces.push(
          k === 0 && call
            ? {
                text: '<|tool_response>',
                role: 'template',
                msg: after!.index,
                end: true,
              }
            : tpl('<|tool_response>'),
        );
        pieces.push(tpl(`response:${name}{value:${Q}`), of(i, msgs[i].content, 'tool'), tpl(`${Q}}<tool_response|>`));
      });
      // The turn's text, and its end only when it has text (tested before stripping, as the template does).
      if (call?.content) {
        const content = gemmaStripThinking(call.content);
        if (content) pieces.push(of(after!.index, content, 'assistant'));
        pieces.push({ text: '<turn|>', role: 'template', msg: after!.index, end: true }, tpl('\n'));
      }
      // The next reply goes on in the same model turn (the template opens none after a calling reply).
      return {
        parts: [{ kind: 'text', pieces }],
        continuesCall: true,
        next: { assistantPrefix: '', generationPrompt: false },
        carriedBy: 'assistant',
      };
    },
  }),
};

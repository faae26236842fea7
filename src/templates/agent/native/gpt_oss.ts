// gpt-oss's own tool format, harmony (official ../shared/reference/chat_templates/openai-gpt-oss-120b.jinja):
// the tools as a TypeScript `namespace functions` in the developer message (after the system
// prompt's `# Instructions`); a call is its own assistant message
// `<|start|>assistant to=functions.NAME<|channel|>commentary json<|message|>ARGS<|call|>`, the text of
// a call turn an analysis message before it (only when no final answer follows, as the template
// does: else it is dropped, warning content_dropped); a result is
// `<|start|>functions.NAME to=assistant<|channel|>commentary<|message|>` + the content as a JSON
// string + `<|end|>`. The template writes only the FIRST call of a turn (it assumes one call per
// message) and names every result after the last call: we write each call as its own message
// (warning tool_calls_split) and name each result after its call (by tool_call_id, else in order).
// Everything after `<|start|>assistant` is the model's to write (recipient, channel, message): trained.
import type { Conversation, Message, Tool } from '../../../data/types.ts';
import { TemplateError } from '../../errors.ts';
import { pyJsonDumps } from '../../pyjson.ts';
import { pyAt, pyItems, pyList } from '../../py/float.ts';
import { pyStr } from '../../py/repr.ts';
import { pyTruthy } from '../../py/truth.ts';
import { isPyDict } from '../../py/values.ts';
import { of, tpl, toolsText } from '../pieces.ts';
import type { AssistantTurn } from '../types.ts';
import { nativeId, type NativeAgentDef } from './types.ts';

type Json = Record<string, unknown>;
/** A dict (a float written 1.0 is a PyFloat, not a mapping). */
const isMapping = (x: unknown): x is Json => isPyDict(x);
/** Jinja truthiness of a JSON value (Python's: 0.0 is false). */
const truthy = (x: unknown) => x !== undefined && pyTruthy(x);
/** Jinja's `+` on strings: undefined is an error, like the template meeting a missing description. */
const str = (x: unknown, what: string): string => {
  if (x === undefined) throw new TemplateError(`gpt-oss's template needs ${what}`);
  return pyStr(x);
};

const NESTED = '\n                ';

/** The template's render_typescript_type macro. */
function tsType(spec: unknown, required: unknown[]): string {
  const s = isMapping(spec) ? spec : {};
  const nullable = truthy(s.nullable) ? ' | null' : '';
  const type = s.type;
  if (type === 'array') {
    const items = s.items;
    if (!truthy(items)) return 'any[]' + nullable;
    const it = isMapping(items) ? items.type : undefined;
    if (it === 'string') return 'string[]' + nullable;
    if (it === 'number' || it === 'integer') return 'number[]' + nullable;
    if (it === 'boolean') return 'boolean[]' + nullable;
    const inner = tsType(items, required);
    return (inner === 'object | object' || inner.length > 50 ? 'any[]' : inner + '[]') + nullable;
  }
  if (Array.isArray(type) && type.length > 0)
    return type.length > 1 ? type.map((t) => pyStr(t)).join(' | ') : pyStr(type[0]);
  if (truthy(s.oneOf) && Array.isArray(s.oneOf)) {
    const variants = s.oneOf as unknown[];
    // The template's has_object_variants is set inside a loop: Jinja scoping keeps it false.
    return variants
      .map((v, k) => {
        const vm = isMapping(v) ? v : {};
        let out = tsType(v, required);
        if (truthy(vm.description)) out += '// ' + pyStr(vm.description);
        if (vm.default !== undefined) out += '\n' + '// default: ' + pyJsonDumps(pyAt(vm, 'default'));
        if (k < variants.length - 1) out += ' | \n';
        return out;
      })
      .join('');
  }
  if (type === 'string') {
    if (truthy(s.enum) && Array.isArray(s.enum))
      return (
        '"' +
        pyList(s.enum)
          .map((e) => pyStr(e))
          .join('" | "') +
        '"'
      );
    return 'string' + nullable;
  }
  if (type === 'number' || type === 'integer') return 'number';
  if (type === 'boolean') return 'boolean';
  if (type === 'object') {
    if (!truthy(s.properties) || !isMapping(s.properties)) return 'object';
    const req = Array.isArray(s.required) ? s.required : [];
    const props = pyItems(s.properties).map(
      ([n, p]) => `${n}${req.includes(n) ? '' : '?'}: ${NESTED}${tsType(p, req)}`,
    );
    return '{\n' + props.join(', ') + '}';
  }
  return 'any';
}

/** The template's render_tool_namespace("functions", tools). */
export function gptOssNamespace(tools: Tool[]): string {
  let out = '## functions\n\nnamespace functions {\n\n';
  for (const t of tools) {
    const fn = t.function as unknown as Json;
    out +=
      '// ' +
      str(fn.description, 'a description for every tool') +
      '\n' +
      'type ' +
      str(fn.name, 'a tool name') +
      ' = ';
    const params = isMapping(fn.parameters) ? fn.parameters : undefined;
    if (params && truthy(params.properties) && isMapping(params.properties)) {
      const req = Array.isArray(params.required) ? params.required : [];
      out += '(_: {\n';
      for (const [name, spec] of pyItems(params.properties)) {
        const p = isMapping(spec) ? spec : {};
        if (truthy(p.description)) out += '// ' + pyStr(p.description) + '\n';
        out += name + (req.includes(name) ? '' : '?') + ': ' + tsType(spec, req);
        if (p.default !== undefined) {
          const d = pyAt(p, 'default');
          if (truthy(p.enum)) out += ', // default: ' + pyStr(d);
          else if (truthy(p.oneOf)) out += '// default: ' + pyStr(d);
          else out += ', // default: ' + pyJsonDumps(d);
        }
        out += ',\n';
      }
      out += '}) => any;\n\n';
    } else out += '() => any;\n\n';
  }
  return out + '} // namespace functions';
}

/** The call a result answers: by tool_call_id, else the calls in order (as they were made). */
function callNames(conv: Conversation): Map<number, string> {
  const names = new Map<number, string>();
  let pending: { id?: string; name: string }[] = [];
  conv.messages.forEach((m: Message, i) => {
    if (m.role === 'assistant' && m.tool_calls?.length) pending = m.tool_calls.map((c) => ({ id: c.id, name: c.name }));
    else if (m.role === 'assistant') pending = [];
    else if (m.role === 'tool') {
      const k = m.tool_call_id !== undefined ? pending.findIndex((c) => c.id === m.tool_call_id) : -1;
      const [c] = pending.splice(k >= 0 ? k : 0, 1);
      if (c) names.set(i, c.name);
    }
  });
  return names;
}

export const gptOss: NativeAgentDef = {
  id: nativeId('gpt_oss'),
  kind: 'native',
  format: 'gpt_oss',
  families: ['gpt-oss'],
  description:
    'gpt-oss (harmony): tools as a TypeScript namespace in the developer message, each call a commentary ' +
    'message to=functions.NAME, results from functions.NAME',
  create: () => {
    let names: Map<number, string> | undefined;
    return {
      id: nativeId('gpt_oss'),
      kind: 'native',
      tools(tools, ctx) {
        const sys = ctx.conversation.system;
        const instructions = sys
          ? [tpl('# Instructions\n\n'), { text: sys, role: 'system' as const }, tpl('\n\n')]
          : [];
        return { system: [...instructions, toolsText('# Tools\n\n' + gptOssNamespace(tools))] };
      },
      calls({ index, message, calls }, ctx) {
        const later = ctx.conversation.messages.slice(index + 1);
        const finalFollows = later.some((m) => m.role === 'assistant' && !m.tool_calls?.length);
        const turns: AssistantTurn[] = [];
        const thinking = message.reasoning_content;
        if (message.content && thinking) {
          throw new TemplateError(
            'Cannot pass both content and thinking in an assistant message with tool calls! ' +
              'Put the analysis message in one or the other, but not both.',
          );
        }
        const analysis = message.content || thinking;
        if (analysis && !finalFollows) {
          turns.push({
            body: [of(index, '<|channel|>analysis<|message|>', 'assistant'), of(index, analysis, 'assistant')],
            suffix: '<|end|>',
          });
        } else if (message.content) {
          ctx.warn(
            'content_dropped',
            `${ctx.spec.id}'s template drops the text of a call turn when a final answer follows`,
          );
        } else if (thinking) {
          ctx.warn(
            'thinking_dropped',
            `${ctx.spec.id}'s template drops the reasoning of a call turn when a final answer follows`,
          );
        }
        if (calls.length > 1) {
          ctx.warn(
            'tool_calls_split',
            `${ctx.spec.id}'s template writes one call per message (it drops the others): each call ` +
              `is written as its own message`,
          );
        }
        for (const c of calls) {
          const body = `to=functions.${c.name}<|channel|>commentary json<|message|>${pyJsonDumps(c.arguments)}`;
          turns.push({ body: [of(index, ' ' + body, 'assistant')], suffix: '<|call|>' });
        }
        return turns;
      },
      results({ indexes }, ctx) {
        names ??= callNames(ctx.conversation);
        const parts = indexes.map((i) => {
          const name = names!.get(i);
          if (name === undefined)
            throw new TemplateError(
              'Message has tool role, but there was no previous ' + 'assistant message with a tool call!',
            );
          const wrapper = {
            prefix: `<|start|>functions.${name} to=assistant<|channel|>commentary<|message|>`,
            suffix: '<|end|>',
            sep: '',
          };
          return {
            kind: 'turn' as const,
            wrapper,
            content: [of(i, pyJsonDumps(ctx.conversation.messages[i].content), 'tool')],
            msg: i,
          };
        });
        return { parts, carriedBy: 'tool' };
      },
    };
  },
};

/**
 * The input the official template must be given to write what we write for parallel calls: each
 * call its own assistant message (the first keeps the text). Results stay named as the template
 * names them (after the last call), so a turn calling two different tools differs there.
 */
export function gptOssSplitCalls(conv: Conversation): Conversation {
  const messages: Message[] = [];
  for (const m of conv.messages) {
    if (m.role === 'assistant' && m.tool_calls && m.tool_calls.length > 1) {
      m.tool_calls.forEach((c, k) =>
        messages.push({
          ...m,
          content: k === 0 ? m.content : '',
          tool_calls: [c],
          ...(k > 0 ? { reasoning_content: undefined } : {}),
        }),
      );
    } else messages.push(m);
  }
  return {
    ...conv,
    messages: messages.map((m) =>
      m.reasoning_content === undefined && 'reasoning_content' in m
        ? (({ reasoning_content: _, ...rest }) => rest)(m)
        : m,
    ),
  };
}

// Seed-OSS's own tool format (official ../shared/reference/chat_templates/ByteDance-Seed-OSS.jinja):
// each function tool is described as a Python function with a docstring (`def name(city: str):`,
// Args with [必填] / [选填] for required / optional, Returns when the tool declares them) after the
// system prompt (without one, "You are Doubao, …"), followed by the calling instructions; a call is
// `\n<seed:tool_call>\n<function=NAME>\n<parameter=K>V</parameter>\n…</function>\n</seed:tool_call>`
// (a string value as is, anything else as Python's str(), so a dict is `{'a': 1}`); results are
// `tool` turns. ms-swift's seed_oss agent template writes the calls with JSON values and another
// tool description, so neither is reused.
import { pyItems } from '../../py/float.ts';
import type { Tool, ToolCall } from '../../../data/types.ts';
import { TemplateError } from '../../errors.ts';
import { pyStrip } from '../../pyjson.ts';
import { pyStr } from '../../py/repr.ts';
import { of, toolsText } from '../pieces.ts';
import type { Piece } from '../types.ts';
import { nativeId, type NativeAgentDef } from './types.ts';

const DOUBAO =
  'You are Doubao, a helpful AI assistant. You may call one or more functions to assist with the user ' + 'query.';
const INSTRUCTIONS =
  '\n工具调用请遵循如下格式:\n<seed:tool_call>\n<function=example_function_name>\n<parameter=example_parameter_1>' +
  'value_1</parameter>\n<parameter=example_parameter_2>This ' +
  '' +
  'is the value for the second parameter\nthat can span\nmultiple lines</parameter>\n</function>\n</seed:tool_call>\n';

type Json = Record<string, unknown>;
const isMapping = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The template's py_type macro. */
function pyType(t: unknown): string {
  if (t === 'string') return 'str';
  if (t === 'number' || t === 'integer') return 'int';
  if (t === 'boolean') return 'bool';
  if (t === 'array') return 'list';
  return 'Any';
}

function describe(fn: Json): string {
  const params = isMapping(fn.parameters) ? fn.parameters : undefined;
  if (!params || !isMapping(params.properties))
    throw new TemplateError(
      `tool ${String(fn.name)}: Seed-OSS's template needs parameters.properties (it fails without them)`,
    );
  const props = pyItems(params.properties);
  const required = Array.isArray(params.required) ? params.required : [];
  let d =
    `\n\nFunction:\ndef ${String(fn.name)}(` +
    `${props.map(([n, s]) => `${n}: ${pyType(isMapping(s) ? s.type : undefined)}`).join(',')}):\n    """\n    `;
  d += (typeof fn.description === 'string' ? pyStrip(fn.description) : '') + '\n\n';
  if (props.length) {
    d += '    Args:';
    for (const [n, s] of props) {
      const desc = isMapping(s) && s.description ? pyStr(s.description) : '';
      d +=
        `\n    - ${n} (${pyType(isMapping(s) ? s.type : undefined)}) ` +
        `${required.includes(n) ? '[必填]' : '[选填]'}: ${desc}`;
    }
  }
  const returns =
    isMapping(fn.returns) && isMapping(fn.returns.properties) && Object.keys(fn.returns.properties).length
      ? fn.returns.properties
      : undefined;
  if (returns) {
    d += '\n    Returns:';
    for (const [n, s] of pyItems(returns))
      d +=
        `\n    - ${n} (${pyType(isMapping(s) ? s.type : undefined)}): ` +
        `${isMapping(s) && s.description ? pyStr(s.description) : ''}`;
    return d + '\n    """';
  }
  return d + '\n\n    """';
}

export const seedToolsText = (tools: Tool[]): string =>
  tools
    .filter((t) => t.type === 'function')
    .map((t) => describe(t.function as unknown as Json))
    .join('') + INSTRUCTIONS;

export function seedCall(c: ToolCall): string {
  const a = c.arguments;
  if (typeof a !== 'object' || a === null || Array.isArray(a))
    throw new TemplateError('Can only get item pairs from a mapping.');
  const params = pyItems(a as Json)
    .map(([k, v]) => `<parameter=${k}>${pyStr(v)}</parameter>\n`)
    .join('');
  return `\n<seed:tool_call>\n<function=${c.name}>\n${params}</function>\n</seed:tool_call>`;
}

export const seedOss: NativeAgentDef = {
  id: nativeId('seed_oss'),
  kind: 'native',
  format: 'seed_oss',
  families: ['seed'],
  description:
    'Seed-OSS: tools as Python function docs in the system turn, calls as ' +
    '<seed:tool_call><function=NAME><parameter=K>V</parameter>, results as tool turns',
  create: () => ({
    id: nativeId('seed_oss'),
    kind: 'native',
    tools(tools, ctx) {
      const sys = ctx.conversation.system;
      return {
        system: [
          sys !== undefined ? { text: sys, role: 'system' } : toolsText(DOUBAO),
          toolsText(seedToolsText(tools)),
        ],
      };
    },
    calls({ index, calls, text }) {
      const body: Piece[] = [...text];
      for (const c of calls) body.push(of(index, seedCall(c), 'assistant'));
      return [{ body }];
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

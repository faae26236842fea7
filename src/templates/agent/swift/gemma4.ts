// Ports ms-swift's Gemma4AgentTemplate (swift/agent_template/gemma4.py; id gemma4): Gemma 4's own
// tool DSL. Tools as `<|tool>declaration:name{description:<|"|>...<|"|>,parameters:{...}}<tool|>`
// after the stripped system prompt (keys sorted, types upper-cased), calls as
// `<|tool_call>call:name{key:value,...}<tool_call|>` (strings quoted with `<|"|>`, keys sorted),
// results as `<|tool_response>response:name{value:...}<tool_response|>` in the same model turn.
import { pyAt, pyList } from '../../py/float.ts';
import { pyJsonDumps, pyStrip } from '../../pyjson.ts';
import { pyJsonLoads, swiftParseJson } from '../../py/literal.ts';
import { pyStr } from '../../py/repr.ts';
import { pyTruthy } from '../../py/truth.ts';
import { isPyDict, pyDict, pyGet, pyItem, pyIter, pySortedKeys, type PyDict } from '../../py/values.ts';
import { BaseAgentTemplate, swiftFunction } from './base.ts';
import type { SwiftFunction, SwiftMessage, ToolResponses } from './types.ts';

const QUOTE = '<|"|>';
const STANDARD_KEYS = new Set(['description', 'type', 'properties', 'required', 'nullable']);
const CALL_RE = /<\|tool_call>call:([^{]+)\{(.*?)\}<tool_call\|>/gsu;
// A bare key after `{` or `,` (Python's \w: any letter or number, `_`, and `-`).
const BARE_KEY_RE = /(?<=[{,])([A-Za-z_][\p{L}\p{N}_-]*)(?=:)/gu;

const quoted = (s: unknown): string => `${QUOTE}${pyStr(s)}${QUOTE}`;

/** `_format_argument`: a value in Gemma's DSL (dict keys sorted; quoted keys unless escapeKeys is false). */
function formatArgument(value: unknown, escapeKeys = true): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return quoted(value);
  if (value === null || value === undefined) return 'null';
  if (isPyDict(value)) {
    const key = (k: string) => (escapeKeys ? quoted(k) : k);
    return (
      '{' +
      pySortedKeys(value)
        .map((k) => `${key(k)}:${formatArgument(pyAt(value, k), escapeKeys)}`)
        .join(',') +
      '}'
    );
  }
  if (Array.isArray(value))
    return (
      '[' +
      pyList(value)
        .map((x) => formatArgument(x, escapeKeys))
        .join(',') +
      ']'
    );
  return pyStr(value);
}

/** `','.join(f'<|"|>{r}<|"|>' for r in required)`. */
const requiredList = (required: unknown): string => `required:[${pyIter(required).map(quoted).join(',')}]`;

/** `_format_parameters`: each property (sorted) as `key:{description,...,type}`. */
function formatParameters(properties: PyDict, filterKeys = false): string {
  const parts: string[] = [];
  for (const key of pySortedKeys(properties)) {
    const value = properties[key];
    if (filterKeys && STANDARD_KEYS.has(key)) continue;
    if (!isPyDict(value)) continue;
    const inner: string[] = [];
    const t = pyGet(value, 'type');
    const typeUpper = typeof t === 'string' ? t.toUpperCase() : '';
    if (pyTruthy(pyGet(value, 'description'))) inner.push(`description:${quoted(value.description)}`);
    if (typeUpper === 'STRING') {
      if (pyTruthy(pyGet(value, 'enum'))) inner.push(`enum:${formatArgument(value.enum)}`);
    } else if (typeUpper === 'ARRAY') {
      const items = pyGet(value, 'items');
      if (isPyDict(items) && pyTruthy(items)) inner.push(`items:{${formatItems(items)}}`);
    }
    if (pyTruthy(pyGet(value, 'nullable'))) inner.push('nullable:true');
    if (typeUpper === 'OBJECT') {
      const props = pyGet(value, 'properties');
      inner.push(`properties:{${isPyDict(props) ? formatParameters(props) : formatParameters(value, true)}}`);
      if (pyTruthy(pyGet(value, 'required'))) inner.push(requiredList(value.required));
    }
    inner.push(`type:${QUOTE}${typeUpper}${QUOTE}`);
    parts.push(`${key}:{${inner.join(',')}}`);
  }
  return parts.join(',');
}

/** An array property's `items` schema, keys sorted. */
function formatItems(items: PyDict): string {
  const out: string[] = [];
  for (const k of pySortedKeys(items)) {
    const v = items[k];
    if (v === null || v === undefined) continue;
    if (k === 'properties' && isPyDict(v)) out.push(`properties:{${formatParameters(v)}}`);
    else if (k === 'required') out.push(requiredList(v));
    else if (k === 'type') {
      const upper = typeof v === 'string' ? v.toUpperCase() : pyIter(v).map((x) => pyStr(x).toUpperCase());
      out.push(`type:${formatArgument(upper)}`);
    } else out.push(`${k}:${formatArgument(v)}`);
  }
  return out.join(',');
}

/** `_format_function_declaration`. */
function functionDeclaration(tool: PyDict): string {
  const fn = pyItem(tool, 'function');
  const name = pyGet(fn, 'name', '');
  const description = pyGet(fn, 'description', '');
  let result = `declaration:${pyStr(name)}{description:${quoted(pyTruthy(description) ? description : '')}`;
  const params = pyGet(fn, 'parameters');
  if (pyTruthy(params)) {
    const parts: string[] = [];
    const properties = pyGet(params, 'properties');
    if (pyTruthy(properties)) parts.push(`properties:{${formatParameters(pyDict(properties, 'keys'))}}`);
    if (pyTruthy(pyGet(params, 'required'))) parts.push(requiredList(pyGet(params, 'required')));
    const ptype = pyGet(params, 'type');
    if (typeof ptype === 'string' && ptype) parts.push(`type:${QUOTE}${ptype.toUpperCase()}${QUOTE}`);
    if (parts.length) result += ',parameters:{' + parts.join(',') + '}';
  }
  return result + '}';
}

/** `name:value,...` of a dict's items, keys sorted and bare. */
const bareItems = (d: PyDict): string =>
  pySortedKeys(d)
    .map((k) => `${k}:${formatArgument(pyAt(d, k), false)}`)
    .join(',');

/** `_gemma_to_json` + `_parse_arguments`: the DSL body back to a dict ({} when it is not JSON then). */
function parseArguments(body: string): PyDict {
  const json = ('{' + body + '}').split(QUOTE).join('"').replace(BARE_KEY_RE, '"$1"');
  try {
    const parsed = pyJsonLoads(json);
    if (isPyDict(parsed)) return parsed;
  } catch {
    // not JSON
  }
  return {};
}

export class Gemma4AgentTemplate extends BaseAgentTemplate {
  readonly id: string = 'gemma4';

  override getToolcall(response: string): SwiftFunction[] {
    const functions = [...response.matchAll(CALL_RE)].map((m) =>
      swiftFunction(pyStrip(m[1]), pyJsonDumps(parseArguments(m[2]))),
    );
    return functions.length ? functions : super.getToolcall(response);
  }

  /** ↔ `_get_tool_responses`: each result under its message's `name` ('unknown' when none). */
  protected toolResponsesText(toolMessages: SwiftMessage[]): string {
    return toolMessages
      .map((m) => {
        const name = pyGet(m, 'name');
        const toolName = pyTruthy(name) ? name : 'unknown';
        const content = pyGet(m, 'content');
        const body = isPyDict(content) ? bareItems(content) : `value:${formatArgument(content ?? '', false)}`;
        return `<|tool_response>response:${pyStr(toolName)}{${body}}<tool_response|>`;
      })
      .join('');
  }

  override formatToolResponses(assistantContent: string, toolMessages: SwiftMessage[]): ToolResponses {
    if (this.withAction(assistantContent)) return super.formatToolResponses(assistantContent, toolMessages);
    // A reply that ran on into the results' opener (no stop token) would print it twice.
    const opener = '<|tool_response>';
    const content = assistantContent.endsWith(opener) ? assistantContent.slice(0, -opener.length) : assistantContent;
    return { assistantContent: content, parts: [this.toolResponsesText(toolMessages)] };
  }

  formatTools(tools: unknown[], system: string | null): string {
    const blocks = tools.map((t) => `<|tool>${functionDeclaration(BaseAgentTemplate.wrapTool(t))}<tool|>`);
    return pyStrip(pyTruthy(system) ? (system as string) : '') + blocks.join('');
  }

  override formatToolCalls(toolCallMessages: SwiftMessage[]): string {
    return toolCallMessages
      .map((m) => {
        const call = BaseAgentTemplate.parseToolCall(m.content);
        let args = call.arguments;
        if (typeof args === 'string') {
          const parsed = swiftParseJson(args);
          args = pyTruthy(parsed) ? parsed : {};
        }
        return `<|tool_call>call:${pyStr(call.name)}{${isPyDict(args) ? bareItems(args) : ''}}<tool_call|>`;
      })
      .join('');
  }
}

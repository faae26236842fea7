// Ports ms-swift's KimiK3AgentTemplate (swift/agent_template/kimi_k3.py; id kimi_k3): Kimi K3's
// XTML. Tools as deep-sorted compact JSON in a `tool-declare` system message, calls as
// `<|open|>call tool="name" index="i"<|sep|>` with one typed `argument` element per key (attribute
// values escape `&` and `"`; element text is not escaped), results as `message role="tool"`
// elements whose tool names come from the calls before them.
import { PyFloat, pyAt, pyItems, pyList } from '../../py/float.ts';
import { pyJsonDumps } from '../../pyjson.ts';
import { swiftParseJson } from '../../py/literal.ts';
import { pyFindall } from '../../py/regex.ts';
import { pyStr } from '../../py/repr.ts';
import { pyOr, pyTruthy } from '../../py/truth.ts';
import { isPyDict, pyCompareStr, pyGet, pySetItem, type PyDict } from '../../py/values.ts';
import { BaseAgentTemplate, contentOf, swiftFunction } from './base.ts';
import type { SwiftFunction, SwiftMessage, ToolResponses } from './types.ts';

// Python's \d is any decimal digit.
const CALL_RE = /<\|open\|>call tool="(.*?)"(?: index="\p{Nd}+")?<\|sep\|>(.*?)<\|close\|>call<\|sep\|>/su;
const ARG_RE = /<\|open\|>argument key="(.*?)" type="(.*?)"<\|sep\|>(.*?)<\|close\|>argument<\|sep\|>/su;
const JSON_RE = /<\|open\|>json type="object"<\|sep\|>(.*?)<\|close\|>json<\|sep\|>/su;
const CALL_NAME_RE = /<\|open\|>call tool="(.*?)" index="\p{Nd}+"<\|sep\|>/su;

/** `_deep_sort`: dict keys sorted (by code point) at every level. */
function deepSort(obj: unknown): unknown {
  if (isPyDict(obj)) {
    const out: PyDict = {};
    for (const k of Object.keys(obj).sort(pyCompareStr)) pySetItem(out, k, deepSort(pyAt(obj, k)));
    return out;
  }
  return Array.isArray(obj) ? pyList(obj).map(deepSort) : obj;
}

const escapeAttr = (v: unknown): string => pyStr(v).split('&').join('&amp;').split('"').join('&quot;');
const unescapeAttr = (v: string): string => v.split('&quot;').join('"').split('&amp;').join('&');

/** `_xtml_type`. */
function xtmlType(v: unknown): string {
  if (typeof v === 'boolean') return 'boolean';
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || v instanceof PyFloat) return 'number';
  if (typeof v === 'string') return 'string';
  return isPyDict(v) ? 'object' : 'array';
}

const xtmlValue = (v: unknown): string => (typeof v === 'string' ? v : pyJsonDumps(v));

export class KimiK3AgentTemplate extends BaseAgentTemplate {
  readonly id: string = 'kimi_k3';

  override getToolcall(response: string): SwiftFunction[] {
    const functions: SwiftFunction[] = [];
    for (const [rawName, body] of pyFindall(CALL_RE, response)) {
      const json = JSON_RE.exec(body);
      let args: unknown;
      if (json) {
        const parsed = swiftParseJson(json[1]);
        args = parsed === undefined || parsed === null ? json[1] : parsed;
      } else {
        const dict: PyDict = {};
        for (const [key, type, value] of pyFindall(ARG_RE, body)) {
          let v: unknown = value;
          if (type === 'null') v = null;
          else if (type !== 'string') {
            const parsed = swiftParseJson(value);
            v = parsed === undefined || parsed === null ? value : parsed;
          }
          pySetItem(dict, unescapeAttr(key), v);
        }
        args = dict;
      }
      functions.push(swiftFunction(unescapeAttr(rawName), args));
    }
    return functions.length ? functions : super.getToolcall(response);
  }

  formatTools(tools: unknown[], system: string | null): string {
    const json = pyJsonDumps(deepSort(tools.map((t) => BaseAgentTemplate.wrapTool(t))), { separators: [',', ':'] });
    const content = `# Tools\nHere are the available tools, described in JSONSchema.\n\n\`\`\`json\n${json}\n\`\`\``;
    // Closes the system-prefix message it is written into, so the system prompt follows as its own message.
    const res = `role="system" type="tool-declare"<|sep|>${content}`;
    if (!pyTruthy(system)) return res;
    return `${res}<|close|>message<|sep|><|end_of_msg|><|open|>message role="system"<|sep|>${system}`;
  }

  override formatToolCalls(toolCallMessages: SwiftMessage[]): string {
    const calls = toolCallMessages.map((m, i) => {
      const call = BaseAgentTemplate.parseToolCall(m.content);
      const parts = [`<|open|>call tool="${escapeAttr(call.name)}" index="${i + 1}"<|sep|>`];
      const args = call.arguments;
      if (isPyDict(args)) {
        for (const [k, v] of pyItems(args)) {
          const open = `<|open|>argument key="${escapeAttr(k)}" type="${xtmlType(v)}"<|sep|>`;
          parts.push(`${open}${xtmlValue(v)}<|close|>argument<|sep|>`);
        }
      } else {
        // Arguments that are not an object: one raw JSON element.
        parts.push(`<|open|>json type="object"<|sep|>${xtmlValue(args)}<|close|>json<|sep|>`);
      }
      parts.push('<|close|>call<|sep|>');
      return parts.join('');
    });
    return `<|open|>tools<|sep|>${calls.join('')}<|close|>tools<|sep|>`;
  }

  override addToolCallPrefix(toolContent: string, preMessage: SwiftMessage | null): string {
    // After an assistant text message the response channel is already closed; otherwise close it here.
    if (preMessage === null || preMessage.role !== 'assistant') return '<|close|>response<|sep|>' + toolContent;
    return toolContent;
  }

  override formatToolResponses(assistantContent: string, toolMessages: SwiftMessage[]): ToolResponses {
    // ms-swift joins a reply given as the list [text, calls] before looking into it (see types.ts).
    const contents: unknown[] = Array.isArray(assistantContent) ? assistantContent : [assistantContent];
    const joined = contents.filter((c): c is string => typeof c === 'string').join('');
    if (this.withAction(joined)) return super.formatToolResponses(assistantContent, toolMessages);
    // Each result takes the tool name of the call at the same position before it.
    const names = pyFindall(CALL_NAME_RE, joined).map(([n]) => n);
    const parts = ['<|close|>message<|sep|><|end_of_msg|>'];
    toolMessages.forEach((m, i) => {
      const name = i < names.length ? unescapeAttr(names[i]) : pyOr(pyOr(pyGet(m, 'tool'), pyGet(m, 'name')), '');
      parts.push(
        `<|open|>message role="tool" tool="${escapeAttr(name)}" index="${i + 1}"<|sep|>` +
          `${contentOf(m)}<|close|>message<|sep|><|end_of_msg|>`,
      );
    });
    parts.push('<|open|>message role="assistant"<|sep|>');
    return { assistantContent, parts };
  }
}

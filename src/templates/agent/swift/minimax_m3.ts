// Ports ms-swift's MinimaxM3AgentTemplate (swift/agent_template/minimax_m3.py; id minimax_m3) and
// the module's `_to_xml` / `_parse_xml_value` / `_iter_keyed` helpers: every tag is prefixed with the
// namespace token `]<]minimax[>[`, arguments are expanded into nested elements (lists as `<item>`,
// None dropped, bools as JSON, everything else as Python's str(); nothing XML-escaped), results as
// `<response>` lines in a `]~b]tool` turn.
import { pyItems, pyList } from '../../py/float.ts';
import { pyJsonDumps, pyStrip } from '../../pyjson.ts';
import { pyJsonLoads } from '../../py/literal.ts';
import { PY_S, pyFindall } from '../../py/regex.ts';
import { pyStr } from '../../py/repr.ts';
import { escapeRe } from '../../py/split.ts';
import { pyTruthy } from '../../py/truth.ts';
import { isPyDict, pyDict, pySetItem, type PyDict } from '../../py/values.ts';
import { BaseAgentTemplate, contentOf, swiftFunction } from './base.ts';
import { resultsInPrompt, toolTurnFromMeta } from './minimax_m2.ts';
import type { SwiftFunction, SwiftMessage, ToolResponses } from './types.ts';

const NS = ']<]minimax[>[';
const CALL_BEGIN = NS + '<tool_call>';
const CALL_END = NS + '</tool_call>';
const NS_RE = escapeRe(NS);

const TOOLCALL_RE = new RegExp(`${escapeRe(CALL_BEGIN)}(.*?)${escapeRe(CALL_END)}`, 'su');
const INVOKE_RE = new RegExp(`${NS_RE}<invoke${PY_S}+name="([^"]+)">(.*?)${NS_RE}</invoke>`, 'su');
const ITEM_RE = new RegExp(`${NS_RE}<item>(.*?)${NS_RE}</item>`, 'su');
// An opening tag: a name without / ! ? > or whitespace.
const OPEN_RE = new RegExp(`${NS_RE}<((?:(?!${PY_S})[^/!?>])+)>`, 'gu');

/** `_to_xml`: a value as namespaced XML elements. */
function toXml(val: unknown): string {
  if (val === null || val === undefined) return '';
  if (isPyDict(val)) {
    return pyItems(val)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => `${NS}<${k}>${toXml(v)}${NS}</${k}>`)
      .join('');
  }
  if (Array.isArray(val))
    return pyList(val)
      .map((item) => `${NS}<item>${toXml(item)}${NS}</item>`)
      .join('');
  if (typeof val === 'boolean') return val ? 'true' : 'false';
  return pyStr(val);
}

/** `_iter_keyed`: (tag, inner) for each top-level namespaced element, same-name nesting counted. */
function iterKeyed(content: string): [string, string][] {
  const out: [string, string][] = [];
  const n = content.length;
  let cursor = 0;
  while (cursor < n) {
    OPEN_RE.lastIndex = cursor;
    const m = OPEN_RE.exec(content);
    if (!m) break;
    const name = m[1];
    const openMarker = `${NS}<${name}>`;
    const endMarker = `${NS}</${name}>`;
    const start = m.index + m[0].length;
    let depth = 1;
    let scan = start;
    while (depth > 0 && scan < n) {
      const nextOpen = content.indexOf(openMarker, scan);
      const nextClose = content.indexOf(endMarker, scan);
      if (nextClose === -1) return out;
      if (nextOpen !== -1 && nextOpen < nextClose) {
        depth += 1;
        scan = nextOpen + openMarker.length;
      } else {
        depth -= 1;
        scan = nextClose + endMarker.length;
      }
    }
    // The end may be negative when the element is cut off: it counts from the end, as in Python.
    out.push([name, content.slice(start, scan - endMarker.length)]);
    cursor = scan;
  }
  return out;
}

/** `_parse_xml_value`: an element's inner XML back to a value. */
function parseXmlValue(raw: string): unknown {
  const content = pyStrip(raw);
  if (!content) return '';
  if (content.startsWith(`${NS}<item>`)) return pyFindall(ITEM_RE, content).map(([inner]) => parseXmlValue(inner));
  if (content.startsWith(NS + '<')) {
    const result: PyDict = {};
    for (const [key, inner] of iterKeyed(content)) pySetItem(result, key, parseXmlValue(inner));
    if (Object.keys(result).length) return result;
  }
  try {
    return pyJsonLoads(content);
  } catch {
    return content;
  }
}

export class MinimaxM3AgentTemplate extends BaseAgentTemplate {
  readonly id: string = 'minimax_m3';

  override getToolcall(response: string): SwiftFunction[] {
    const functions: SwiftFunction[] = [];
    for (const [block] of pyFindall(TOOLCALL_RE, response)) {
      for (const [name, params] of pyFindall(INVOKE_RE, block)) {
        const args: PyDict = {};
        for (const [key, inner] of iterKeyed(params)) pySetItem(args, key, parseXmlValue(inner));
        functions.push(swiftFunction(name, args));
      }
    }
    return functions.length ? functions : super.getToolcall(response);
  }

  override formatToolResponses(assistantContent: string, toolMessages: SwiftMessage[]): ToolResponses {
    if (this.withAction(assistantContent)) return super.formatToolResponses(assistantContent, toolMessages);
    const meta = this.templateMeta;
    const prompt = meta ? toolTurnFromMeta(meta.prompt) : [']~b]tool\n{{QUERY}}[e~[\n]~b]ai\n'];
    const chatSep = meta ? meta.chatSep : ['[e~[\n'];
    const total = toolMessages.map((m) => `<response>${contentOf(m)}</response>`).join('\n');
    return { assistantContent, parts: resultsInPrompt(chatSep, prompt, total) };
  }

  formatTools(tools: unknown[], system: string | null): string {
    const toolsXml = tools.map((t) => `<tool>${pyJsonDumps(BaseAgentTemplate.unwrapTool(t))}</tool>`).join('\n');
    const example =
      `\n\n${CALL_BEGIN}\n` +
      `${NS}<invoke name="tool-name-1">${NS}<param-1>value-1${NS}</param-1>${NS}<param-2>${NS}<item>` +
      `${NS}<key-a>val-a${NS}</key-a>${NS}<key-b>val-b${NS}</key-b>${NS}</item>${NS}</param-2>${NS}</invoke>\n` +
      `${NS}<invoke name="tool-name-2">${NS}<param-1>value-1${NS}</param-1>${NS}</invoke>\n` +
      CALL_END;
    return (
      `${pyTruthy(system) ? system : ''}\n\n# Tools\n` +
      'You may call one or more tools to assist with the user query.\n' +
      'Here are the tools available in JSONSchema format:\n' +
      `\n<tools>\n${toolsXml}\n</tools>\n\n` +
      `To call tools, wrap all invocations in a single ${CALL_BEGIN}${CALL_END} ` +
      'block. Parameter values containing nested objects or arrays are recursively expanded into ' +
      `XML elements. Example:${example}`
    );
  }

  override formatToolCalls(toolCallMessages: SwiftMessage[]): string {
    const invocations = toolCallMessages.map((m) => {
      const call = BaseAgentTemplate.parseToolCall(m.content);
      const args = pyDict(pyTruthy(call.arguments) ? call.arguments : {}, 'items');
      const params = pyItems(args)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => `${NS}<${k}>${toXml(v)}${NS}</${k}>`);
      return `${NS}<invoke name="${pyStr(call.name)}">${params.join('')}${NS}</invoke>`;
    });
    return invocations.length ? `${CALL_BEGIN}\n${invocations.join('\n')}\n${CALL_END}` : '';
  }
}

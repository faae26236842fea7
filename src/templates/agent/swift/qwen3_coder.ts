// Ports ms-swift's Qwen3CoderAgentTemplate and Qwen3_5AgentTemplate (swift/agent_template/
// qwen3_coder.py; ids qwen3_coder, qwen3_5), both Hermes subclasses: tools described in XML-like
// <function>/<parameter> blocks (qwen3_coder) or as Hermes JSON lines (qwen3_5), calls written as
// <function=name><parameter=key>value</parameter>, results in <tool_response> inside the model
// template's user turn. Qwen3.5 also separates a call from assistant text before it.
import { pyItems } from '../../py/float.ts';
import { pyJsonDumps, pyLstrip, pyStrip } from '../../pyjson.ts';
import { pyStr } from '../../py/repr.ts';
import { PY_S, pyFindall } from '../../py/regex.ts';
import { pyTruthy } from '../../py/truth.ts';
import { isPyDict, pyDict, pyGet, pyIn, pyItem, PyError, pyTypeName } from '../../py/values.ts';
import { BaseAgentTemplate, contentOf, pyDictJson, swiftFunction } from './base.ts';
import { HermesAgentTemplate, hermesToolResponses } from './hermes.ts';
import type { SwiftFunction, SwiftMessage } from './types.ts';

/** The instructions after the tool list (data: byte for byte ms-swift's TOOL_DESC_SUFFIX). */
export const QWEN3_CODER_TOOL_DESC_SUFFIX =
  '</tools>\n\nIf you choose to call a function ONLY reply in the following format with NO suffix:\n\n' +
  '<tool_call>\n<function=example_function_name>\n<parameter=example_parameter_1>\nvalue_1\n</parameter>\n' +
  '<parameter=example_parameter_2>\nThis is the value for the second parameter\nthat can span\nmultiple lines\n' +
  '</parameter>\n</function>\n</tool_call>\n\n<IMPORTANT>\nReminder:\n- Function calls MUST follow the specified ' +
  'format: an inner <function=...></function> block must be nested within <tool_call></tool_call> XML tags\n' +
  '- Required parameters MUST be specified\n- You may provide optional reasoning for your function call in natural ' +
  'language BEFORE the function call, but NOT after\n- If there is no function call available, answer the question ' +
  'like normal with your current knowledge and do not tell the user about function calls\n</IMPORTANT>';

const DEFAULT_SYSTEM = 'You are Qwen, a helpful AI assistant that can interact with a computer to solve tasks.';

/** `<key>json</key>` lines for a dict's keys not in `handled` (nothing for a non-dict). */
function extraKeys(obj: unknown, handled: string[]): string {
  if (!isPyDict(obj)) return '';
  return pyItems(obj)
    .filter(([k]) => !handled.includes(k))
    .map(([k, v]) => `\n<${k}>${pyJsonDumps(v)}</${k}>`)
    .join('');
}

/** Python's `value.strip()`, which only a str has. */
function strip(value: unknown): string {
  if (typeof value !== 'string')
    throw new PyError('AttributeError', `'${pyTypeName(value)}' object has no attribute 'strip'`);
  return pyStrip(value);
}

/** One `<parameter>` block of the tools list (`fields` is whatever the schema holds there). */
function describeParameter(name: string, fields: unknown): string {
  let out = `\n<parameter>\n<name>${name}</name>`;
  if (pyIn('type', fields)) out += `\n<type>${pyStr(pyItem(fields, 'type'))}</type>`;
  if (pyIn('description', fields)) out += `\n<description>${strip(pyItem(fields, 'description'))}</description>`;
  return out + extraKeys(fields, ['name', 'type', 'description']) + '\n</parameter>';
}

export class Qwen3CoderAgentTemplate extends HermesAgentTemplate {
  override readonly id: string = 'qwen3_coder';

  /** ↔ `_find_function_call`: one `<function=name>…</function>` block, or null. */
  static findFunctionCall(block: string): SwiftFunction | null {
    const s = pyStrip(block);
    if (!s.startsWith('<function=') || !s.endsWith('</function>')) return null;
    const name = /<function=([^>]+)>/.exec(s);
    if (!name) return null;
    const params = new Map<string, unknown>();
    const re = new RegExp(`<parameter=([^>]+)>${PY_S}*(.*?)${PY_S}*</parameter>`, 's');
    for (const [key, value] of pyFindall(re, s)) params.set(pyStrip(key), pyStrip(value));
    return swiftFunction(pyStrip(name[1]), pyDictJson(params));
  }

  override getToolcall(response: string): SwiftFunction[] {
    const functions: SwiftFunction[] = [];
    for (const [block] of pyFindall(/<tool_call>(.*?)<\/tool_call>/s, response)) {
      const f = Qwen3CoderAgentTemplate.findFunctionCall(block);
      if (f) functions.push(f);
    }
    // Nothing in this form: ReAct (ms-swift skips Hermes' JSON form here).
    return functions.length ? functions : BaseAgentTemplate.prototype.getToolcall.call(this, response);
  }

  override formatTools(tools: unknown[], system: string | null): string {
    const descs = [`${system ?? DEFAULT_SYSTEM}\n\n# Tools\n\nYou have access to the following functions:\n\n<tools>`];
    for (const wrapped of tools) {
      const tool = isPyDict(wrapped) && 'function' in wrapped ? wrapped.function : wrapped;
      let desc = `<function>\n<name>${pyStr(pyItem(tool, 'name'))}</name>`;
      if (pyIn('description', tool)) desc += `\n<description>${strip(pyItem(tool, 'description'))}</description>`;
      desc += '\n<parameters>';
      const params = pyGet(tool, 'parameters', undefined);
      if (isPyDict(params) && isPyDict(params.properties)) {
        for (const [name, fields] of pyItems(params.properties)) desc += describeParameter(name, fields);
      }
      if (pyIn('parameters', tool)) desc += extraKeys(params, ['type', 'properties']);
      desc += '\n</parameters>';
      desc += extraKeys(tool, ['type', 'name', 'description', 'parameters']);
      descs.push(desc + '\n</function>');
    }
    descs.push(QWEN3_CODER_TOOL_DESC_SUFFIX);
    return descs.join('\n');
  }

  override formatToolCalls(toolCallMessages: SwiftMessage[]): string {
    const calls = toolCallMessages.map((m) => {
      const call = BaseAgentTemplate.parseToolCall(m.content);
      let out = `<tool_call>\n<function=${pyStr(call.name)}>\n`;
      if (pyTruthy(call.arguments)) {
        for (const [key, value] of pyItems(pyDict(call.arguments, 'items'))) {
          // Objects and arrays as JSON, anything else as Python's str() (True, None, 1.5).
          const text = typeof value === 'object' && value !== null ? pyJsonDumps(value) : pyStr(value);
          out += `<parameter=${key}>\n${text}\n</parameter>\n`;
        }
      }
      return out + '</function>\n</tool_call>';
    });
    return calls.join('\n');
  }

  protected override toolResponsesText(toolMessages: SwiftMessage[]): string {
    return toolMessages.map((m) => `<tool_response>\n${contentOf(m)}\n</tool_response>\n`).join('');
  }
}

export class Qwen3_5AgentTemplate extends Qwen3CoderAgentTemplate {
  override readonly id: string = 'qwen3_5';

  /** Qwen3.5's chat template puts a blank line between assistant text and a call, not after thinking alone. */
  override addToolCallPrefix(toolContent: string, preMessage: SwiftMessage | null): string {
    if (!preMessage || preMessage.role !== 'assistant') return toolContent;
    const content = 'content' in preMessage ? preMessage.content : '';
    if (typeof content !== 'string') return toolContent;
    const effective = content.includes('</think>') ? pyLstrip(content.split('</think>').at(-1)!, '\n') : content;
    return pyStrip(effective) ? '\n\n' + toolContent : toolContent;
  }

  override formatTools(tools: unknown[], system: string | null): string {
    const descs = tools.map((t) => pyJsonDumps(BaseAgentTemplate.wrapTool(t)));
    const prompt =
      '# Tools\n\nYou have access to the following functions:\n\n<tools>\n' +
      descs.join('\n') +
      `\n${QWEN3_CODER_TOOL_DESC_SUFFIX}`;
    return system ? `${prompt}\n\n${system}` : prompt;
  }

  protected override toolResponsesText(toolMessages: SwiftMessage[]): string {
    return hermesToolResponses(toolMessages);
  }
}

// Ports ms-swift's Qwen3CoderAgentTemplate and Qwen3_5AgentTemplate (swift/agent_template/
// qwen3_coder.py; ids qwen3_coder, qwen3_5), both Hermes subclasses: tools described in XML-like
// <function>/<parameter> blocks (qwen3_coder) or as Hermes JSON lines (qwen3_5), calls written as
// <function=name><parameter=key>value</parameter>, results in <tool_response> inside the model
// template's user turn. Qwen3.5 also separates a call from assistant text before it.
import { pyJsonDumps, pyLstrip, pyStrip } from '../../pyjson.ts';
import { pyStr } from '../../py/repr.ts';
import { PY_S, pyFindall } from '../../py/regex.ts';
import { pyTruthy } from '../../py/truth.ts';
import { BaseAgentTemplate, contentOf, pyDictJson, swiftFunction } from './base.ts';
import { HermesAgentTemplate, hermesToolResponses } from './hermes.ts';
import { AgentTemplateError, type SwiftFunction, type SwiftMessage } from './types.ts';

type Obj = Record<string, unknown>;

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

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
  if (!isObj(obj)) return '';
  return Object.entries(obj)
    .filter(([k]) => !handled.includes(k))
    .map(([k, v]) => `\n<${k}>${pyJsonDumps(v)}</${k}>`)
    .join('');
}

/** Python's `key in container` for a parsed JSON value; TypeError for a number, bool or None. */
function pyIn(key: string, container: unknown): boolean {
  if (typeof container === 'string') return container.includes(key);
  if (Array.isArray(container)) return container.includes(key);
  if (isObj(container)) return key in container;
  throw new AgentTemplateError(`TypeError: argument of type ${pyStr(container)} is not iterable`);
}

/** Python's `value.strip()`, which only a str has. */
function stripStr(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new AgentTemplateError(`AttributeError: ${where} ${pyStr(value)} has no strip()`);
  return pyStrip(value);
}

/** One `<parameter>` block of the tools list. */
function describeParameter(name: string, fields: unknown): string {
  let out = `\n<parameter>\n<name>${name}</name>`;
  const hasType = pyIn('type', fields);
  // A str or list that "contains" either key cannot then be indexed by it in Python.
  if (!isObj(fields) && (hasType || pyIn('description', fields))) {
    throw new AgentTemplateError(`TypeError: parameter ${name}: ${pyStr(fields)} cannot be indexed by a key`);
  }
  if (isObj(fields)) {
    if (hasType) out += `\n<type>${pyStr(fields.type)}</type>`;
    if ('description' in fields) out += `\n<description>${stripStr(fields.description, `parameter ${name}: description`)}</description>`;
  }
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
      const tool = isObj(wrapped) && 'function' in wrapped ? wrapped.function : wrapped;
      if (!isObj(tool)) throw new AgentTemplateError(`TypeError: tool ${pyStr(tool)} is not a dict`);
      if (!('name' in tool)) throw new AgentTemplateError(`KeyError: 'name' (tool ${pyStr(tool)})`);
      let desc = `<function>\n<name>${pyStr(tool.name)}</name>`;
      if ('description' in tool) desc += `\n<description>${stripStr(tool.description, 'description')}</description>`;
      desc += '\n<parameters>';
      const params = tool.parameters;
      if (isObj(params) && isObj(params.properties)) {
        for (const [name, fields] of Object.entries(params.properties)) desc += describeParameter(name, fields);
      }
      if ('parameters' in tool) desc += extraKeys(params, ['type', 'properties']);
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
        if (!isObj(call.arguments)) throw new AgentTemplateError(`AttributeError: arguments ${pyStr(call.arguments)} have no items()`);
        for (const [key, value] of Object.entries(call.arguments)) {
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
    const prompt = '# Tools\n\nYou have access to the following functions:\n\n<tools>\n' + descs.join('\n') + `\n${QWEN3_CODER_TOOL_DESC_SUFFIX}`;
    return system ? `${prompt}\n\n${system}` : prompt;
  }

  protected override toolResponsesText(toolMessages: SwiftMessage[]): string {
    return hermesToolResponses(toolMessages);
  }
}

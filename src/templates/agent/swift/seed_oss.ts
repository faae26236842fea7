// Ports ms-swift's SeedAgentTemplate (swift/agent_template/seed_oss.py; id seed_oss): ByteDance
// Seed-OSS's format. Tools as Python-style signatures with a Chinese-tagged docstring (JSON types
// mapped to Python names: string→str, number/integer→int, boolean→bool, array→list, else Any),
// inserted before the system prompt (or at its `<seed:eos><seed:bos>system` split point); calls as
// `<seed:tool_call><function=name><parameter=key>value</parameter>` blocks; results as `tool` turns.
import { pyItems } from '../../py/float.ts';
import { pyJsonDumps, pyStrip } from '../../pyjson.ts';
import { pyFindall } from '../../py/regex.ts';
import { pyStr } from '../../py/repr.ts';
import { pyTruthy } from '../../py/truth.ts';
import {
  isPyDict,
  pyDict,
  pyEq,
  pyGet,
  pyIn,
  pyLookup,
  PyError,
  pySetItem,
  pyTypeName,
  type PyDict,
} from '../../py/values.ts';
import { BaseAgentTemplate, contentOf, swiftFunction } from './base.ts';
import type { SwiftFunction, SwiftMessage, ToolResponses } from './types.ts';

const CALL_START = '<seed:tool_call>';
const CALL_END = '</seed:tool_call>';
const SPLIT_TOKEN = '<seed:eos><seed:bos>system';

const PY_TYPE: Readonly<Record<string, string>> = {
  string: 'str',
  number: 'int',
  integer: 'int',
  boolean: 'bool',
  array: 'list',
};

/** `_py_type`: a JSON-schema type as the Python type name Seed's prompt uses. */
const pyType = (t: unknown): string => pyLookup(PY_TYPE, t, 'Any');

const CALL_RE = /<seed:tool_call>(.+?)<\/seed:tool_call>/su;
const FUNCTION_RE = /<function=([^>]+)>/u;
const PARAM_RE = /<parameter=([^>]+)>(.*?)<\/parameter>/su;

/** `str.strip()` on a value Python requires to be a str. */
function strip(x: unknown): string {
  if (typeof x !== 'string') throw new PyError('AttributeError', `'${pyTypeName(x)}' object has no attribute 'strip'`);
  return pyStrip(x);
}

/** `_build_tool_def_string`: one tool as `def name(args):` with its docstring ('' when unnamed). */
function toolDef(tool: PyDict): string {
  const func = pyGet(tool, 'function', {});
  const name = pyGet(func, 'name');
  if (!pyTruthy(name)) return '';
  const parameters = pyGet(func, 'parameters', {});
  const properties = pyDict(pyGet(parameters, 'properties', {}), 'items');
  const specs = pyItems(properties).filter((e): e is [string, PyDict] => isPyDict(e[1]));
  const paramStr = specs.map(([k, spec]) => `${k}: ${pyType(pyGet(spec, 'type', 'any'))}`).join(',');
  const doc = ['    """', `    ${strip(pyGet(func, 'description', ''))}`];
  if (pyTruthy(properties)) {
    doc.push('\n    Args:');
    const required = pyGet(parameters, 'required', []);
    for (const [k, spec] of specs) {
      const tag = pyIn(k, required) ? '[必填]' : '[选填]';
      doc.push(`    - ${k} (${pyType(pyGet(spec, 'type', 'any'))}) ${tag}: ${pyStr(pyGet(spec, 'description', ''))}`);
    }
  }
  const returns = pyGet(pyGet(func, 'returns', {}), 'properties', {});
  if (pyTruthy(returns)) {
    doc.push('\n    Returns:');
    for (const [k, spec] of pyItems(pyDict(returns, 'items'))) {
      doc.push(`    - ${k} (${pyType(pyGet(spec, 'type', 'any'))}): ${pyStr(pyGet(spec, 'description', ''))}`);
    }
  }
  doc.push('\n    """');
  return `Function:\ndef ${pyStr(name)}(${paramStr}):\n${doc.join('\n')}`;
}

export class SeedAgentTemplate extends BaseAgentTemplate {
  readonly id: string = 'seed_oss';

  override getToolcall(response: string): SwiftFunction[] {
    const blocks = pyFindall(CALL_RE, response);
    if (blocks.length === 0) return super.getToolcall(response);
    const functions: SwiftFunction[] = [];
    for (const [block] of blocks) {
      const fn = FUNCTION_RE.exec(block);
      if (!fn) continue;
      const args: PyDict = {};
      for (const [key, value] of pyFindall(PARAM_RE, block)) pySetItem(args, key, value);
      functions.push(swiftFunction(fn[1], args));
    }
    return functions;
  }

  override formatToolResponses(assistantContent: string, toolMessages: SwiftMessage[]): ToolResponses {
    if (this.withAction(assistantContent)) return super.formatToolResponses(assistantContent, toolMessages);
    const turns = toolMessages.map((m) => `<seed:bos>tool\n${contentOf(m)}<seed:eos>`).join('');
    return { assistantContent, parts: ['<seed:eos>', turns + '<seed:bos>assistant\n'] };
  }

  formatTools(tools: unknown[], system: string | null): string {
    if (tools.length === 0) return pyTruthy(system) ? (system as string) : '';
    const defs: string[] = [];
    for (const t of tools) {
      const wrapped = BaseAgentTemplate.wrapTool(t);
      if (!pyEq(pyGet(wrapped, 'type'), 'function')) continue;
      const def = toolDef(wrapped);
      if (def !== '') defs.push(def);
    }
    const instruction =
      `工具调用请遵循如下格式:\n${CALL_START}\n<function=example_function_name>\n` +
      '<parameter=example_parameter_1>value_1</parameter>\n' +
      '<parameter=example_parameter_2>This is the value for the second parameter\nthat can span\n' +
      `multiple lines</parameter>\n</function>\n${CALL_END}`;
    const body = `${defs.join('\n\n')}\n${instruction}\n${SPLIT_TOKEN}`;
    const at = system ? system.indexOf(SPLIT_TOKEN) : -1;
    if (system && at >= 0) return `${system.slice(0, at)}\n\n${body}${system.slice(at + SPLIT_TOKEN.length)}`;
    const doubao =
      'You are Doubao, a helpful AI assistant. You may call one or more functions to assist with the user query.';
    return `${doubao}\n\n${body}\n${pyTruthy(system) ? system : ''}`;
  }

  override formatToolCalls(toolCallMessages: SwiftMessage[]): string {
    return toolCallMessages
      .map((m) => {
        const call = BaseAgentTemplate.parseToolCall(m.content);
        const lines = [`<function=${pyStr(call.name)}>`];
        for (const [k, v] of pyItems(pyDict(call.arguments, 'items'))) {
          lines.push(`<parameter=${k}>${typeof v === 'string' ? v : pyJsonDumps(v)}</parameter>`);
        }
        lines.push('</function>');
        return `${CALL_START}\n${lines.join('\n')}\n${CALL_END}`;
      })
      .join('\n');
  }
}

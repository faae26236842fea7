// Hermes 3's tool_use template (official ../shared/reference/chat_templates/
// NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja; transformers picks it when tools are given):
// a fixed function-calling system turn right after BOS listing each tool as a JSON line whose
// description is a Python signature (`name(city: str, days: list[Union[]]) - description` + an Args
// section), then the record's system prompt as a turn of its own (no default one); a call turn is
// `<|im_start|>assistant` + one '\n<tool_call>\n{"name": …, "arguments": …}\n</tool_call>' per call
// (the text next to calls is dropped, as the template does: warning content_dropped); a run of
// results is one `tool` turn of <tool_response> blocks, closed by <|im_end|> with no newline after it.
// The type names follow the template's json_to_python_type macro exactly, including its quirks: an
// array is `list[Union[]]` (the macro is given the schema's dict items, not its `items`), a schema
// without a type is `Union[]`.
import { pyItems } from '../../py/float.ts';
import type { Tool } from '../../../data/types.ts';
import { TemplateError } from '../../errors.ts';
import { pyJsonDumps, pyStrip } from '../../pyjson.ts';
import { of, tpl, toolsText } from '../pieces.ts';
import type { Piece } from '../types.ts';
import { hermesCall } from './hermes.ts';
import { nativeId, type NativeAgentDef } from './types.ts';

type Json = Record<string, unknown>;
const isMapping = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const BASIC: Record<string, string> = { string: 'str', number: 'float', integer: 'int', boolean: 'bool' };

/** The template's json_to_python_type macro. */
function pythonType(spec: unknown, depth = 0): string {
  if (depth > 50) throw new TemplateError('maximum recursion depth exceeded while describing a tool parameter type');
  const type = isMapping(spec) ? spec.type : undefined;
  if (typeof type === 'string' && type in BASIC) return BASIC[type];
  if (type === 'array') return 'list[Union[]]';
  if (type === 'object') {
    return isMapping(spec) && spec.additionalProperties !== undefined
      ? `dict[str, ${pythonType(spec.additionalProperties, depth + 1)}]`
      : 'dict';
  }
  // `type is iterable`: a list of types, an undefined type (iterates as nothing) or a string (its characters).
  if (Array.isArray(type)) return 'Union[' + type.map((t) => pythonType({ type: t }, depth + 1)).join(',') + ']';
  if (type === undefined || type === null) return 'Union[]';
  if (typeof type === 'string')
    return 'Union[' + [...type].map((t) => pythonType({ type: t }, depth + 1)).join(',') + ']';
  return 'Any';
}

function describe(t: Tool): string {
  const tool = t.function as unknown as Json;
  if (typeof tool.description !== 'string') throw new TemplateError("'dict object' has no attribute 'description'");
  const params = tool.parameters;
  if (!isMapping(params) || !isMapping(params.properties))
    throw new TemplateError("'dict object' has no attribute 'properties'");
  const props = pyItems(params.properties);
  const ret = tool.return;
  let d = `{"type": "function", "function": {"name": "${String(tool.name)}", "description": "${String(tool.name)}(`;
  d += props.map(([name, f]) => `${name}: ${pythonType(f)}`).join(', ') + ')';
  if (ret !== undefined) d += ' -> ' + pythonType(ret);
  d += ' - ' + tool.description + '\n\n';
  props.forEach(([name, f], k) => {
    if (k === 0) d += '    Args:\n';
    const desc = isMapping(f) && f.description !== undefined ? pyStrip(String(f.description)) : '';
    d += `        ${name}(${pythonType(f)}): ${desc}`;
  });
  if (isMapping(ret) && ret.description !== undefined) d += '\n    Returns:\n        ' + String(ret.description);
  d += '", "parameters": ' + (props.length === 0 ? '{}' : pyJsonDumps(params)) + '}';
  return d;
}

export function hermes3ToolsTurn(tools: Tool[]): string {
  return (
    '<|im_start|>system\nYou are a function calling AI model. You are provided with function signatures within ' +
    "<tools></tools> XML tags. You may call one or more functions to assist with the user query. Don't make " +
    'assumptions about what values to plug into functions. Here are the available tools: <tools> ' +
    tools.map(describe).join('\n') +
    ' </tools>Use the following pydantic model json schema for each tool call you will make: {"properties": {"name": ' +
    '{"title": "Name", "type": "string"}, "arguments": {"title": "Arguments", "type": "object"}}, "required": ' +
    '["name", "arguments"], "title": "FunctionCall", "type": "object"}}\nFor each function call return a json object ' +
    'with function name and arguments within <tool_call></tool_call> XML tags as follows:\n<tool_call>\n{"name": ' +
    '<function-name>, "arguments": <args-dict>}\n</tool_call><|im_end|>\n'
  );
}

export const hermes3: NativeAgentDef = {
  id: nativeId('hermes3'),
  kind: 'native',
  format: 'hermes3',
  description:
    'Hermes 3 (tool_use template): a function-calling system turn with Python-typed tool descriptions, ' +
    'calls as <tool_call>{"name", "arguments"}</tool_call>, results as <tool_response> blocks in a tool turn',
  create: () => ({
    id: nativeId('hermes3'),
    kind: 'native',
    tools(tools, ctx) {
      const sys = ctx.conversation.system;
      return {
        block: [toolsText(hermes3ToolsTurn(tools))],
        system: sys !== undefined ? [{ text: sys, role: 'system' }] : null,
      };
    },
    calls({ index, message, calls }, ctx) {
      if (message.content)
        ctx.warn(
          'content_dropped',
          `${ctx.spec.id}'s official template writes only the calls of a call turn: its text is dropped`,
        );
      const body: Piece[] = calls.map((c) => of(index, '\n' + hermesCall(c, true), 'assistant'));
      return [{ prefix: '<|im_start|>assistant', body }];
    },
    results({ indexes }, ctx) {
      const msgs = ctx.conversation.messages;
      const content: Piece[] = [];
      indexes.forEach((i, k) => {
        if (k > 0) content.push(tpl('\n'));
        content.push(tpl('<tool_response>\n'), of(i, msgs[i].content, 'tool'), tpl('\n</tool_response>'));
      });
      const last = indexes[indexes.length - 1];
      if (last < msgs.length - 1) content.push(tpl('\n'));
      const wrapper = { prefix: '<|im_start|>tool\n', suffix: '<|im_end|>', sep: '' };
      return { parts: [{ kind: 'turn', wrapper, content, msg: last }], carriedBy: 'tool' };
    },
  }),
};

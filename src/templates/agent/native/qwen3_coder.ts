// Qwen3-Coder's own tool format (official ../shared/reference/chat_templates/Qwen3-Coder.jinja,
// edited by llama.cpp after import, see SOURCES.md): the tools as XML descriptions
// (<function><name>…<parameters><parameter>…) after the system prompt (without one, "You are Qwen,
// a helpful AI assistant that can interact with a computer to solve tasks."); a call turn is
// `<|im_start|>assistant` + ('\n' + trimmed text + '\n' when there is text) + one
// '\n<tool_call>\n<function=NAME>…</tool_call>' per call (the calls as Qwen3.5 writes them); a run
// of results is one user turn of '<tool_response>\n…\n</tool_response>\n' blocks. ms-swift's
// qwen3_coder agent template writes the same calls and results; its tool list differs (a
// different instruction text), so it is not reused here.
import { pyItems } from '../../py/float.ts';
import type { Tool } from '../../../data/types.ts';
import { pyJsonDumps, pyStrip } from '../../pyjson.ts';
import { pyStr } from '../../py/repr.ts';
import { of, tpl, toolsText } from '../pieces.ts';
import type { Piece } from '../types.ts';
import { xmlCall } from './qwen3_5.ts';
import { nativeId, type NativeAgentDef } from './types.ts';

const DEFAULT_SYSTEM = 'You are Qwen, a helpful AI assistant that can interact with a computer to solve tasks.';

const INSTRUCTIONS =
  '\n\nIf you choose to call a tool ONLY reply in the following format with NO ' +
  'suffix:\n\n<tool_call>\n<function=example_function_name>\n<parameter=example_parameter_1>\nvalue_1\n</parameter>\n' +
  '<parameter=example_parameter_2>\nvalue_2\n</parameter>\n</function>\n</tool_call>\n\n<IMPORTANT>\nReminder:\n- ' +
  '' +
  'Function calls MUST follow the specified format: the tool calling block MUST begin with an opening <tool_call> ' +
  'tag and end with a closing </tool_call> tag.\n- Required parameters MUST be specified\n- You may provide optional ' +
  'reasoning for your function call in natural language BEFORE the function call, but NOT after\n- If there is no ' +
  'function call available, answer the question like normal with your current knowledge and do not tell the user ' +
  'about function calls\n</IMPORTANT>';

type Json = Record<string, unknown>;
const isMapping = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The template's render_extra_keys: keys not handled, objects and lists as JSON, the rest through |string. */
function extraKeys(obj: unknown, handled: string[]): string {
  if (!isMapping(obj)) return '';
  return pyItems(obj)
    .filter(([k]) => !handled.includes(k))
    .map(([k, v]) => `\n<${k}>${typeof v === 'object' && v !== null ? pyJsonDumps(v) : pyStr(v)}</${k}>`)
    .join('');
}

export function qwen3CoderToolsText(tools: Tool[]): string {
  let out = '\n\n# Tools\n\nYou have access to the following tools:\n\n<tools>';
  for (const t of tools) {
    const tool = (isMapping(t) && isMapping((t as Json).function) ? (t as Json).function : t) as Json;
    out += `\n<function>\n<name>${pyStr(tool.name)}</name>`;
    if (tool.description !== undefined) out += `\n<description>${pyStrip(pyStr(tool.description))}</description>`;
    out += '\n<parameters>';
    const params = tool.parameters;
    if (isMapping(params) && isMapping(params.properties)) {
      for (const [name, fields] of pyItems(params.properties)) {
        out += `\n<parameter>\n<name>${name}</name>`;
        if (isMapping(fields) && fields.type !== undefined) out += `\n<type>${pyStr(fields.type)}</type>`;
        if (isMapping(fields) && fields.description !== undefined)
          out += `\n<description>${pyStrip(pyStr(fields.description))}</description>`;
        out += extraKeys(fields, ['name', 'type', 'description']) + '\n</parameter>';
      }
    }
    out +=
      extraKeys(params, ['type', 'properties']) +
      '\n</parameters>' +
      extraKeys(tool, ['type', 'name', 'description', 'parameters']) +
      '\n</function>';
  }
  return out + '\n</tools>' + INSTRUCTIONS;
}

export const qwen3Coder: NativeAgentDef = {
  id: nativeId('qwen3_coder'),
  kind: 'native',
  format: 'qwen3_coder',
  description:
    'Qwen3-Coder: tools as XML <function> descriptions after the system prompt, calls as ' +
    '<tool_call><function=NAME><parameter=KEY>VALUE</parameter></function></tool_call>, results as <tool_response> ' +
    'blocks in a user turn',
  create: () => ({
    id: nativeId('qwen3_coder'),
    kind: 'native',
    tools(tools, ctx) {
      const sys = ctx.conversation.system;
      return {
        system: [
          sys !== undefined ? { text: sys, role: 'system' } : toolsText(DEFAULT_SYSTEM),
          toolsText(qwen3CoderToolsText(tools)),
        ],
      };
    },
    calls({ index, message, calls }, ctx) {
      const body: Piece[] = [];
      const text = pyStrip(message.content);
      if (text) body.push(tpl('\n'), of(index, text, 'assistant'), of(index, '\n', 'assistant'));
      for (const c of calls) body.push(of(index, '\n' + xmlCall(c), 'assistant'));
      if (message.reasoning_content)
        ctx.warn('thinking_dropped', 'the official template has no reasoning: reasoning_content is not written');
      return [{ prefix: '<|im_start|>assistant', body }];
    },
    results({ indexes }, ctx) {
      const content: Piece[] = [];
      for (const i of indexes)
        content.push(
          tpl('<tool_response>\n'),
          of(i, ctx.conversation.messages[i].content, 'tool'),
          tpl('\n</tool_response>\n'),
        );
      return { parts: [{ kind: 'user', content, msg: indexes[indexes.length - 1] }], carriedBy: 'user' };
    },
  }),
};

// GLM-4.5/4.6 and GLM-4.7's own tool format (official ../shared/reference/chat_templates/GLM-4.6.jinja,
// GLM-4.7-Flash.jinja): the tool list is a `<|system|>` block of its own right after [gMASK]<sop>
// (the record's system prompt, if any, is a system turn after it); a call is
// `<tool_call>NAME<arg_key>K</arg_key><arg_value>V</arg_value>…</tool_call>` (a string value as is,
// anything else as JSON), GLM-4.6 with newlines between the parts; results follow an
// `<|observation|>` as <tool_response> blocks. The tool list text is byte for byte ms-swift's
// glm4_5 / glm4_7 agent templates' (reused, swift/glm4.ts); their calls print values as Python's
// str(), these as JSON, so those are written here.
import { parseJsonPy } from '../../../data/py-json.ts';
import { pyItems } from '../../py/float.ts';
import type { ToolCall } from '../../../data/types.ts';
import { TemplateError } from '../../errors.ts';
import { pyJsonDumps } from '../../pyjson.ts';
import { pyStr } from '../../py/repr.ts';
import { of, tpl, toolsText } from '../pieces.ts';
import { GLM4_5AgentTemplate, GLM4_7AgentTemplate } from '../swift/glm4.ts';
import type { Piece } from '../types.ts';
import { nativeId, type NativeAgentDef } from './types.ts';

function args(call: ToolCall, newlines: boolean): [string, unknown][] {
  const a = call.arguments ?? {};
  if (typeof a !== 'object' || Array.isArray(a)) {
    // GLM-4.6 says so; GLM-4.7 fails on `.items()` of a non-mapping.
    throw new TemplateError(
      newlines
        ? 'Invalid tool call arguments passed: ' + pyStr(a)
        : `'${typeof a === 'string' ? 'str' : 'list'} object' has no attribute 'items'`,
    );
  }
  return pyItems(a as Record<string, unknown>);
}

export function glmCall(call: ToolCall, newlines: boolean): string {
  const nl = newlines ? '\n' : '';
  const kv = args(call, newlines).map(
    ([k, v]) => `<arg_key>${k}</arg_key>${nl}<arg_value>${typeof v === 'string' ? v : pyJsonDumps(v)}</arg_value>${nl}`,
  );
  return `${nl}<tool_call>${call.name}${nl}${kv.join('')}</tool_call>`;
}

function glmFormat(id: 'glm4_5' | 'glm4_7'): NativeAgentDef {
  const newlines = id === 'glm4_5';
  const swift = newlines ? new GLM4_5AgentTemplate() : new GLM4_7AgentTemplate();
  return {
    id: nativeId(id),
    kind: 'native',
    format: id,
    families: ['glm'],
    description: newlines
      ? 'GLM-4.5/4.6: tools as JSON in a <|system|> block, calls as <tool_call>NAME <arg_key>/<arg_value> pairs on ' +
        'lines, results as <tool_response> blocks after <|observation|>'
      : 'GLM-4.7: tools as JSON in a <|system|> block, calls as ' +
        '<tool_call>NAME<arg_key>K</arg_key><arg_value>V</arg_value></tool_call>, results as <tool_response> blocks ' +
        'after <|observation|>',
    create: () => ({
      id: nativeId(id),
      kind: 'native',
      tools(tools) {
        const list = swift.formatTools(
          tools.map((t) => parseJsonPy(pyJsonDumps(t)) as unknown),
          null,
        );
        return { block: [tpl('<|system|>' + (newlines ? '\n' : '')), toolsText(list)] };
      },
      calls({ index, calls, text }) {
        const body: Piece[] = [...text];
        for (const c of calls) body.push(of(index, glmCall(c, newlines), 'assistant'));
        return [{ body }];
      },
      results({ indexes }, ctx) {
        const content: Piece[] = [];
        for (const i of indexes) {
          const c = ctx.conversation.messages[i].content;
          if (newlines) content.push(tpl('\n<tool_response>\n'), of(i, c, 'tool'), tpl('\n</tool_response>'));
          else content.push(tpl('<tool_response>'), of(i, c, 'tool'), tpl('</tool_response>'));
        }
        const wrapper = { prefix: '<|observation|>', suffix: '', sep: '' };
        return { parts: [{ kind: 'turn', wrapper, content, msg: indexes[indexes.length - 1] }], carriedBy: 'tool' };
      },
    }),
  };
}

export const glm4_5 = glmFormat('glm4_5');
export const glm4_7 = glmFormat('glm4_7');

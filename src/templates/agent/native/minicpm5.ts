// MiniCPM5's own tool format (official ../shared/reference/chat_templates/openbmb-MiniCPM5-1B.jinja):
// the tool definitions (JSON lines in <tools></tools> and usage guidelines) after the system prompt
// and a blank line, or in place of every `<tool_def_sep>` in it; calls after the reply's text, one
// per line: `<function name="NAME"><param name="KEY">VALUE</param>…</function>` (a string holding
// `<`, `&` or a newline in a CDATA block, anything else printed as Jinja prints it: Python's str(),
// so a dict is `{'a': 1}`, not JSON); a run of results is one user turn of
// '\n<tool_response>\n…\n</tool_response>' blocks. The tool definitions are byte for byte ms-swift's
// minicpm5 agent template's (reused, swift/minicpm5.ts); its calls print non-strings as JSON.
import { parseJsonPy } from '../../../data/py-json.ts';
import { pyItems } from '../../py/float.ts';
import type { ToolCall } from '../../../data/types.ts';
import { pyJsonDumps } from '../../pyjson.ts';
import { pyStr } from '../../py/repr.ts';
import { pyTruthy } from '../../py/truth.ts';
import { of, tpl, toolsText } from '../pieces.ts';
import { MiniCPM5AgentTemplate } from '../swift/minicpm5.ts';
import type { Piece } from '../types.ts';
import { nativeId, type NativeAgentDef } from './types.ts';

export function minicpm5Call(call: ToolCall): string {
  let out = `<function name="${call.name}">`;
  const args = call.arguments;
  if (pyTruthy(args) && typeof args === 'object' && !Array.isArray(args)) {
    for (const [k, v] of pyItems(args as Record<string, unknown>)) {
      const cdata = typeof v === 'string' && (v.includes('<') || v.includes('&') || v.includes('\n'));
      out += `<param name="${k}">${cdata ? `<![CDATA[${v}]]>` : pyStr(v)}</param>`;
    }
  }
  return out + '</function>';
}

export const minicpm5: NativeAgentDef = {
  id: nativeId('minicpm5'),
  kind: 'native',
  format: 'minicpm5',
  description:
    'MiniCPM5: tools as JSON in <tools></tools> after the system prompt, calls as <function ' +
    'name="NAME"><param name="KEY">VALUE</param></function>, results as <tool_response> blocks in a user turn',
  create: () => ({
    id: nativeId('minicpm5'),
    kind: 'native',
    tools(tools, ctx) {
      const defs = new MiniCPM5AgentTemplate().formatTools(
        tools.map((t) => parseJsonPy(pyJsonDumps(t)) as unknown),
        null,
      );
      const sys = ctx.conversation.system;
      if (sys === undefined) return { system: [toolsText(defs)] };
      if (!sys.includes('<tool_def_sep>')) return { system: [{ text: sys, role: 'system' }, toolsText('\n\n' + defs)] };
      const parts = sys.split('<tool_def_sep>');
      return {
        system: parts.flatMap((p, k) => [...(k > 0 ? [toolsText(defs)] : []), { text: p, role: 'system' as const }]),
      };
    },
    calls({ index, calls, text, content }) {
      const body = [...text];
      calls.forEach((c, k) => {
        if (k > 0 || content) body.push(of(index, '\n', 'assistant'));
        body.push(of(index, minicpm5Call(c), 'assistant'));
      });
      return [{ body }];
    },
    results({ indexes }, ctx) {
      const content: Piece[] = [];
      for (const i of indexes)
        content.push(
          tpl('\n<tool_response>\n'),
          of(i, ctx.conversation.messages[i].content, 'tool'),
          tpl('\n</tool_response>'),
        );
      const wrapper = { prefix: '<|im_start|>user', suffix: '<|im_end|>', sep: '\n' };
      return { parts: [{ kind: 'turn', wrapper, content, msg: indexes[indexes.length - 1] }], carriedBy: 'user' };
    },
  }),
};

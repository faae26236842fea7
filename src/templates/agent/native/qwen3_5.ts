// Qwen3.5's own tool format (official ../shared/reference/chat_templates/Qwen3.5-4B.jinja): the
// tools as JSON lines in <tools></tools> and the XML calling instructions open the system turn,
// the record's system prompt (trimmed) follows after a blank line; calls are
// <tool_call>\n<function=NAME>\n<parameter=KEY>\nVALUE\n</parameter>\n…</function>\n</tool_call>
// (a string as is, an object or list as JSON, anything else as Python's str(): True, None, 0.25),
// joined by '\n', after a blank line when the reply has text; a run of results is one user turn
// of '\n<tool_response>\n…\n</tool_response>' blocks (its header without the newline). The tools
// block and the instructions are byte for byte ms-swift's qwen3_5 agent template's (swift/
// qwen3_coder.ts: QWEN3_CODER_TOOL_DESC_SUFFIX), checked by the conformance suite.
import { pyItems } from '../../py/float.ts';
import type { Tool, ToolCall } from '../../../data/types.ts';
import { TemplateError } from '../../errors.ts';
import { pyJsonDumps, pyStrip } from '../../pyjson.ts';
import { pyStr } from '../../py/repr.ts';
import { of, tpl, toolsText } from '../pieces.ts';
import { QWEN3_CODER_TOOL_DESC_SUFFIX } from '../swift/qwen3_coder.ts';
import type { Piece } from '../types.ts';
import { nativeId, type NativeAgentDef } from './types.ts';

export function qwen3_5ToolsText(tools: Tool[]): string {
  return (
    '# Tools\n\nYou have access to the following functions:\n\n<tools>' +
    tools.map((t) => '\n' + pyJsonDumps(t)).join('') +
    '\n' +
    QWEN3_CODER_TOOL_DESC_SUFFIX
  );
}

/** A call's `<parameter=…>` blocks as Qwen3.5 / Qwen3-Coder write them (`|items`: a mapping only). */
export function xmlParameters(call: ToolCall): string {
  const args = call.arguments;
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new TemplateError('Can only get item pairs from a mapping.');
  }
  return pyItems(args as Record<string, unknown>)
    .map(
      ([k, v]) =>
        `<parameter=${k}>\n${typeof v === 'object' && v !== null ? pyJsonDumps(v) : pyStr(v)}\n</parameter>\n`,
    )
    .join('');
}

export const xmlCall = (call: ToolCall): string =>
  `<tool_call>\n<function=${call.name}>\n${xmlParameters(call)}</function>\n</tool_call>`;

export const qwen3_5: NativeAgentDef = {
  id: nativeId('qwen3_5'),
  kind: 'native',
  format: 'qwen3_5',
  description:
    'Qwen3.5: tools as JSON in <tools></tools> before the system prompt, calls as ' +
    '<tool_call><function=NAME><parameter=KEY>VALUE</parameter></function></tool_call>, results as <tool_response> ' +
    'blocks in a user turn',
  create: () => ({
    id: nativeId('qwen3_5'),
    kind: 'native',
    tools(tools, ctx) {
      const sys = pyStrip(ctx.conversation.system ?? '');
      const tail: Piece[] = sys ? [toolsText('\n\n'), { text: sys, role: 'system' }] : [];
      return { system: [toolsText(qwen3_5ToolsText(tools)), ...tail] };
    },
    calls({ index, calls, text, content }) {
      const body = [...text];
      calls.forEach((c, k) => {
        const sep = k > 0 ? '\n' : pyStrip(content) ? '\n\n' : '';
        if (sep) body.push(of(index, sep, 'assistant'));
        body.push(of(index, xmlCall(c), 'assistant'));
      });
      return [{ body }];
    },
    results({ indexes }, ctx) {
      const content: Piece[] = [];
      for (const i of indexes) {
        content.push(
          tpl('\n<tool_response>\n'),
          of(i, pyStrip(ctx.conversation.messages[i].content), 'tool'),
          tpl('\n</tool_response>'),
        );
      }
      const wrapper = { prefix: '<|im_start|>user', suffix: '<|im_end|>', sep: '\n' };
      return { parts: [{ kind: 'turn', wrapper, content, msg: indexes[indexes.length - 1] }], carriedBy: 'user' };
    },
  }),
};

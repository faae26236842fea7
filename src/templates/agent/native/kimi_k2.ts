// Kimi-K2-Instruct's own tool format (official ../shared/reference/chat_templates/Kimi-K2-Instruct.jinja,
// edited by llama.cpp after import): the tools as JSON in a `<|im_system|>tool_declare<|im_middle|>`
// block before the first turn; a call turn is the reply's text + `<|tool_calls_section_begin|>` +
// `<|tool_call_begin|>functions.NAME:N<|tool_call_argument_begin|>ARGS<|tool_call_end|>` per call +
// `<|tool_calls_section_end|>`, N counting the calls of the whole conversation; each result is a
// system-role turn named after the result's `name` (else `tool`), `## Return of ID\n` + content,
// the ids taken in order from the calls made so far.
// The template keeps those ids with list.append / pop, which transformers' ImmutableSandboxedEnvironment
// refuses: under transformers (and so vLLM) every conversation with a tool call fails with
// "access to attribute 'append' of 'list' object is unsafe." We write what the template writes where
// lists may change (llama.cpp's engine, Jinja2's SandboxedEnvironment), with the warning
// template_mutates_lists; the conformance suite compares against that rendering.
import type { ToolCall } from '../../../data/types.ts';
import { pyJsonDumps } from '../../pyjson.ts';
import { of, tpl, toolsText } from '../pieces.ts';
import type { Piece } from '../types.ts';
import { nativeId, type NativeAgentDef } from './types.ts';

const args = (c: ToolCall) => (typeof c.arguments === 'string' ? c.arguments : pyJsonDumps(c.arguments));

export const kimiK2: NativeAgentDef = {
  id: nativeId('kimi_k2'),
  kind: 'native',
  format: 'kimi_k2',
  families: ['kimi'],
  description:
    'Kimi-K2: tools as JSON in a tool_declare block, calls as ' +
    '<|tool_call_begin|>functions.NAME:N<|tool_call_argument_begin|>ARGS<|tool_call_end|>, results as "## Return of ' +
    'ID" turns',
  create: () => {
    let counter = 0;
    const queue: string[] = [];
    return {
      id: nativeId('kimi_k2'),
      kind: 'native',
      tools(tools) {
        return {
          block: [tpl('<|im_system|>tool_declare<|im_middle|>'), toolsText(pyJsonDumps(tools)), tpl('<|im_end|>')],
        };
      },
      calls({ index, calls, text }, ctx) {
        ctx.warn(
          'template_mutates_lists',
          `${ctx.spec.id}'s official template numbers tool calls with list.append, which transformers' sandbox ` +
            `refuses (apply_chat_template fails on any tool call); written as the template writes it where ` +
            `lists may change (llama.cpp)`,
        );
        let block = '<|tool_calls_section_begin|>';
        for (const c of calls) {
          const id = `functions.${c.name}:${counter++}`;
          queue.push(id);
          block += `<|tool_call_begin|>${id}<|tool_call_argument_begin|>${args(c)}<|tool_call_end|>`;
        }
        return [{ body: [...text, of(index, block + '<|tool_calls_section_end|>', 'assistant')] }];
      },
      results({ indexes }, ctx) {
        const parts = indexes.map((i) => {
          const m = ctx.conversation.messages[i];
          const id = queue.length ? queue.shift()! : `functions.${m.name ?? 'unknown'}:${counter}`;
          const wrapper = { prefix: `<|im_system|>${m.name || 'tool'}<|im_middle|>`, suffix: '<|im_end|>', sep: '' };
          const content: Piece[] = [tpl(`## Return of ${id}\n`), of(i, m.content, 'tool')];
          return { kind: 'turn' as const, wrapper, content, msg: i };
        });
        return { parts, carriedBy: 'tool' };
      },
    };
  },
};

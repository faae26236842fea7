// Mistral Small 3.2's own tool format (official ../shared/reference/chat_templates/
// Mistral-Small-3.2-24B-Instruct-2506.jinja, added to llama.cpp "to allow the use of tools"; Mistral
// treats mistral-common as the ground truth): `[AVAILABLE_TOOLS]` + the tools as JSON +
// `[/AVAILABLE_TOOLS]` before the last user message (and any equal to it); a call turn is
// `[TOOL_CALLS]NAME[CALL_ID]ID[ARGS]JSON` per call then `</s>` (its text dropped, as the template
// does: warning content_dropped); each result is `[TOOL_RESULTS]ID[TOOL_CONTENT]…[/TOOL_RESULTS]`.
// Ids must be 9 characters: like the official template we refuse others ("Tool call IDs should be
// alphanumeric strings with length 9!"), unless the render asks to fix them (fixToolCallIds: every
// id replaced by a deterministic 9-character one, results matched by id or in order; warning
// tool_call_ids_rewritten).
import type { Conversation } from '../../../data/types.ts';
import { TemplateError } from '../../errors.ts';
import { pyJsonDumps } from '../../pyjson.ts';
import { of, toolsText } from '../pieces.ts';
import { withNineCharIds } from './mistral.ts';
import { nativeId, type NativeAgentDef } from './types.ts';

export const MISTRAL_ID_REFUSAL = 'Tool call IDs should be alphanumeric strings with length 9!';

/** The official check, in the template's order (calls and results as they come). */
function checkIds(conv: Conversation): void {
  const bad = (id: unknown) => typeof id !== 'string' || id.length !== 9;
  for (const m of conv.messages) {
    if (m.tool_calls?.some((c) => bad(c.id)) || (m.role === 'tool' && bad(m.tool_call_id)))
      throw new TemplateError(MISTRAL_ID_REFUSAL);
  }
}

export const mistralSmall: NativeAgentDef = {
  id: nativeId('mistral_small'),
  kind: 'native',
  format: 'mistral_small',
  families: ['mistral'],
  description:
    'Mistral Small 3.2: [AVAILABLE_TOOLS] before the last user message, ' +
    '[TOOL_CALLS]NAME[CALL_ID]ID[ARGS]JSON, [TOOL_RESULTS]ID[TOOL_CONTENT]…[/TOOL_RESULTS]',
  create: () => ({
    id: nativeId('mistral_small'),
    kind: 'native',
    prepare(conv, ctx) {
      if (!ctx.fixToolCallIds) {
        checkIds(conv);
        return conv;
      }
      const ids = withNineCharIds(conv);
      if (ids.rewritten)
        ctx.warn(
          'tool_call_ids_rewritten',
          'Mistral needs 9-character tool call ids: ids were replaced by generated ones, ' +
            'as asked (fixToolCallIds; the ' +
            'official template refuses them)',
        );
      return ids.conversation;
    },
    tools: (tools) => ({
      beforeLastUser: [toolsText('[AVAILABLE_TOOLS]' + pyJsonDumps(tools) + '[/AVAILABLE_TOOLS]')],
    }),
    calls({ index, message, calls }, ctx) {
      if (message.content !== '')
        ctx.warn(
          'content_dropped',
          `${ctx.spec.id}'s template writes only the calls of a tool-call turn: its text is dropped`,
        );
      const text = calls
        .map((c) => `[TOOL_CALLS]${c.name}[CALL_ID]${c.id ?? ''}[ARGS]${pyJsonDumps(c.arguments)}`)
        .join('');
      return [{ body: [of(index, text, 'assistant')] }];
    },
    results: ({ indexes }, ctx) => ({
      parts: indexes.map((i) => {
        const m = ctx.conversation.messages[i];
        const wrapper = {
          prefix: `[TOOL_RESULTS]${m.tool_call_id ?? ''}[TOOL_CONTENT]`,
          suffix: '[/TOOL_RESULTS]',
          sep: '',
        };
        return { kind: 'turn' as const, wrapper, content: [of(i, m.content, 'tool')], msg: i };
      }),
      carriedBy: 'tool',
    }),
  }),
};

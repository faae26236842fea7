// One parsed JSON value → the canonical Conversation, or the reasons it cannot be one.
import { checkConversation } from './checks.ts';
import { makeIssue } from './codes.ts';
import { Draft, isObject, typeName } from './draft.ts';
import { detectFormat, readFormat } from './formats.ts';
import type { Conversation, Issue, SourceFormat } from './types.ts';

export interface Normalized {
  /** Absent when the record has an error (warnings alone keep it). */
  conversation?: Conversation;
  issues: Issue[];
  /** The detected format, also for invalid records (absent for non-objects and unknown formats). */
  format?: SourceFormat;
}

const KNOWN_KEYS =
  'messages/conversation(s), instruction/output, query/response or their ms-swift synonyms ' +
  '(prompt/completion, question/answer, ...)';

export interface NormalizeOptions {
  /**
   * The records are prompts to generate from (`render --generation-prompt`): a conversation may
   * end with a user turn (or a tool result) and need no assistant turn; ending so is not a warning.
   */
  forGeneration?: boolean;
}

export function normalizeRecord(value: unknown, line: number, opts: NormalizeOptions = {}): Normalized {
  if (!isObject(value)) {
    return { issues: [makeIssue('not_object', line, `the record must be a JSON object, got ${typeName(value)}`)] };
  }
  const format = detectFormat(value);
  if (format === undefined) {
    const keys = Object.keys(value);
    const seen =
      keys.length > 0 ? `its keys are ${keys.slice(0, 8).join(', ')}${keys.length > 8 ? ', ...' : ''}` : 'it is empty';
    return {
      issues: [
        makeIssue(
          'unknown_format',
          line,
          `the record matches no known format (expected one of ${KNOWN_KEYS}); ${seen}`,
        ),
      ],
    };
  }
  const d = new Draft(line);
  readFormat(d, value, format);
  checkConversation(d, opts);
  if (d.failed) return { issues: d.issues, format };
  const conversation: Conversation = { messages: d.messages, source: { format, line } };
  if (d.system !== undefined) conversation.system = d.system;
  if (d.tools) conversation.tools = d.tools;
  if (d.tools && d.toolsHints) conversation.tools_hints = d.tools.map((_, i) => d.toolsHints![i] ?? null);
  return { conversation, issues: d.issues, format };
}

// Every issue code the reader can report, in one table. Codes are a stable contract: the UI,
// the CLI's `--json` output and the e2e tests match on them, so add codes, never rename them.
// src/data/README.md documents the same table for users; a test keeps the two in step.
import type { Issue, Severity } from './types.ts';

interface CodeInfo {
  severity: Severity;
  description: string;
}

export const ISSUE_CODES = {
  // The file and the line.
  empty_file: {
    severity: 'error',
    description: 'The file has no records (it is empty or only blank lines). Reported on line 0.',
  },
  line_too_long: {
    severity: 'error',
    description:
      'The line is longer than the per-line limit (16 MiB, `MAX_LINE_BYTES`); the message gives its length. It is ' +
      'skipped without being read into memory.',
  },
  invalid_utf8: {
    severity: 'error',
    description: 'The line is not valid UTF-8; the message gives the byte offset in the line.',
  },
  invalid_json: {
    severity: 'error',
    description: 'The line is not one JSON value; `column` (1-based, UTF-16 units) points at the problem.',
  },
  too_deep: {
    severity: 'error',
    description:
      'JSON in the record (the line, or a JSON string in it such as tool-call arguments) nests arrays and objects ' +
      "more than 500 levels deep (`MAX_JSON_DEPTH`; Python's json stops near 1000).",
  },
  not_object: {
    severity: 'error',
    description: 'The line is valid JSON but not an object (an array, string, number, null).',
  },
  unknown_format: {
    severity: 'error',
    description:
      'The object has none of the keys of a known format (messages, conversations, ' +
      'instruction/output, query/response).',
  },
  // Shape of fields.
  invalid_type: {
    severity: 'error',
    description:
      'A structural field has the wrong type (e.g. `messages` is not a list, a message is not an object, a history ' +
      'entry is not a [query, response] pair, `loss` is not a boolean).',
  },
  unknown_role: {
    severity: 'error',
    description: 'A message has a missing or unknown role (`role` / sharegpt `from`).',
  },
  missing_content: {
    severity: 'error',
    description: 'A message, or a field such as alpaca `output`, has no content (absent or null).',
  },
  content_not_string: {
    severity: 'error',
    description: 'Content is present but not a string (a number, an object, a list of parts).',
  },
  // System prompt.
  system_not_first: {
    severity: 'error',
    description:
      'A system message comes after other messages. A conversation has one system prompt, first; a mid-conversation ' +
      'system message cannot be rendered faithfully by most templates.',
  },
  duplicate_system: {
    severity: 'error',
    description:
      'The record gives the system prompt twice (two leading system messages, or a top-level ' +
      '`system` and a system message).',
  },
  // Turns.
  no_assistant_turn: {
    severity: 'error',
    description: 'There is no assistant turn (reply or tool call), so nothing to train on.',
  },
  tool_result_without_call: {
    severity: 'error',
    description: 'A tool result has no tool call before it to answer (or its `tool_call_id` matches no earlier call).',
  },
  // Tools.
  invalid_tool_call: {
    severity: 'error',
    description:
      'A tool call is malformed: no function name, or an ms-swift `tool_call` / sharegpt `function_call` content ' +
      'that is not a JSON {name, arguments} object.',
  },
  invalid_tool_arguments: {
    severity: 'error',
    description: 'Tool-call arguments given as a string are not valid JSON.',
  },
  invalid_tools: {
    severity: 'error',
    description: '`tools` is not a list of tools (or a JSON string of one), or a tool has no function name.',
  },
  unknown_tool: {
    severity: 'error',
    description:
      "A tool call names a function that is not among the record's `tools` (checked only when " +
      '`tools` is given and not empty).',
  },
  // Warnings: the record is still valid and renders.
  role_order: {
    severity: 'warning',
    description:
      'Turns are out of the usual order: the first turn is not from the user, two user or two assistant turns in a ' +
      'row, or the record ends with a user turn that will not be trained. Some templates reject such conversations.',
  },
  empty_content: {
    severity: 'warning',
    description: 'A user or assistant turn has empty content (and no tool calls).',
  },
  bidi_control: {
    severity: 'warning',
    description:
      'A string holds a bidirectional control (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C): text around it ' +
      'displays in another order than it is stored and read by the model. The message names the field, the code ' +
      'point and its position; one warning per line.',
  },
  lone_surrogate: {
    severity: 'warning',
    description:
      'A string holds a lone surrogate (a `\\uD800`–`\\uDFFF` escape without its pair): not Unicode text; UTF-8 ' +
      'cannot encode it (Python raises UnicodeEncodeError, JavaScript writes U+FFFD). One warning per line.',
  },
  tool_call_without_result: {
    severity: 'warning',
    description: 'A tool call gets no result before the conversation moves on to another user or assistant turn.',
  },
  unknown_field: {
    severity: 'warning',
    description:
      'A field is not read and is dropped: neither Prism nor ms-swift uses it (e.g. `id`), or a synonym of a field ' +
      'the record already gives (e.g. `prompt` beside `query`). The message names the field.',
  },
} as const satisfies Record<string, CodeInfo>;

export type IssueCode = keyof typeof ISSUE_CODES;

/** Builds an issue with the severity the table gives its code. */
/**
 * Messages quote user data (keys, names, ids): past this many characters the middle is cut, so an issue stays small.
 */
export const MAX_MESSAGE_CHARS = 2000;

function clip(text: string): string {
  if (text.length <= MAX_MESSAGE_CHARS) return text;
  const half = MAX_MESSAGE_CHARS / 2 - 20;
  return `${text.slice(0, half)} … [${text.length - 2 * half} characters cut] … ${text.slice(-half)}`;
}

export function makeIssue(
  code: IssueCode,
  line: number,
  message: string,
  extra: { path?: string; column?: number } = {},
): Issue {
  const issue: Issue = { line, severity: ISSUE_CODES[code].severity, code, message: clip(message) };
  if (extra.path !== undefined && extra.path !== '') issue.path = clip(extra.path);
  if (extra.column !== undefined) issue.column = extra.column;
  return issue;
}

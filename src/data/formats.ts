// The accepted input formats: which keys mark each one, and how each fills a Draft.
// src/data/README.md shows an example of each.
//
// Field synonyms are ms-swift's (swift/dataset/preprocessor/core.py at the commit in
// ../shared/reference/ms-swift/SOURCES.md): MessagesPreprocessor reads `messages`, `conversation`
// and `conversations` alike, and `system` or `system_prompt`; ResponsePreprocessor reads the query
// from `query`, `prompt`, `input`, `instruction`, `question`, `problem` and the response from
// `response`, `answer`, `output`, `targets`, `target`, `answer_key`, `answers`, `solution`,
// `text`, `completion`, `content`. Where a record gives two synonyms of one field, ms-swift reads
// the standard name and drops the other (RowPreprocessor.safe_rename_columns); we do the same and
// say so (unknown_field), and of two non-standard ones we read the first in ms-swift's order
// (ms-swift reads neither). Every other top-level field is reported as dropped (unknown_field).
import { given, isObject, own, typeName, type Draft, type JsonObject } from './draft.ts';
import { parseTools } from './tools.ts';
import { readTurns, type TurnSyntax } from './turns.ts';
import type { SourceFormat } from './types.ts';

/**
 * The format a record is written in, from its keys; undefined when none fits. A `messages` list
 * is ms-swift's form when it uses ms-swift's own roles (`tool_call`, `tool_response`), per-
 * message `loss`, or gives `tools` as a JSON string (ms-swift's convention); otherwise OpenAI/HF. Both read the same
 * way: the label only records the source.
 */
/** ms-swift's synonyms, standard name first. */
export const SYSTEM_KEYS = ['system', 'system_prompt'] as const;
export const LIST_KEYS = ['messages', 'conversation', 'conversations'] as const;
export const QUERY_KEYS = ['query', 'prompt', 'input', 'instruction', 'question', 'problem'] as const;
export const RESPONSE_KEYS = [
  'response',
  'answer',
  'output',
  'targets',
  'target',
  'answer_key',
  'answers',
  'solution',
  'text',
  'completion',
  'content',
] as const;

const has = (obj: JsonObject, keys: readonly string[]) => keys.some((k) => given(own(obj, k)));

export function detectFormat(obj: JsonObject): SourceFormat | undefined {
  if (given(own(obj, 'messages'))) {
    const list = own(obj, 'messages');
    const swift =
      typeof own(obj, 'tools') === 'string' ||
      (Array.isArray(list) &&
        list.some(
          (m: unknown) =>
            isObject(m) &&
            (m.role === 'tool_call' ||
              m.role === 'tool_response' ||
              given(own(m, 'loss')) ||
              given(own(m, 'loss_scale'))),
        ));
    return swift ? 'swift' : 'messages';
  }
  if (given(own(obj, 'conversations')) || given(own(obj, 'conversation'))) return 'sharegpt';
  if (given(own(obj, 'instruction')) || given(own(obj, 'output'))) return 'alpaca';
  if (has(obj, QUERY_KEYS) || has(obj, RESPONSE_KEYS)) return 'query_response';
  return undefined;
}

const messageSyntax: TurnSyntax = {
  keys: () => ({ role: 'role', content: 'content' }),
  roles: {
    system: 'system',
    user: 'user',
    assistant: 'assistant',
    tool: 'tool',
    tool_call: 'tool_call',
    tool_response: 'tool',
  },
  hint: (role) => {
    if (role === 'function') return "the legacy OpenAI 'function' role is not read; write tool results as role 'tool'";
    if (/^(human|gpt|observation|function_call)$/.test(role))
      return `'${role}' is a sharegpt role: sharegpt records use a 'conversations' list of {from, value}`;
    if (role.toLowerCase() !== role) return 'roles are lowercase';
    return undefined;
  },
  callLists: false,
};

const sharegptSyntax: TurnSyntax = {
  // LLaMA-Factory's sharegpt uses from/value; some exports keep role/content inside `conversations`.
  keys: (t) =>
    Object.hasOwn(t, 'from') || Object.hasOwn(t, 'value') || !Object.hasOwn(t, 'role')
      ? { role: 'from', content: 'value' }
      : { role: 'role', content: 'content' },
  // LLaMA-Factory's roles and ms-swift's MessagesPreprocessor's (user/human, assistant/gpt/bot,
  // function_call, function_response/observation/observations, and its own tool_call/tool_response).
  roles: {
    human: 'user',
    user: 'user',
    gpt: 'assistant',
    bot: 'assistant',
    assistant: 'assistant',
    system: 'system',
    function_call: 'tool_call',
    tool_call: 'tool_call',
    observation: 'tool',
    observations: 'tool',
    function_response: 'tool',
    tool_response: 'tool',
    tool: 'tool',
  },
  hint: (role) => (role.toLowerCase() !== role ? 'roles are lowercase' : undefined),
  callLists: true,
};

/**
 * The key a record gives for a field among its synonyms (standard name first, then ms-swift's
 * order); the other synonyms it gives are reported as dropped. Marks the key read.
 */
function pick(d: Draft, obj: JsonObject, keys: readonly string[], read: Set<string>): string | undefined {
  const present = keys.filter((k) => given(own(obj, k)));
  const key = present[0];
  for (const other of present.slice(1)) {
    read.add(other);
    d.unread(other, other, `'${key}' gives the same field (of two synonyms ms-swift reads the standard one)`);
  }
  if (key !== undefined) read.add(key);
  return key;
}

/** A top-level `system` or `system_prompt` string (every format). */
function topSystem(d: Draft, obj: JsonObject, read: Set<string>): void {
  const key = pick(d, obj, SYSTEM_KEYS, read);
  if (key === undefined) return;
  const text = d.content(obj, key, key, false);
  if (text !== undefined) d.setSystem(text, key);
}

/** `history`: earlier rounds as [query, response] pairs, before the record's own turn. */
function history(d: Draft, obj: JsonObject): void {
  const list = own(obj, 'history');
  if (!given(list)) return;
  if (!Array.isArray(list)) {
    d.issue('invalid_type', `history must be a list of [query, response] pairs, got ${typeName(list)}`, 'history');
    return;
  }
  list.forEach((pair: unknown, i: number) => {
    const path = `history[${i}]`;
    if (!Array.isArray(pair) || pair.length !== 2) {
      const got = Array.isArray(pair) ? `a list of ${pair.length}` : typeName(pair);
      d.issue('invalid_type', `${path} must be a [query, response] pair, got ${got}`, path);
      return;
    }
    const holder = { 0: pair[0], 1: pair[1] } as JsonObject;
    const q = d.text(holder, '0', `${path}[0]`, true);
    const r = d.text(holder, '1', `${path}[1]`, true);
    d.add({ role: 'user', content: q ?? '' }, `${path}[0]`);
    d.add({ role: 'assistant', content: r ?? '' }, `${path}[1]`);
  });
}

export function readFormat(d: Draft, obj: JsonObject, format: SourceFormat): void {
  const read = new Set<string>(['tools']);
  d.tools = parseTools(d, own(obj, 'tools'));
  topSystem(d, obj, read);
  body(d, obj, format, read);
  for (const k of Object.keys(obj)) {
    if (!read.has(k) && given(obj[k])) d.unread(k, k, `the ${format} format does not use it (nor does ms-swift)`);
  }
}

function body(d: Draft, obj: JsonObject, format: SourceFormat, read: Set<string>): void {
  switch (format) {
    case 'messages':
    case 'swift':
    case 'sharegpt': {
      const key = pick(d, obj, LIST_KEYS, read)!;
      return readTurns(d, own(obj, key), key, key === 'messages' ? messageSyntax : sharegptSyntax);
    }
    case 'alpaca': {
      read.add('history').add('instruction').add('input').add('output');
      history(d, obj);
      const instruction = d.content(obj, 'instruction', 'instruction', true);
      const input = d.content(obj, 'input', 'input', false);
      // As LLaMA-Factory and ms-swift build the prompt: the non-empty parts, one per line.
      const content = [instruction, input].filter((s) => s !== undefined && s !== '').join('\n');
      d.add({ role: 'user', content }, 'instruction');
      for (const k of RESPONSE_KEYS) {
        if (k !== 'output' && given(own(obj, k))) {
          read.add(k);
          d.unread(k, k, "'output' gives the reply (of two synonyms ms-swift reads the standard one)");
        }
      }
      const output = d.content(obj, 'output', 'output', true);
      d.add({ role: 'assistant', content: output ?? '' }, 'output');
      return;
    }
    case 'query_response': {
      read.add('history');
      history(d, obj);
      const q = pick(d, obj, QUERY_KEYS, read) ?? 'query';
      const query = d.content(obj, q, q, true);
      d.add({ role: 'user', content: query ?? '' }, q);
      const r = pick(d, obj, RESPONSE_KEYS, read) ?? 'response';
      const response = d.content(obj, r, r, true);
      d.add({ role: 'assistant', content: response ?? '' }, r);
      return;
    }
  }
}

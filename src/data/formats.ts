// The accepted input formats: which keys mark each one, and how each fills a Draft.
// src/data/README.md shows an example of each.
import { given, isObject, own, typeName, type Draft, type JsonObject } from './draft.ts';
import { parseTools } from './tools.ts';
import { readTurns, type TurnSyntax } from './turns.ts';
import type { SourceFormat } from './types.ts';

/**
 * The format a record is written in, from its keys; undefined when none fits. A `messages` list
 * is ms-swift's form when it uses ms-swift's own roles (`tool_call`, `tool_response`), per-
 * message `loss`, or gives `tools` as a JSON string (ms-swift's convention); otherwise OpenAI/HF. Both read the same way: the label only records the source.
 */
export function detectFormat(obj: JsonObject): SourceFormat | undefined {
  if (given(own(obj, 'messages'))) {
    const list = own(obj, 'messages');
    const swift =
      typeof own(obj, 'tools') === 'string' ||
      (Array.isArray(list) &&
        list.some((m: unknown) => isObject(m) && (m.role === 'tool_call' || m.role === 'tool_response' || given(own(m, 'loss')))));
    return swift ? 'swift' : 'messages';
  }
  if (given(own(obj, 'conversations'))) return 'sharegpt';
  if (given(own(obj, 'instruction')) || given(own(obj, 'output'))) return 'alpaca';
  if (given(own(obj, 'query')) || given(own(obj, 'response'))) return 'query_response';
  return undefined;
}

const messageSyntax: TurnSyntax = {
  keys: () => ({ role: 'role', content: 'content' }),
  roles: { system: 'system', user: 'user', assistant: 'assistant', tool: 'tool', tool_call: 'tool_call', tool_response: 'tool' },
  hint: (role) => {
    if (role === 'function') return "the legacy OpenAI 'function' role is not read; write tool results as role 'tool'";
    if (/^(human|gpt|observation|function_call)$/.test(role)) return `'${role}' is a sharegpt role: sharegpt records use a 'conversations' list of {from, value}`;
    if (role.toLowerCase() !== role) return 'roles are lowercase';
    return undefined;
  },
  callLists: false,
};

const sharegptSyntax: TurnSyntax = {
  // LLaMA-Factory's sharegpt uses from/value; some exports keep role/content inside `conversations`.
  keys: (t) => (Object.hasOwn(t, 'from') || Object.hasOwn(t, 'value') || !Object.hasOwn(t, 'role') ? { role: 'from', content: 'value' } : { role: 'role', content: 'content' }),
  roles: {
    human: 'user',
    user: 'user',
    gpt: 'assistant',
    assistant: 'assistant',
    system: 'system',
    function_call: 'tool_call',
    observation: 'tool',
    tool: 'tool',
  },
  hint: (role) => (role.toLowerCase() !== role ? 'roles are lowercase' : undefined),
  callLists: true,
};

/** A top-level `system` string (ms-swift, sharegpt, alpaca, query/response). */
function topSystem(d: Draft, obj: JsonObject): void {
  const text = d.text(obj, 'system', 'system', false);
  if (text !== undefined) d.setSystem(text, 'system');
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
  d.tools = parseTools(d, own(obj, 'tools'));
  topSystem(d, obj);
  switch (format) {
    case 'messages':
    case 'swift':
      return readTurns(d, own(obj, 'messages'), 'messages', messageSyntax);
    case 'sharegpt':
      return readTurns(d, own(obj, 'conversations'), 'conversations', sharegptSyntax);
    case 'alpaca': {
      history(d, obj);
      const instruction = d.text(obj, 'instruction', 'instruction', true);
      const input = d.text(obj, 'input', 'input', false);
      // As LLaMA-Factory and ms-swift build the prompt: the non-empty parts, one per line.
      const content = [instruction, input].filter((s) => s !== undefined && s !== '').join('\n');
      d.add({ role: 'user', content }, 'instruction');
      const output = d.text(obj, 'output', 'output', true);
      d.add({ role: 'assistant', content: output ?? '' }, 'output');
      return;
    }
    case 'query_response': {
      history(d, obj);
      const query = d.text(obj, 'query', 'query', true);
      d.add({ role: 'user', content: query ?? '' }, 'query');
      const response = d.text(obj, 'response', 'response', true);
      d.add({ role: 'assistant', content: response ?? '' }, 'response');
      return;
    }
  }
}

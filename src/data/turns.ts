// A list of role-tagged turns, the shape shared by OpenAI/HF `messages`, ms-swift `messages` and
// sharegpt `conversations`: each format only names its keys and its roles. Also ms-swift's pair
// form, `[{"human": q, "assistant": r}, ...]` (MessagesPreprocessor.sharegpt_to_messages in
// swift/dataset/preprocessor/core.py): a list whose first turn has no role/content/from/value key.
// Keys of a turn that nothing reads are reported (unknown_field): ms-swift keeps only role,
// content, loss and loss_scale of a message (RowPreprocessor._check_messages).
import { given, isObject, own, typeName, type Draft, type JsonObject } from './draft.ts';
import { parseCallContent, parseCallObject } from './tools.ts';
import type { Message } from './types.ts';

/** What a source role means. `tool_call` is a call written as its own turn (ms-swift, sharegpt). */
export type TurnKind = 'system' | 'user' | 'assistant' | 'tool' | 'tool_call';

export interface TurnSyntax {
  /** Keys of the role and the text in each turn, e.g. `role`/`content`, `from`/`value`. */
  keys(turn: JsonObject): { role: string; content: string };
  roles: Record<string, TurnKind>;
  /** A hint for common wrong roles. */
  hint?: (role: string) => string | undefined;
  /** Whether a `tool_call` turn may hold a list of calls (sharegpt function_call). */
  callLists: boolean;
}

/** ms-swift's pair-form keys, in the order its _to_std_key tries them. */
const PAIR_USER = ['user', 'human'];
const PAIR_ASSISTANT = ['assistant', 'gpt', 'bot'];
const TURN_KEYS = ['role', 'content', 'from', 'value'];

function isPairForm(list: unknown[]): boolean {
  const first = list[0];
  return (
    isObject(first) &&
    !TURN_KEYS.some((k) => Object.hasOwn(first, k)) &&
    [...PAIR_USER, ...PAIR_ASSISTANT].some((k) => Object.hasOwn(first, k))
  );
}

/** The keys of a turn that `read` does not use, reported as dropped. */
function unreadKeys(d: Draft, turn: JsonObject, path: string, read: readonly string[], why = TURN_WHY): void {
  for (const k of Object.keys(turn)) {
    if (!read.includes(k) && given(turn[k])) d.unread(k, `${path}.${k}`, why);
  }
}

const TURN_WHY = 'a turn keeps only its role, content, loss and loss_scale (and tool fields), as in ms-swift';

function readPairs(d: Draft, list: unknown[], listPath: string): void {
  list.forEach((turn: unknown, i: number) => {
    const path = `${listPath}[${i}]`;
    if (!isObject(turn)) {
      d.issue('invalid_type', `${path} must be an object, got ${typeName(turn)}`, path);
      return;
    }
    // As _to_std_key: of several synonyms given, the last one in the list wins.
    const pick = (keys: string[]) => keys.filter((k) => given(own(turn, k))).at(-1);
    const u = pick(PAIR_USER);
    const a = pick(PAIR_ASSISTANT);
    for (const [k, keys] of [
      [u, PAIR_USER],
      [a, PAIR_ASSISTANT],
    ] as const) {
      for (const other of keys)
        if (other !== k && given(own(turn, other)))
          d.unread(other, `${path}.${other}`, `${k} gives this side of the pair`);
    }
    unreadKeys(
      d,
      turn,
      path,
      [...PAIR_USER, ...PAIR_ASSISTANT],
      'a {user, assistant} pair keeps only its two sides, as in ms-swift',
    );
    if (!u) d.issue('missing_content', `${path} has no user side (${PAIR_USER.join(' or ')})`, path);
    if (!a) d.issue('missing_content', `${path} has no assistant side (${PAIR_ASSISTANT.join(', ')})`, path);
    if (!u || !a) return;
    const q = d.content(turn, u, `${path}.${u}`, true);
    const r = d.content(turn, a, `${path}.${a}`, true);
    d.add({ role: 'user', content: q ?? '' }, `${path}.${u}`);
    d.add({ role: 'assistant', content: r ?? '' }, `${path}.${a}`);
  });
}

export function readTurns(d: Draft, list: unknown, listPath: string, syntax: TurnSyntax): void {
  if (!Array.isArray(list)) {
    d.issue('invalid_type', `${listPath} must be a list of turns, got ${typeName(list)}`, listPath);
    return;
  }
  if (isPairForm(list)) return readPairs(d, list, listPath);
  list.forEach((turn: unknown, i: number) => {
    const path = `${listPath}[${i}]`;
    if (!isObject(turn)) {
      d.issue('invalid_type', `${path} must be an object, got ${typeName(turn)}`, path);
      return;
    }
    const keys = syntax.keys(turn);
    const rolePath = `${path}.${keys.role}`;
    const contentPath = `${path}.${keys.content}`;
    const role = own(turn, keys.role);
    if (typeof role !== 'string') {
      const got = given(role) ? `must be a string, got ${typeName(role)}` : 'is missing';
      d.issue('unknown_role', `${rolePath} ${got}`, rolePath);
      return;
    }
    const kind = Object.hasOwn(syntax.roles, role) ? syntax.roles[role] : undefined;
    if (kind === undefined) {
      const known = Object.keys(syntax.roles).join(', ');
      const hint = syntax.hint?.(role);
      d.issue('unknown_role', `${rolePath} is '${role}', not one of ${known}${hint ? `: ${hint}` : ''}`, rolePath);
      return;
    }
    const loss = d.loss(turn, path);
    const lossScale = d.lossScale(turn, path);
    const base = [keys.role, keys.content, 'loss', 'loss_scale'];
    const weigh = (m: Message) => {
      if (loss !== undefined) m.loss = loss;
      if (lossScale !== undefined) m.loss_scale = lossScale;
      return m;
    };
    switch (kind) {
      case 'system': {
        unreadKeys(d, turn, path, [keys.role, keys.content]);
        const text = d.content(turn, keys.content, contentPath, true);
        if (text !== undefined) d.setSystem(text, path);
        return;
      }
      case 'user': {
        unreadKeys(d, turn, path, base);
        const content = d.content(turn, keys.content, contentPath, true) ?? '';
        d.add(weigh({ role: 'user', content }), path);
        return;
      }
      case 'assistant':
        unreadKeys(d, turn, path, [...base, 'tool_calls', 'reasoning_content']);
        return assistant(d, turn, path, keys.content, weigh);
      case 'tool': {
        unreadKeys(d, turn, path, [...base, 'tool_call_id', 'name']);
        const content = d.content(turn, keys.content, contentPath, true) ?? '';
        const m: Message = { role: 'tool', content };
        const id = d.text(turn, 'tool_call_id', `${path}.tool_call_id`, false);
        if (id !== undefined) m.tool_call_id = id;
        const name = d.text(turn, 'name', `${path}.name`, false);
        if (name !== undefined) m.name = name;
        d.add(weigh(m), path);
        return;
      }
      case 'tool_call': {
        unreadKeys(d, turn, path, base);
        const calls = parseCallContent(d, own(turn, keys.content), contentPath, syntax.callLists);
        for (const c of calls ?? []) d.addCall(c.call, path, c.namePath, loss, lossScale);
        return;
      }
    }
  });
}

function assistant(d: Draft, turn: JsonObject, path: string, contentKey: string, weigh: (m: Message) => Message): void {
  const callPaths: string[] = [];
  const m: Message = { role: 'assistant', content: '' };
  const calls = own(turn, 'tool_calls');
  if (given(calls)) {
    const callsPath = `${path}.tool_calls`;
    if (!Array.isArray(calls)) {
      d.issue('invalid_type', `${callsPath} must be a list, got ${typeName(calls)}`, callsPath);
    } else if (calls.length > 0) {
      m.tool_calls = [];
      calls.forEach((c: unknown, j: number) => {
        const r = parseCallObject(d, c, `${callsPath}[${j}]`);
        if (r) {
          m.tool_calls!.push(r.call);
          callPaths.push(r.namePath);
        }
      });
    }
  }
  // A turn that only calls tools may leave its content null or out, as OpenAI's API does.
  const content = d.content(turn, contentKey, `${path}.${contentKey}`, m.tool_calls === undefined);
  if (content !== undefined) m.content = content;
  const reasoning = d.text(turn, 'reasoning_content', `${path}.reasoning_content`, false);
  if (reasoning !== undefined) m.reasoning_content = reasoning;
  d.add(weigh(m), path, callPaths);
}

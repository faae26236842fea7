// A list of role-tagged turns, the shape shared by OpenAI/HF `messages`, ms-swift `messages` and
// sharegpt `conversations`: each format only names its keys and its roles.
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

export function readTurns(d: Draft, list: unknown, listPath: string, syntax: TurnSyntax): void {
  if (!Array.isArray(list)) {
    d.issue('invalid_type', `${listPath} must be a list of turns, got ${typeName(list)}`, listPath);
    return;
  }
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
    switch (kind) {
      case 'system': {
        const text = d.text(turn, keys.content, contentPath, true);
        if (text !== undefined) d.setSystem(text, path);
        return;
      }
      case 'user': {
        const content = d.text(turn, keys.content, contentPath, true) ?? '';
        const m: Message = { role: 'user', content };
        if (loss !== undefined) m.loss = loss;
        d.add(m, path);
        return;
      }
      case 'assistant':
        return assistant(d, turn, path, keys.content, loss);
      case 'tool': {
        const content = d.text(turn, keys.content, contentPath, true) ?? '';
        const m: Message = { role: 'tool', content };
        const id = d.text(turn, 'tool_call_id', `${path}.tool_call_id`, false);
        if (id !== undefined) m.tool_call_id = id;
        const name = d.text(turn, 'name', `${path}.name`, false);
        if (name !== undefined) m.name = name;
        if (loss !== undefined) m.loss = loss;
        d.add(m, path);
        return;
      }
      case 'tool_call': {
        const calls = parseCallContent(d, own(turn, keys.content), contentPath, syntax.callLists);
        for (const c of calls ?? []) d.addCall(c.call, path, c.namePath, loss);
        return;
      }
    }
  });
}

function assistant(d: Draft, turn: JsonObject, path: string, contentKey: string, loss: boolean | undefined): void {
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
  const content = d.text(turn, contentKey, `${path}.${contentKey}`, m.tool_calls === undefined);
  if (content !== undefined) m.content = content;
  const reasoning = d.text(turn, 'reasoning_content', `${path}.reasoning_content`, false);
  if (reasoning !== undefined) m.reasoning_content = reasoning;
  if (loss !== undefined) m.loss = loss;
  d.add(m, path, callPaths);
}

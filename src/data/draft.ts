// A conversation being assembled from one record, with the source path of every message so that
// later checks can point at the field the user wrote. Each format's reader fills one of these.
import { makeIssue, type IssueCode } from './codes.ts';
import type { PyHints } from './py-json.ts';
import type { Issue, Message, Tool, ToolCall } from './types.ts';

export type JsonObject = { [key: string]: unknown };

export function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** An own property only: never a name inherited from Object.prototype ('constructor', ...). */
export function own(o: JsonObject, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

/** Absent and null are the same: datasets exported through Arrow/pandas fill missing columns with null. */
export function given(v: unknown): boolean {
  return v !== undefined && v !== null;
}

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

export class Draft {
  readonly issues: Issue[] = [];
  system?: string;
  readonly messages: Message[] = [];
  /** Source path of each message, e.g. `messages[3]`, `conversations[1]`, `history[0][1]`. */
  readonly paths: string[] = [];
  /** Per message, the source path of each tool call's name. */
  readonly callPaths: string[][] = [];
  tools?: Tool[];
  /** Python's facts for `tools[i]` (a float's `.0`, key order), where it has any (py-json.ts). */
  toolsHints?: (PyHints | undefined)[];
  private errors = 0;

  constructor(readonly line: number) {}

  issue(code: IssueCode, message: string, path?: string): void {
    const issue = makeIssue(code, this.line, message, { path });
    if (issue.severity === 'error') this.errors++;
    this.issues.push(issue);
  }

  get failed(): boolean {
    return this.errors > 0;
  }

  /**
   * A string field: reports missing_content (absent or null, when required) or
   * content_not_string, and returns undefined in both cases.
   */
  text(holder: JsonObject, key: string, path: string, required: boolean): string | undefined {
    const v = own(holder, key);
    if (!given(v)) {
      if (required) this.issue('missing_content', `${path} is missing`, path);
      return undefined;
    }
    if (typeof v === 'string') return v;
    const hint = Array.isArray(v) ? ': give the text as one string' : '';
    this.issue('content_not_string', `${path} must be a string, got ${typeName(v)}${hint}`, path);
    return undefined;
  }

  /**
   * Message content: a string, or a list of `{"type": "text", "text": ...}` parts joined with no
   * separator, as ms-swift joins them (swift/template/template_inputs.py, remove_messages_media).
   * Other parts (images, audio) are refused: Prism trains text models.
   */
  content(holder: JsonObject, key: string, path: string, required: boolean): string | undefined {
    const v = own(holder, key);
    if (!Array.isArray(v)) return this.text(holder, key, path, required);
    let out = '';
    let ok = true;
    v.forEach((part: unknown, i: number) => {
      const p = `${path}[${i}]`;
      if (!isObject(part) || own(part, 'type') !== 'text') {
        const what =
          isObject(part) && typeof own(part, 'type') === 'string'
            ? `a '${String(own(part, 'type'))}' part`
            : typeName(part);
        this.issue(
          'content_not_string',
          `${p} is ${what}: only text parts ({"type": "text", "text": "..."}) are read`,
          p,
        );
        ok = false;
      } else if (typeof own(part, 'text') !== 'string') {
        this.issue('content_not_string', `${p}.text must be a string, got ${typeName(own(part, 'text'))}`, `${p}.text`);
        ok = false;
      } else out += part.text as string;
    });
    return ok ? out : undefined;
  }

  /** The optional per-message `loss_scale` (ms-swift): a finite number ≥ 0 (null = not given). */
  lossScale(holder: JsonObject, path: string): number | undefined {
    const v = own(holder, 'loss_scale');
    if (!given(v)) return undefined;
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
    const got = typeof v === 'number' ? String(v) : typeName(v);
    this.issue(
      'invalid_type',
      `${path}.loss_scale must be a number ≥ 0 (the weight of this message in the loss), got ${got}`,
      `${path}.loss_scale`,
    );
    return undefined;
  }

  /** A field the record gives that nothing reads (null counts as not given). */
  unread(key: string, path: string, why: string): void {
    this.issue('unknown_field', `${path} is not read and is dropped: ${why}`, path);
  }

  /** The optional per-message `loss: true|false` (null = not given). */
  loss(holder: JsonObject, path: string): boolean | undefined {
    const v = own(holder, 'loss');
    if (!given(v)) return undefined;
    if (typeof v === 'boolean') return v;
    this.issue('invalid_type', `${path}.loss must be true or false, got ${typeName(v)}`, `${path}.loss`);
    return undefined;
  }

  setSystem(text: string, path: string): void {
    if (this.messages.length > 0) {
      this.issue(
        'system_not_first',
        `${path} is a system message after other turns; put the system prompt first`,
        path,
      );
    } else if (this.system !== undefined) {
      this.issue('duplicate_system', `${path} gives a second system prompt; a record has one`, path);
    } else {
      this.system = text;
    }
  }

  add(message: Message, path: string, callPaths: string[] = []): void {
    this.messages.push(message);
    this.paths.push(path);
    this.callPaths.push(callPaths);
  }

  /**
   * A tool call written as its own message (ms-swift `tool_call`, sharegpt `function_call`):
   * it joins the assistant turn right before it, so consecutive calls become parallel calls of
   * one turn, and "text, then call" becomes one turn with both, as ms-swift renders them.
   */
  addCall(call: ToolCall, messagePath: string, callPath: string, loss?: boolean, lossScale?: number): void {
    const last = this.messages.length - 1;
    if (last >= 0 && this.messages[last].role === 'assistant') {
      const turn = this.messages[last];
      (turn.tool_calls ??= []).push(call);
      this.callPaths[last].push(callPath);
      // The first of them that says wins (ms-swift keeps the first tool_call message's fields).
      if (turn.loss === undefined && loss !== undefined) turn.loss = loss;
      if (turn.loss_scale === undefined && lossScale !== undefined) turn.loss_scale = lossScale;
      return;
    }
    const turn: Message = { role: 'assistant', content: '', tool_calls: [call] };
    if (loss !== undefined) turn.loss = loss;
    if (lossScale !== undefined) turn.loss_scale = lossScale;
    this.add(turn, messagePath, [callPath]);
  }
}

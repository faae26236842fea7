// Tools and tool calls in every form the formats use. Tool objects are kept exactly as written
// (extra keys and key order included): templates print them as JSON, and the rendering must match
// what Jinja's `tojson` prints for the user's own object.
import { given, isObject, own, typeName, type Draft, type JsonObject } from './draft.ts';
import { deeperThan, MAX_JSON_DEPTH } from './depth.ts';
import { findJsonError } from './json-error.ts';
import { parseJsonPy, pyHintsOf } from './py-json.ts';
import type { Tool, ToolCall } from './types.ts';

type Parsed = { ok: true; value: unknown } | { ok: false; error: string; reported?: true };

/**
 * JSON nested in a string field at `path`; the error names the character, the same in every
 * engine. Nesting past MAX_JSON_DEPTH is reported here (too_deep), not left to the caller.
 */
function parseJson(d: Draft, text: string, path: string): Parsed {
  const deep = deeperThan(text);
  if (deep >= 0) {
    d.issue(
      'too_deep',
      `${path} holds JSON nested more than ${MAX_JSON_DEPTH} levels deep (level ${MAX_JSON_DEPTH + 1} opens at ` +
        `character ${deep + 1}); flatten it`,
      path,
    );
    return { ok: false, error: 'too deep', reported: true };
  }
  try {
    return { ok: true, value: parseJsonPy(text) };
  } catch (err) {
    const found = findJsonError(text);
    return { ok: false, error: found ? `${found.message}, at character ${found.index + 1}` : (err as Error).message };
  }
}

/**
 * `tools`: a list, or a JSON string of a list (ms-swift, and datasets stored through Arrow). Each
 * tool is OpenAI's `{type: 'function', function: {...}}`, a bare `{name, description,
 * parameters}` (wrapped, as ms-swift's `wrap_tool` does), or a JSON string of either. An empty
 * list gives undefined: "no tools", as templates' `{% if tools %}` read it.
 */
export function parseTools(d: Draft, value: unknown, path = 'tools'): Tool[] | undefined {
  if (!given(value)) return undefined;
  let list = value;
  if (typeof list === 'string') {
    const parsed = parseJson(d, list, path);
    if (!parsed.ok) {
      if (!parsed.reported) d.issue('invalid_tools', `${path} is a string but not valid JSON (${parsed.error})`, path);
      return undefined;
    }
    list = isObject(parsed.value) ? [parsed.value] : parsed.value;
  }
  if (!Array.isArray(list)) {
    d.issue('invalid_tools', `${path} must be a list of tools or a JSON string of one, got ${typeName(list)}`, path);
    return undefined;
  }
  const tools: Tool[] = [];
  list.forEach((raw: unknown, i: number) => {
    const at = `${path}[${i}]`;
    let el = raw;
    if (typeof el === 'string') {
      const parsed = parseJson(d, el, at);
      if (!parsed.ok) {
        if (!parsed.reported) d.issue('invalid_tools', `${at} is a string but not valid JSON (${parsed.error})`, at);
        return;
      }
      el = parsed.value;
    }
    if (!isObject(el)) {
      d.issue('invalid_tools', `${at} must be a tool object, got ${typeName(el)}`, at);
      return;
    }
    const fn = own(el, 'function');
    const wrapped = isObject(fn);
    const name = wrapped ? own(fn, 'name') : own(el, 'name');
    if (typeof name !== 'string' || name === '') {
      const namePath = wrapped ? `${at}.function.name` : `${at}.name`;
      d.issue('invalid_tools', `${namePath} must be the function's name (a non-empty string)`, namePath);
      return;
    }
    const hints = pyHintsOf(wrapped ? el : { function: el });
    if (hints) (d.toolsHints ??= [])[tools.length] = hints;
    tools.push(wrapped ? (el as unknown as Tool) : { type: 'function', function: el as unknown as Tool['function'] });
  });
  return tools.length > 0 ? tools : undefined;
}

/**
 * One call as an object: OpenAI's `{id, type, function: {name, arguments}}` or a bare
 * `{name, arguments}`. Arguments given as a JSON string are parsed; absent means `{}`.
 * `where` names the call in messages when the object sits inside a string field.
 */
export function parseCallObject(
  d: Draft,
  el: unknown,
  path: string,
  where = path,
): { call: ToolCall; namePath: string } | undefined {
  if (!isObject(el)) {
    d.issue('invalid_tool_call', `${where} must be a tool call object, got ${typeName(el)}`, path);
    return undefined;
  }
  const fnValue = own(el, 'function');
  const fn: JsonObject = isObject(fnValue) ? fnValue : el;
  const fnPath = fn === el ? path : `${path}.function`;
  const fnWhere = fn === el ? where : `${where}.function`;
  const name = own(fn, 'name');
  if (typeof name !== 'string' || name === '') {
    d.issue(
      'invalid_tool_call',
      `${fnWhere}.name must be the function's name (a non-empty string)`,
      path === where ? `${fnPath}.name` : path,
    );
    return undefined;
  }
  let args = own(fn, 'arguments');
  if (!given(args)) args = {};
  else if (typeof args === 'string') {
    const argsPath = path === where ? `${fnPath}.arguments` : path;
    const parsed = parseJson(d, args, argsPath);
    if (!parsed.ok) {
      if (!parsed.reported)
        d.issue(
          'invalid_tool_arguments',
          `${fnWhere}.arguments of '${name}' is not valid JSON (${parsed.error})`,
          argsPath,
        );
      return undefined;
    }
    args = parsed.value;
  }
  const call: ToolCall = { name, arguments: args };
  const hints = pyHintsOf(args);
  if (hints) call.arguments_hints = hints;
  const id = own(el, 'id');
  if (typeof id === 'string') call.id = id;
  return { call, namePath: path === where ? `${fnPath}.name` : path };
}

/**
 * A call written as the text of a message (ms-swift `tool_call`, sharegpt `function_call`): JSON
 * of `{name, arguments}`, or (sharegpt) a list of them for parallel calls. An object instead of
 * a string is accepted too.
 */
export function parseCallContent(
  d: Draft,
  value: unknown,
  path: string,
  allowList: boolean,
): { call: ToolCall; namePath: string }[] | undefined {
  if (!given(value)) {
    d.issue(
      'missing_content',
      `${path} is missing (it should hold the call as JSON {"name": ..., "arguments": ...})`,
      path,
    );
    return undefined;
  }
  let parsed = value;
  if (typeof value === 'string') {
    const r = parseJson(d, value, path);
    if (!r.ok) {
      if (!r.reported)
        d.issue('invalid_tool_call', `${path} must be JSON {"name": ..., "arguments": ...} (${r.error})`, path);
      return undefined;
    }
    parsed = r.value;
  }
  const items = allowList && Array.isArray(parsed) ? parsed : [parsed];
  if (items.length === 0) {
    d.issue('invalid_tool_call', `${path} is an empty list of calls`, path);
    return undefined;
  }
  const out: { call: ToolCall; namePath: string }[] = [];
  items.forEach((item: unknown, i: number) => {
    const where = items === parsed ? `${path}[${i}]` : path;
    const r = parseCallObject(d, item, path, `the call in ${where}`);
    if (r) out.push(r);
  });
  return out.length === items.length ? out : undefined;
}

// What Python's `json.loads` keeps and JavaScript's JSON.parse loses, for data that templates print
// back as Python would (`json.dumps`, `repr`, Jinja's `tojson`):
//   - a float with an integral value: `{"t": 1.0}` is the float 1.0 in Python (`json.dumps` prints
//     `1.0`) but the number 1 in JavaScript (printed `1`);
//   - a dict's key order: Python keeps insertion order, JavaScript lists integer-like keys ("1",
//     "20") first, in numeric order.
// JSON.parse still builds the values (fast, exact); a scan of the same text records these facts per
// container in a WeakMap keyed by the container, which the printers read (pyJsonDumps, pyRepr).
// Across a structured clone (workers, IndexedDB) identities are lost, so records carry the same facts
// as plain `PyHints` (JSON Pointer paths) that `applyPyHints` registers again on the copy.
// Ground truth: CPython's json module (py-json.test.ts runs it).
import type { Conversation } from './types.ts';

/** The facts of one parsed object or array. Keys of arrays are their indices as strings. */
export interface PyFacts {
  /** Children that are floats with an integral value (Python prints `1.0`, JavaScript `1`). */
  floats?: Set<string>;
  /** An object's keys in the text's order, when it differs from JavaScript's own order. */
  order?: string[];
}

/** The facts of a value's subtree as plain data: JSON Pointers (RFC 6901) from that value. */
export interface PyHints {
  floats?: string[];
  orders?: { at: string; keys: string[] }[];
}

const FACTS = new WeakMap<object, PyFacts>();

/** The recorded facts of a parsed container, if any. */
export function pyFactsOf(container: object): PyFacts | undefined {
  return FACTS.get(container);
}

// Only text that can hold either fact is scanned: a digit before `.`/`e`, or a quoted integer key.
const MAYBE = /\d[.eE]|"(?:0|[1-9]\d*)"\s*:/;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y;
/** A key JavaScript orders first: a canonical array index (0 … 2³² − 2). */
const INDEX_KEY = /^(?:0|[1-9]\d*)$/;

const isIndexKey = (k: string) => INDEX_KEY.test(k) && Number(k) < 4294967295;

/** JSON.parse, with Python's facts recorded for the containers it builds. Throws as JSON.parse does. */
export function parseJsonPy(text: string): unknown {
  const value: unknown = JSON.parse(text);
  if (value !== null && typeof value === 'object' && MAYBE.test(text)) scan(text, value);
  return value;
}

interface Frame {
  /** The value JSON.parse built for this container (null when the text and value disagree). */
  node: Record<string, unknown> | unknown[] | null;
  array: boolean;
  /** The current child: an array index, or an object's last key. */
  key: string;
  index: number;
  keys: string[];
  indexKeys: boolean;
  floats?: Set<string>;
}

/** Walks the text's tokens alongside the parsed value (the text is valid JSON: JSON.parse read it). */
function scan(text: string, root: object): void {
  const stack: Frame[] = [];
  let expectKey = false;
  let i = 0;
  const childOf = (top: Frame | undefined, array: boolean): Frame['node'] => {
    const v =
      top === undefined
        ? root
        : top.node === null
          ? null
          : (top.node as Record<string, unknown>)[top.array ? top.index : top.key];
    if (v === null || typeof v !== 'object' || Array.isArray(v) !== array) return null;
    return v as Frame['node'];
  };
  while (i < text.length) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '{' || c === '[') {
      const array = c === '[';
      stack.push({ node: childOf(top, array), array, key: '', index: 0, keys: [], indexKeys: false });
      expectKey = !array;
      i++;
    } else if (c === '}' || c === ']') {
      stack.pop();
      record(top);
      expectKey = false;
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (expectKey && top && !top.array) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        top.key = key;
        top.floats?.delete(key); // a repeated key: its last value counts, as in both parsers
        if (!top.keys.includes(key)) top.keys.push(key);
        if (isIndexKey(key)) top.indexKeys = true;
        expectKey = false;
      }
      i = j + 1;
    } else if (c === ',') {
      if (top?.array) top.index++;
      else expectKey = true;
      i++;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text)!;
      const token = m[0];
      if (top && /[.eE]/.test(token)) {
        const n = Number(token);
        if (Number.isInteger(n)) (top.floats ??= new Set()).add(top.array ? String(top.index) : top.key);
      }
      i += token.length;
    } else i++;
  }
}

function record(f: Frame | undefined): void {
  if (!f || f.node === null) return;
  const facts: PyFacts = {};
  if (f.floats) facts.floats = f.floats;
  if (!f.array && f.indexKeys) {
    const own = Object.keys(f.node);
    if (own.some((k, n) => k !== f.keys[n])) facts.order = f.keys;
  }
  if (facts.floats || facts.order) FACTS.set(f.node, facts);
}

const escapePointer = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');
const unescapePointer = (k: string) => k.replace(/~1/g, '/').replace(/~0/g, '~');

/** The recorded facts of `value`'s subtree as plain data, or undefined when there are none. */
export function pyHintsOf(value: unknown): PyHints | undefined {
  const hints: PyHints = {};
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [v, at] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const facts = FACTS.get(v);
    if (facts?.floats) for (const k of facts.floats) (hints.floats ??= []).push(`${at}/${escapePointer(k)}`);
    if (facts?.order) (hints.orders ??= []).push({ at, keys: [...facts.order] });
    for (const [k, x] of Object.entries(v)) stack.push([x, `${at}/${escapePointer(k)}`]);
  }
  return hints.floats || hints.orders ? hints : undefined;
}

/** The container a pointer names inside `value` (undefined when it names none). */
function containerAt(value: unknown, pointer: string): object | undefined {
  let v = value;
  for (const part of pointer === '' ? [] : pointer.slice(1).split('/')) {
    if (v === null || typeof v !== 'object') return undefined;
    const k = unescapePointer(part);
    v = Object.hasOwn(v, k) ? (v as Record<string, unknown>)[k] : undefined;
  }
  return v !== null && typeof v === 'object' ? v : undefined;
}

/**
 * Records `hints` (from pyHintsOf on the original) for `value`, a structured clone of it, so the
 * printers see the copy as they saw the original. Containers that already have facts keep them.
 */
export function applyPyHints(value: unknown, hints: PyHints | undefined): void {
  if (!hints || value === null || typeof value !== 'object') return;
  const fresh = new Map<object, PyFacts>();
  const factsAt = (pointer: string): PyFacts | undefined => {
    const c = containerAt(value, pointer);
    if (!c || (FACTS.has(c) && !fresh.has(c))) return undefined;
    let f = fresh.get(c);
    if (!f) fresh.set(c, (f = {}));
    return f;
  };
  for (const p of hints.floats ?? []) {
    const cut = p.lastIndexOf('/');
    const f = factsAt(p.slice(0, cut));
    if (f) (f.floats ??= new Set()).add(unescapePointer(p.slice(cut + 1)));
  }
  for (const { at, keys } of hints.orders ?? []) {
    const f = factsAt(at);
    if (f) f.order = keys;
  }
  for (const [c, f] of fresh) FACTS.set(c, f);
}

/**
 * An object's entries in Python's order: the text's order where it was recorded (keys added since
 * go last, removed ones are skipped), else JavaScript's.
 */
export function pyEntries(obj: object): [string, unknown][] {
  const order = FACTS.get(obj)?.order;
  const rec = obj as Record<string, unknown>;
  if (!order) return Object.entries(rec);
  const seen = new Set(order);
  const keys = [...order.filter((k) => Object.hasOwn(rec, k)), ...Object.keys(rec).filter((k) => !seen.has(k))];
  return keys.map((k) => [k, rec[k]]);
}

/** Whether `container`'s child `key` (an index as a string for arrays) is a float with an integral value. */
export function isPyFloat(container: object, key: string): boolean {
  return FACTS.get(container)?.floats?.has(key) ?? false;
}

/**
 * Registers a conversation's hints on its own arguments and tools: after a structured clone (a
 * worker, IndexedDB) the printers see them as they were read. Cheap when there are none.
 */
export function applyConversationHints(conv: Conversation): void {
  conv.tools_hints?.forEach((h, i) => applyPyHints(conv.tools?.[i], h ?? undefined));
  for (const m of conv.messages) for (const c of m.tool_calls ?? []) applyPyHints(c.arguments, c.arguments_hints);
}

/**
 * Python's `d[key] = value` keeps insertion order; a JavaScript object puts integer-like keys first.
 * Call before setting `key` on `d`: records the order when JavaScript's would differ.
 */
export function notePySetItem(d: object, key: string): void {
  const facts = FACTS.get(d);
  if (facts?.order) {
    if (!facts.order.includes(key)) facts.order.push(key);
    return;
  }
  const keys = Object.keys(d);
  if (keys.includes(key) || (!isIndexKey(key) && !keys.some(isIndexKey))) return;
  const order = [...keys, key];
  if (facts) facts.order = order;
  else FACTS.set(d, { order });
}

/** Records that `container`'s child `key` is a float (for values built, not parsed: Jinja's runtime). */
export function notePyFloat(container: object, key: string): void {
  const facts = FACTS.get(container);
  if (facts) (facts.floats ??= new Set()).add(key);
  else FACTS.set(container, { floats: new Set([key]) });
}

/** Sets an object's key order as Python would print it (sort_keys). */
export function setPyOrder(obj: object, keys: string[]): void {
  const facts = FACTS.get(obj);
  if (facts) facts.order = keys;
  else FACTS.set(obj, { order: keys });
}

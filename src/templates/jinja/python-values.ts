// Python's values in @huggingface/jinja. Jinja2 renders the objects json.loads built: a float
// written `1.0` prints `1.0` (`{{ x }}`, `x|tojson`) and a dict keeps its key order. The library
// converts JavaScript values on entry (a number is an int when Number.isInteger; a dict's keys in
// Object.entries order, integer-like keys first), which loses both facts src/data/py-json.ts keeps.
// Values handed over as `PyValues` are converted here instead, from those facts: ordered maps and
// FloatValue where the data wrote a float. The library exports neither its value classes nor its
// converter, so the classes are taken from values it converts, and Environment.set (exported) is
// wrapped once to accept PyValues; every other value goes through the library's own conversion.
import { Environment } from '@huggingface/jinja';
import { isPyFloat, notePyFloat, notePySetItem, pyEntries, setPyOrder } from '../../data/py-json.ts';
import { pyAt, PyFloat } from '../py/float.ts';
import { pyJsonDumps } from '../pyjson.ts';
import { pyCompareStr } from '../py/values.ts';

/** A value to hand to a template with Python's facts (render items only). */
export class PyValues {
  constructor(readonly value: unknown) {}
}

interface RuntimeValue {
  value: unknown;
}
type RuntimeClass = new (value: unknown) => RuntimeValue;

const ENV = Environment as unknown as {
  new (): {
    set(name: string, value: unknown): unknown;
    lookupVariable(name: string): RuntimeValue;
    declareVariable(name: string, value: RuntimeValue): unknown;
  };
  prototype: {
    set(name: string, value: unknown): unknown;
    declareVariable(name: string, value: RuntimeValue): unknown;
  };
};

/** The library's conversion of a plain value (through a scratch environment). */
function libraryConvert(value: unknown): RuntimeValue {
  const env = new ENV();
  env.set('v', value);
  return env.lookupVariable('v');
}

const classOf = (sample: unknown) => libraryConvert(sample).constructor as RuntimeClass;
const FloatValue = classOf(0.5);
const IntegerValue = classOf(1);
const StringValue = classOf('');
const BooleanValue = classOf(true);
const NullValue = classOf(null);

/** A scalar as the library converts it, built directly (a scratch environment per value costs). */
function scalar(v: unknown): RuntimeValue {
  if (typeof v === 'number') return Number.isInteger(v) ? new IntegerValue(v) : new FloatValue(v);
  if (typeof v === 'string') return new StringValue(v);
  if (typeof v === 'boolean') return new BooleanValue(v);
  if (v === null) return new NullValue(undefined);
  return libraryConvert(v); // undefined, functions: rare, the library's own way
}
const ArrayValue = classOf([]);
const ObjectValue = classOf({ a: 1 });

/** Iterative: user data is never walked by recursion (deep tool arguments). */
function convert(root: unknown): RuntimeValue {
  const build = (v: unknown, parent: object | null, key: string): RuntimeValue | { pending: object } => {
    if (typeof v === 'number' && parent !== null && isPyFloat(parent, key)) return new FloatValue(v);
    if (v !== null && typeof v === 'object') return { pending: v };
    return scalar(v);
  };
  const done = new Map<object, RuntimeValue>();
  const stack: { node: object; expanded: boolean }[] = [];
  const first = build(root, null, '');
  if (!('pending' in first)) return first;
  stack.push({ node: first.pending, expanded: false });
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const entries: [string, unknown][] = Array.isArray(top.node)
      ? top.node.map((x, i) => [String(i), x])
      : pyEntries(top.node);
    if (!top.expanded) {
      top.expanded = true;
      for (const [, x] of entries)
        if (x !== null && typeof x === 'object' && !done.has(x)) stack.push({ node: x, expanded: false });
      continue;
    }
    stack.pop();
    const items = entries.map(([k, x]): [string, RuntimeValue] => {
      const b = build(x, top.node, k);
      return [k, 'pending' in b ? done.get(b.pending)! : b];
    });
    done.set(
      top.node,
      Array.isArray(top.node) ? new ArrayValue(items.map(([, r]) => r)) : new ObjectValue(new Map(items)),
    );
  }
  return done.get(first.pending)!;
}

const librarySet = ENV.prototype.set;
ENV.prototype.set = function set(this: InstanceType<typeof ENV>, name: string, value: unknown) {
  if (value instanceof PyValues) return this.declareVariable(name, convert(value.value));
  return librarySet.call(this, name, value);
};

// `x|tojson(...)` as transformers' chat-template environment defines it: json.dumps(x,
// ensure_ascii=False, indent=None, separators=None, sort_keys=False) — the library's own filter
// prints floats as JavaScript does (`1`, `1e-5`). python-strings.ts rewrites the filter into a call
// of this global, which receives the library's values unwrapped one level (a dict as a Map of its
// runtime values, a list as an array of them).

interface Runtime {
  type: string;
  value: unknown;
}
const isRuntime = (x: unknown): x is Runtime =>
  typeof x === 'object' && x !== null && typeof (x as Runtime).type === 'string' && 'value' in x;

/** The library's value (runtime or unwrapped one level) as plain data with Python's facts. Iterative. */
function toPlain(top: unknown): unknown {
  const wrap = (x: unknown): unknown =>
    isRuntime(x) ? x : { type: x instanceof Map ? 'ObjectValue' : Array.isArray(x) ? 'ArrayValue' : 'Plain', value: x };
  const root: { v?: unknown } = {};
  const stack: { from: Runtime; into: object; key: string }[] = [{ from: wrap(top) as Runtime, into: root, key: 'v' }];
  while (stack.length > 0) {
    const { from, into, key } = stack.pop()!;
    const put = (v: unknown) =>
      Object.defineProperty(into, key, { value: v, writable: true, enumerable: true, configurable: true });
    if (from.type === 'ObjectValue' || from.type === 'KeywordArgumentsValue' || from.type === 'NamespaceValue') {
      const obj: Record<string, unknown> = {};
      put(obj);
      for (const [k, v] of from.value as Map<string, unknown>) {
        notePySetItem(obj, k);
        Object.defineProperty(obj, k, { value: null, writable: true, enumerable: true, configurable: true });
        stack.push({ from: wrap(v) as Runtime, into: obj, key: k });
      }
    } else if (from.type === 'ArrayValue') {
      const arr: unknown[] = [];
      put(arr);
      (from.value as unknown[]).forEach((v, i) => {
        arr.push(null);
        stack.push({ from: wrap(v) as Runtime, into: arr, key: String(i) });
      });
    } else {
      if (from.type === 'FloatValue') notePyFloat(into, key);
      put(from.type === 'UndefinedValue' || from.type === 'NullValue' ? null : from.value);
    }
  }
  return root.v;
}

/** ensure_ascii: every non-ASCII UTF-16 unit as \uXXXX, as Python's json.dumps writes it. */
const asciiOnly = (s: string) =>
  s.replace(/[^\x00-\x7f]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));

/** Python's sorted() on str keys: by code point. */
function sortKeysDeep(v: unknown): void {
  const stack = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (x === null || typeof x !== 'object' || x instanceof PyFloat) continue;
    if (!Array.isArray(x)) {
      const keys = pyEntries(x)
        .map(([k]) => k)
        .sort(pyCompareStr);
      setPyOrder(x, keys);
    }
    stack.push(...Object.values(x));
  }
}

/** `x|tojson(...)`; `boxed` is `[x]` (python-strings.ts wraps the operand so a float keeps being one). */
export function pyTojson(boxed: unknown, ...args: unknown[]): string {
  const kwargs = args.at(-1) instanceof Map ? (args.pop() as Map<string, Runtime>) : new Map<string, Runtime>();
  const kw = (name: string, position: number): unknown => (kwargs.has(name) ? kwargs.get(name)!.value : args[position]);
  const indent = kw('indent', 0);
  const separators = kw('separators', 2);
  const plain = pyAt(toPlain(boxed) as unknown[], 0);
  if (kw('sort_keys', 3) === true) sortKeysDeep(plain);
  const sep = Array.isArray(separators)
    ? (separators.map((s) => (isRuntime(s) ? s.value : s)) as [string, string])
    : undefined;
  const text = pyJsonDumps(plain, { indent: typeof indent === 'number' ? indent : undefined, separators: sep });
  return kw('ensure_ascii', 1) === true ? asciiOnly(text) : text;
}

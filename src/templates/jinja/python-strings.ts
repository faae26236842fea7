// Python's string stripping in @huggingface/jinja. Jinja2 runs templates on Python strings, so
// `s.strip('\n')`, `s.lstrip(chars)`, `s.rstrip()` are Python's str methods and `|trim` is
// `str(value).strip(chars)` (jinja2/filters.py do_trim). @huggingface/jinja 0.5.x ignores the
// `chars` argument and strips JavaScript's whitespace (which differs from str.isspace: U+FEFF in,
// U+001C..U+001F and U+0085 out). Qwen3's `content.lstrip('\n')` then also drops spaces.
//
// The library exposes its parsed tree (`Template.parsed`) but not its string methods, so the tree
// is rewritten once after parsing: a call `X.strip(ARGS)` becomes `__prism_py_strip(X, ARGS)` and a
// filter `X|trim(ARGS)` becomes `__prism_py_trim(X, ARGS)`, with the functions passed as render
// globals (pythonGlobals). Plain JavaScript functions receive unwrapped values: a string, or
// undefined for both None and Undefined (the library unwraps both to undefined), so `none|trim`
// prints '' where Jinja2 prints 'None' — no chat template trims None. `|tojson` is rewritten the same
// way (python-values.ts: Python's json.dumps, floats and key order included).
import { Template } from '@huggingface/jinja';
import { pyLstrip, pyRstrip, pyStrip } from '../pyjson.ts';
import { pyStr } from '../py/repr.ts';
import { strftime } from '../strftime.ts';
import { pyTojson } from './python-values.ts';

const STRIPS = { strip: pyStrip, lstrip: pyLstrip, rstrip: pyRstrip } as const;
type StripName = keyof typeof STRIPS;
const globalName = (method: StripName | 'trim' | 'tojson') => `__prism_py_${method}`;

interface Node {
  type: string;
  [key: string]: unknown;
}
type NodeClass = new (...args: unknown[]) => Node;

const isNode = (x: unknown): x is Node => typeof x === 'object' && x !== null && typeof (x as Node).type === 'string';

/** Python's type name for an error message, from what a plain function receives. */
function typeName(x: unknown): string {
  if (x === null || x === undefined) return 'NoneType';
  if (x instanceof Map) return 'dict';
  if (Array.isArray(x)) return 'list';
  if (typeof x === 'number') return Number.isInteger(x) ? 'int' : 'float';
  if (typeof x === 'boolean') return 'bool';
  return typeof x;
}

/** `chars` as Python reads it: None (or nothing) means whitespace. */
function charsArg(method: string, chars: unknown): string | undefined {
  if (chars === undefined || chars === null) return undefined;
  if (typeof chars !== 'string') throw new Error(`${method} arg must be None or str, not ${typeName(chars)}`);
  return chars;
}

function method(name: StripName) {
  return (s: unknown, chars?: unknown): string => {
    if (typeof s !== 'string') throw new Error(`'${typeName(s)}' object has no attribute '${name}'`);
    return STRIPS[name](s, charsArg(name, chars));
  };
}

/** Jinja2's trim: `soft_str(value).strip(chars)`; Undefined (and None, see above) prints as ''. */
function trim(value: unknown, chars?: unknown): string {
  const s =
    value === undefined
      ? ''
      : typeof value === 'string'
        ? value
        : pyStr(value instanceof Map ? Object.fromEntries(value) : value);
  return pyStrip(s, charsArg('strip', chars));
}

const STRFTIME = '__prism_strftime_now';

/**
 * The render globals the rewritten tree calls. `today` (YYYY-MM-DD) fixes the date strftime_now
 * returns (transformers' is datetime.now(): the render option `today` plays that role here).
 */
export function pythonGlobals(today?: string): Record<string, (...args: unknown[]) => string> {
  return {
    [globalName('strip')]: method('strip'),
    [globalName('lstrip')]: method('lstrip'),
    [globalName('rstrip')]: method('rstrip'),
    [globalName('trim')]: trim,
    [globalName('tojson')]: pyTojson,
    [STRFTIME]: (format: unknown) => strftime(String(format), today),
  };
}

/** The library's CallExpression, Identifier and ArrayLiteral classes, read from a one-call template. */
let nodeClasses: { Call: NodeClass; Ident: NodeClass; List: NodeClass } | undefined;
function classes(): { Call: NodeClass; Ident: NodeClass; List: NodeClass } {
  if (!nodeClasses) {
    const body = (new Template('{{ f([]) }}').parsed as unknown as { body: Node[] }).body;
    const call = body.find((n) => n.type === 'CallExpression');
    const list = (call?.args as Node[] | undefined)?.[0];
    if (!call || list?.type !== 'ArrayLiteral') {
      throw new Error(
        '@huggingface/jinja parsed "{{ f([]) }}" without a CallExpression of an ArrayLiteral: its tree changed',
      );
    }
    nodeClasses = {
      Call: call.constructor as NodeClass,
      Ident: (call.callee as Node).constructor as NodeClass,
      List: list.constructor as NodeClass,
    };
  }
  return nodeClasses;
}

const callGlobal = (name: string, args: unknown[]): Node => {
  const { Call, Ident } = classes();
  return new Call(new Ident(name), args);
};

function rewrite(x: unknown): unknown {
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) x[i] = rewrite(x[i]);
    return x;
  }
  if (x instanceof Map) {
    const entries = [...x.entries()];
    x.clear();
    for (const [k, v] of entries) x.set(rewrite(k), rewrite(v));
    return x;
  }
  if (!isNode(x)) return x;
  for (const key of Object.keys(x)) x[key] = rewrite(x[key]);
  if (x.type === 'CallExpression') {
    const callee = x.callee as Node;
    if (callee.type === 'Identifier' && callee.value === 'strftime_now')
      return callGlobal(STRFTIME, x.args as unknown[]);
    const prop = callee.property as Node | undefined;
    if (
      callee.type === 'MemberExpression' &&
      !callee.computed &&
      prop?.type === 'Identifier' &&
      (prop.value as string) in STRIPS
    ) {
      return callGlobal(globalName(prop.value as StripName), [callee.object, ...(x.args as unknown[])]);
    }
  }
  if (x.type === 'FilterExpression') {
    const f = x.filter as Node;
    for (const name of ['trim', 'tojson'] as const) {
      // tojson's operand goes in a one-item list: a JavaScript global receives its arguments unwrapped
      // one level, which would turn a float written 1.0 (FloatValue) into the number 1.
      const operand = name === 'tojson' ? new (classes().List)([x.operand]) : x.operand;
      if (f.type === 'Identifier' && f.value === name) return callGlobal(globalName(name), [operand]);
      const fc = f.type === 'CallExpression' ? (f.callee as Node) : undefined;
      if (fc?.type === 'Identifier' && fc.value === name)
        return callGlobal(globalName(name), [operand, ...(f.args as unknown[])]);
    }
  }
  return x;
}

/** Rewrites a parsed template in place so strip / lstrip / rstrip / trim behave as in Python. */
export function usePythonStrings(template: Template): Template {
  rewrite(template.parsed);
  return template;
}

// repr(), ast.literal_eval / json.loads (ms-swift's _parse_json) and split_str_parts_by against
// CPython itself (Debian's /usr/bin/python3), on inputs chosen to hit quoting, escapes,
// non-printable characters, floats and Python-only literal syntax.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { swiftParseJson } from './literal.ts';
import { pyRepr } from './repr.ts';
import { splitStrPartsBy } from './split.ts';
import { pyCompareStr, pyIn, pyIter } from './values.ts';

const PYTHON = '/usr/bin/python3';

function python(script: string, input: unknown): unknown {
  const r = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

const VALUES: unknown[] = [
  'plain',
  "it's",
  'say "hi"',
  'both \' and "',
  'back\\slash',
  'tab\tnew\nline\rcr',
  '\x00\x07\x1b\x7f',
  'ü中文😀',
  '\u00a0nbsp\u2028ls\u200bzw\u202eRLO',
  '\ud800lone',
  '',
  0,
  -3,
  123456789012,
  1.5,
  -0.25,
  1e-5,
  1.5e300,
  1e16,
  0.1,
  true,
  false,
  null,
  [],
  {},
  [1, 'a', [true, null]],
  { a: 1, 'b c': ['x', { d: null }] },
  { "k'": 'v"' },
];

describe.skipIf(!existsSync(PYTHON))('Python semantics vs CPython', () => {
  it('pyRepr equals repr() of the same JSON value', () => {
    const want = python(
      'import json,sys; print(json.dumps([repr(v) for v in json.load(sys.stdin)]))',
      VALUES,
    ) as string[];
    VALUES.forEach((v, i) => expect(pyRepr(v), JSON.stringify(v)).toBe(want[i]));
  });

  it("swiftParseJson equals ms-swift's _parse_json (json.loads, else ast.literal_eval, else None)", () => {
    const inputs = [
      '{"a": 1, "b": [true, null]}',
      "{'a': 1, 'b': [True, None]}",
      "{'t': (1, 2,), 'n': -1.5e3,}",
      '"x" ',
      "'a' 'b'",
      '[NaN, Infinity, -Infinity]',
      '{not json',
      '',
      '  {"a": 1}',
      "{'u': '\\u00e9\\x41\\n'}",
      '{"a": 1} extra',
      '1_000',
      "{1: 'int key'}",
      '"\\ud83d\\ude00"',
      'None',
      'true',
      "r'raw'",
    ];
    const script = [
      'import ast, json, sys, math',
      'def p(s):',
      '    try: return json.loads(s)',
      '    except json.JSONDecodeError:',
      '        try: return ast.literal_eval(s)',
      '        except Exception: return "<None>"',
      'def enc(v):',
      '    if isinstance(v, float) and not math.isfinite(v): return {"float": repr(v)}',
      '    if isinstance(v, tuple): return [enc(x) for x in v]',
      '    if isinstance(v, list): return [enc(x) for x in v]',
      '    if isinstance(v, dict): return {str(k): enc(x) for k, x in v.items()}',
      '    return v',
      'print(json.dumps([enc(p(s)) for s in json.load(sys.stdin)]))',
    ].join('\n');
    const want = python(script, inputs) as unknown[];
    const enc = (v: unknown): unknown => {
      if (typeof v === 'number' && !Number.isFinite(v))
        return { float: Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf' };
      if (Array.isArray(v)) return v.map(enc);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, enc(x)]));
      return v === undefined ? '<None>' : v;
    };
    inputs.forEach((s, i) => expect(enc(swiftParseJson(s)), s).toEqual(want[i]));
  });

  it('splitStrPartsBy equals split_str_parts_by (plain and regex delimiters)', () => {
    const cases: [string, string[], boolean][] = [
      [
        'Thought: t\nAction: a\nAction Input: {"x": 1}\nObservation: o\nFinal Answer: f',
        ['Action:', 'Action Input:', 'Observation:', 'Thought:', 'Final Answer:'],
        false,
      ],
      ['no delimiters here', ['Action:'], false],
      ['Action:Action:', ['Action:'], false],
      ['a.b*c', ['.', '*'], false],
      ['pre <tool_call>\n{"a": 1}\n</tool_call> mid <tool_call>x</tool_call>', ['<tool_call>.+?</tool_call>'], true],
      ['<think>\n\n</think>\n\nanswer', ['^<think>\\s*</think>\\s*'], true],
      ['answer <think></think>', ['^<think>\\s*</think>\\s*'], true],
    ];
    const script = [
      'import json, re, sys',
      'def split_by_regex(text, ds):',
      "    parts = re.split('|'.join(f'({p})' for p in ds), text, flags=re.DOTALL)",
      '    parts = [p for p in parts if p is not None]',
      "    if parts[0] == '': parts.pop(0)",
      "    else: parts.insert(0, '')",
      '    return parts',
      'def split(text, ds, rx):',
      '    orig = ds',
      '    if not rx: ds = [re.escape(d) for d in ds]',
      "    parts = split_by_regex(text, ds) if ds else ['', text]",
      '    if rx:',
      '        out = []',
      '        for part in [p for p in parts if p]:',
      '            for d, o in zip(ds, orig):',
      '                if re.match(d, part, re.DOTALL): break',
      "            else: o = ''",
      '            out.append([o, part])',
      '        return out',
      '    return [[k, c] for k, c in zip(parts[::2], parts[1::2])]',
      'print(json.dumps([split(*c) for c in json.load(sys.stdin)]))',
    ].join('\n');
    const want = python(script, cases) as [string, string][][];
    cases.forEach(([t, d, rx], i) =>
      expect(
        splitStrPartsBy(t, d, rx).map((p) => [p.key, p.content]),
        t,
      ).toEqual(want[i]),
    );
  });

  it('pyIn, pyIter and str ordering equal `in`, list() and sorted()', () => {
    const script = [
      'import json, sys',
      'd = json.load(sys.stdin)',
      'def isin(n, c):',
      '    try: return n in c',
      '    except TypeError: return "TypeError"',
      'def it(v):',
      '    try: return list(v)',
      '    except TypeError: return "TypeError"',
      'print(json.dumps({"in": [isin(n, c) for n, c in d["pairs"]],',
      '                  "iter": [it(v) for v in d["values"]], "sorted": sorted(d["keys"])}))',
    ].join('\n');
    const pairs: [unknown, unknown][] = [
      ['a', 'cat'],
      ['x', 'cat'],
      ['city', ['city', 'unit']],
      ['c', ['city']],
      [1, [true]],
      ['a', { a: 1 }],
      ['b', { a: 1 }],
      [1, 'abc'],
      ['a', 5],
      ['a', null],
      [[1], { a: 1 }],
    ];
    const keys = ['b', 'a', 'B', '_', '\uffff', '\ud83d\ude00', '\ue000', 'é', 'ab', 'a', ''];
    type Want = { in: unknown[]; iter: unknown[]; sorted: string[] };
    const want = python(script, { values: VALUES, pairs, keys }) as Want;
    const tryIt = (f: () => unknown) => {
      try {
        return f();
      } catch (e) {
        return (e as Error).name;
      }
    };
    expect(pairs.map(([n, c]) => tryIt(() => pyIn(n, c)))).toEqual(want.in);
    expect(VALUES.map((v) => tryIt(() => pyIter(v)))).toEqual(want.iter);
    expect([...keys].sort(pyCompareStr)).toEqual(want.sorted);
  });
});

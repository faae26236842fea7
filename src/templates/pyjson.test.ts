// pyJsonDumps / pyStrip against Python itself (one /usr/bin/python3 process): values travel to
// Python as JSON, exactly as the templates' data does, and come back as json.dumps / str.strip.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pyJsonDumps, pyLstrip, pyRstrip, pyStrip } from './pyjson.ts';

const PYTHON = '/usr/bin/python3';

function seeded(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('Python json.dumps(ensure_ascii=False) and str.strip', () => {
  it('match Python byte for byte', () => {
    if (!existsSync(PYTHON)) throw new Error(`${PYTHON} missing: apt-get install python3 python3-jinja2`);
    const rnd = seeded(7);
    const numbers: number[] = [
      0,
      -0,
      1,
      -1,
      0.1,
      1e-4,
      1.5e-5,
      1e-7,
      123456.789,
      1e15,
      1e16,
      1.5e16,
      1e21,
      2 ** 53,
      2 ** 53 + 2,
      -3.25e-300,
      5e-324,
      1.7976931348623157e308,
    ];
    for (let i = 0; i < 300; i++) numbers.push((rnd() - 0.5) * 10 ** Math.floor(rnd() * 60 - 30));
    for (let i = 0; i < 50; i++) numbers.push(Math.floor((rnd() - 0.5) * 2 ** 52));
    const controls =
      Array.from({ length: 0x30 }, (_, i) => String.fromCharCode(i)).join('') +
      '\u007f\u0085\u00a0\u2028\u2029\ufeff"\\/ é中文🎉';
    const values: unknown[] = [
      ...numbers,
      controls,
      { b: 1, a: [true, false, null, { x: [] }, {}], 'k"ey': 'v\n', 日本: '語' },
      [[[]], [{}], 'x'],
    ];
    const ws = [
      0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x180e, 0x2000, 0x200a, 0x200b,
      0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff,
    ];
    const strips = ws.map((c) => `${String.fromCharCode(c)} a\u3000b ${String.fromCharCode(c)}`);
    const script = [
      'import json, sys',
      'd = json.load(sys.stdin)',
      'out = {"dumps": [json.dumps(v, ensure_ascii=False) for v in d["values"]],',
      '       "indent": [json.dumps(v, ensure_ascii=False, indent=4) for v in d["values"]],',
      '       "compact": [json.dumps(v, ensure_ascii=False, separators=(",", ":")) for v in d["values"]],',
      '       "strip": [s.strip() for s in d["strips"]], "lstrip": [s.lstrip() for s in d["strips"]],',
      '       "rstrip": [s.rstrip() for s in d["strips"]], "nl": [s.strip("\\n") for s in d["nl"]]}',
      'sys.stdout.write(json.dumps(out))',
    ].join('\n');
    const nl = ['\n\nx\n', '\n', 'a\n\nb', ''];
    const res = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify({ values, strips, nl }), encoding: 'utf8' });
    expect(res.status, res.stderr).toBe(0);
    const py = JSON.parse(res.stdout) as Record<string, string[]>;
    expect(values.map((v) => pyJsonDumps(v))).toEqual(py.dumps);
    expect(values.map((v) => pyJsonDumps(v, { indent: 4 }))).toEqual(py.indent);
    expect(values.map((v) => pyJsonDumps(v, { separators: [',', ':'] }))).toEqual(py.compact);
    expect(strips.map((s) => pyStrip(s))).toEqual(py.strip);
    expect(strips.map((s) => pyLstrip(s))).toEqual(py.lstrip);
    expect(strips.map((s) => pyRstrip(s))).toEqual(py.rstrip);
    expect(nl.map((s) => pyStrip(s, '\n'))).toEqual(py.nl);
  });
});

describe('pyJsonDumps on deep data', () => {
  it('prints 100,000 levels of nesting without recursion (no stack overflow)', () => {
    const depth = 100_000;
    let v: unknown = [];
    for (let i = 1; i < depth; i++) v = i % 2 ? { k: v } : [v];
    expect(pyJsonDumps(v)).toBe(buildExpected(depth));
  });
});

/** The same nesting spelled out by string concatenation: alternating [ and {"k": from the inside. */
function buildExpected(depth: number): string {
  const open: string[] = [];
  const close: string[] = [];
  for (let level = depth - 1; level >= 1; level--) {
    if (level % 2) {
      open.push('{"k": ');
      close.push('}');
    } else {
      open.push('[');
      close.push(']');
    }
  }
  return open.join('') + '[]' + close.reverse().join('');
}

describe('pyJsonDumps on numbers JSON cannot hold', () => {
  it('prints ±1e400 in tool arguments as Python does after json.loads of the line: Infinity, -Infinity', () => {
    // The reference reads the dataset line itself (not a JSON round trip through JavaScript).
    const lines = ['{"x": 1e400}', '{"x": -1e400, "y": [1E+400, 2.5, -3]}', '[1e400, {"deep": [-1e999]}]'];
    const script =
      'import json, sys\nfor line in sys.stdin:\n    print(json.dumps(json.loads(line), ensure_ascii=False))';
    const res = spawnSync(PYTHON, ['-c', script], { input: lines.join('\n') + '\n', encoding: 'utf8' });
    expect(res.status, res.stderr).toBe(0);
    expect(lines.map((l) => pyJsonDumps(JSON.parse(l)))).toEqual(res.stdout.trimEnd().split('\n'));
    expect(pyJsonDumps(JSON.parse('{"x": 1e400}'))).toBe('{"x": Infinity}');
  });
});

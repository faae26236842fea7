// parseJsonPy + the printers against CPython: `json.dumps(json.loads(text))`, with an indent, and
// `repr(json.loads(text))` must come out the same from our parse of the same text — also after a
// structured clone carried over by hints (what a worker or IndexedDB does to a record).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pyJsonDumps } from '../templates/pyjson.ts';
import { pyRepr } from '../templates/py/repr.ts';
import { applyPyHints, parseJsonPy, pyEntries, pyHintsOf } from './py-json.ts';
import { parseLine } from './read.ts';

const PYTHON = '/usr/bin/python3';

const TEXTS = [
  '{"temperature": 1.0, "top_p": 0.5, "n": 2}',
  '{"a": [1.0, 2, 3.50, -0.0, 0, -0, 1e2, 1E+2, 1.5e3, 2.5e-3, 1.0e16, 123456789.000]}',
  '{"b": 1, "1": 2, "a": 3, "10": 4, "2": 5}',
  '{"10": {"2": 1.0, "1": [0.0]}, "x": "1.0 is text, and \\"3\\": 4.0 too"}',
  '[{"z": 1.0}, [2.0, [3.0, {"0": 4.0, "k": 5}]], "6.0"]',
  '{"dup": 1.0, "dup": 2, "k\\"ey": 3.0, "k/e~y": 4.0, "\\u0031": 1.0}',
  '{"4294967295": 1, "4294967294": 2, "01": 3, "-1": 4, "1.5": 5, "0": 6}',
  '{"cjk": "天气 1.0", "emoji": "😀", "v": 7.00000000000000001}',
  '{"nested": {"deep": {"deeper": [{"x": 9.0e0}]}}, "empty": {}, "list": []}',
  '{"plain": 1, "text": "no facts here"}',
];

function python(texts: string[]): { dumps: string; indent: string; repr: string }[] {
  const script = [
    'import json, sys',
    'for line in sys.stdin:',
    '    v = json.loads(line)',
    '    print(json.dumps({"dumps": json.dumps(v, ensure_ascii=False), "indent": json.dumps(v, ' +
      'ensure_ascii=False, indent=2),',
    '                      "repr": repr(v)}))',
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', script], { input: texts.join('\n') + '\n', encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

const ours = (v: unknown) => ({ dumps: pyJsonDumps(v), indent: pyJsonDumps(v, { indent: 2 }), repr: pyRepr(v) });

describe.skipIf(!existsSync(PYTHON))('parseJsonPy: what Python keeps that JSON.parse loses (vs CPython)', () => {
  const want = python(TEXTS);

  it('prints floats with an integral value and integer-like keys as Python does', () => {
    TEXTS.forEach((t, k) => expect(ours(parseJsonPy(t)), t).toEqual(want[k]));
  });

  it('JSON.parse alone does not (the facts are what makes the difference)', () => {
    const differ = TEXTS.filter((t, k) => JSON.stringify(ours(JSON.parse(t))) !== JSON.stringify(want[k]));
    expect(differ.length).toBeGreaterThanOrEqual(8);
  });

  it('keeps them across a structured clone through the hints', () => {
    TEXTS.forEach((t, k) => {
      const v = parseJsonPy(t);
      const hints = pyHintsOf(v);
      const copy: unknown = structuredClone(v);
      applyPyHints(copy, structuredClone(hints));
      expect(ours(copy), t).toEqual(want[k]);
    });
  });

  it('keys added after parsing go last; removed ones are skipped', () => {
    const v = parseJsonPy('{"b": 1, "1": 2}') as Record<string, unknown>;
    delete v.b;
    v.c = 3;
    expect(pyEntries(v)).toEqual([
      ['1', 2],
      ['c', 3],
    ]);
  });

  it('a record read from a line carries the hints of its tool arguments and tools', () => {
    const line = JSON.stringify({
      messages: [
        { role: 'user', content: 'hi' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [{ type: 'function', function: { name: 'f', arguments: '{"t": 1.0, "2": 0, "1": 0}' } }],
        },
        { role: 'tool', content: 'ok' },
        { role: 'assistant', content: 'done' },
      ],
    }).replace(
      '"messages"',
      '"tools": [{"name": "f", "parameters": {"type": "object", "properties": {"t": {"type": "number", ' +
        '"default": 1.0}}}}], "messages"',
    );
    const r = parseLine(new TextEncoder().encode(line), 1);
    const conv = structuredClone(r.conversation!);
    expect(conv.messages[1].tool_calls![0].arguments_hints).toEqual({
      floats: ['/t'],
      orders: [{ at: '', keys: ['t', '2', '1'] }],
    });
    expect(conv.tools_hints).toEqual([{ floats: ['/function/parameters/properties/t/default'] }]);
    applyPyHints(conv.messages[1].tool_calls![0].arguments, conv.messages[1].tool_calls![0].arguments_hints);
    applyPyHints(conv.tools![0], conv.tools_hints![0]!);
    expect(pyJsonDumps(conv.messages[1].tool_calls![0].arguments)).toBe('{"t": 1.0, "2": 0, "1": 0}');
    expect(pyJsonDumps(conv.tools![0])).toContain('"default": 1.0');
  });
});

// Absurd nesting is a per-record issue (too_deep) found without recursion, and the limit sits
// under what Python's json accepts: a record at the limit loads and dumps in CPython's json.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { deeperThan, MAX_JSON_DEPTH } from './depth.ts';
import { readDataset } from './read.ts';

const PYTHON = '/usr/bin/python3';
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const U = { role: 'user', content: 'hi' };
const A = { role: 'assistant', content: 'ok' };
/** A record whose tool-call arguments hold `inner` (JSON text), as an object or as a string. */
function withArgs(inner: string, asString: boolean): string {
  const call = { type: 'function', function: { name: 'f', arguments: asString ? '@ARGS@' : { x: '@ARGS@' } } };
  const text = JSON.stringify({
    messages: [U, { role: 'assistant', tool_calls: [call] }, { role: 'tool', content: '1' }, A],
  });
  return asString ? text.replace('"@ARGS@"', JSON.stringify(`{"x": ${inner}}`)) : text.replace('"@ARGS@"', inner);
}

describe('deeperThan', () => {
  it('finds the bracket that opens the first level past the limit, ignoring brackets in strings', () => {
    expect(deeperThan(nested(3), 3)).toBe(-1);
    expect(deeperThan(nested(4), 3)).toBe(3);
    // The object is level 1, [[1]] levels 2 and 3; the brackets in the strings do not count.
    expect(deeperThan('{"a": "[[[[[[", "b": [[1]]}', 3)).toBe(-1);
    expect(deeperThan('{"a": "\\"[[[[", "b": [[1]]}', 3)).toBe(-1);
    // An escaped backslash ends the string: the brackets after it count (level 4 opens at index 19).
    expect(deeperThan('{"a": "\\\\", "b": [[[[1]]]]}', 3)).toBe(19);
    expect(deeperThan(nested(100_000))).toBe(MAX_JSON_DEPTH);
  });
});

describe('too_deep', () => {
  it('is reported on its line, with the field, and the records around it stay valid', async () => {
    const deep = nested(100_000);
    const lines = [
      JSON.stringify({ messages: [U, A] }),
      withArgs(deep, false), // the line itself nests 100,000 levels
      withArgs(deep, true), // a JSON string in it does
      withArgs(nested(MAX_JSON_DEPTH - 7), false), // at the limit: the record adds 7 levels
      withArgs(nested(MAX_JSON_DEPTH - 1), true), // the string adds 1 ({"x": ...})
      JSON.stringify({ messages: [U, A] }),
    ];
    const got: [number, string[], string[], boolean][] = [];
    for await (const r of readDataset(new Blob([lines.join('\n')]))) {
      got.push([r.line, r.issues.map((i) => i.code), r.issues.map((i) => i.path ?? ''), !!r.conversation]);
    }
    expect(got).toEqual([
      [1, [], [], true],
      [2, ['too_deep'], [''], false],
      [3, ['too_deep'], ['messages[1].tool_calls[0].function.arguments'], false],
      [4, [], [], true],
      [5, [], [], true],
      [6, [], [], true],
    ]);
  });

  it("the limit is under Python json's: records at the limit load and dump in CPython", () => {
    const atLimit = [withArgs(nested(MAX_JSON_DEPTH - 7), false), withArgs(nested(MAX_JSON_DEPTH - 1), true)];
    const script = `
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    args = r["messages"][1]["tool_calls"][0]["function"]["arguments"]
    if isinstance(args, str):
        args = json.loads(args)
    json.dumps(r)
    json.dumps(args)
print("ok")`;
    const res = spawnSync(PYTHON, ['-c', script], { input: atLimit.join('\n') + '\n', encoding: 'utf8' });
    expect(res.stderr).toBe('');
    expect(res.stdout.trim()).toBe('ok');
  });
});

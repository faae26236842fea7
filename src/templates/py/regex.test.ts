// pyRegexSource against CPython's re (Debian's /usr/bin/python3): which characters `\s` and `\S`
// match, over the whole BMP, outside and inside a character class.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pyRegexSource } from './regex.ts';

const PYTHON = '/usr/bin/python3';

describe.skipIf(!existsSync(PYTHON))('pyRegexSource vs CPython re', () => {
  it('\\s, \\S and [\\sx] match the same BMP characters', () => {
    const patterns = ['\\s', '\\S', '[\\sx]', 'a\\s*b'];
    const script = [
      'import json, re, sys',
      'pats = json.load(sys.stdin)',
      "print(json.dumps([[c for c in range(0x10000) if not 0xd800 <= c < 0xe000 and re.fullmatch(p, chr(c) if p != 'a\\\\s*b' else 'a' + chr(c) + 'b')] for p in pats]))",
    ].join('\n');
    const r = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(patterns), encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(r.stderr);
    const want = JSON.parse(r.stdout) as number[][];
    patterns.forEach((p, k) => {
      const re = new RegExp(`^(?:${pyRegexSource(p)})$`, 's');
      const got: number[] = [];
      for (let c = 0; c < 0x10000; c++) {
        if (c >= 0xd800 && c < 0xe000) continue;
        if (re.test(p === 'a\\s*b' ? `a${String.fromCharCode(c)}b` : String.fromCharCode(c))) got.push(c);
      }
      expect(got, p).toEqual(want[k]);
    });
  });
});

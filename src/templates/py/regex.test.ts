// pyRegexSource, PY_S / PY_W / PY_END and pyFindall against CPython's re (Debian's
// /usr/bin/python3): which characters `\s`, `\S` and `\w` match (the whole BMP, outside and inside
// a character class), and findall on patterns ms-swift's get_toolcall parsers use.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PY_END, PY_S, PY_W, pyFindall, pyRegexSource } from './regex.ts';

const PYTHON = '/usr/bin/python3';

describe.skipIf(!existsSync(PYTHON))('pyRegexSource vs CPython re', () => {
  it('\\s, \\S and [\\sx] match the same BMP characters', () => {
    const patterns = ['\\s', '\\S', '[\\sx]', 'a\\s*b'];
    const script = [
      'import json, re, sys',
      'pats = json.load(sys.stdin)',
      'print(json.dumps([[c for c in range(0x10000) if not 0xd800 <= c < 0xe000 and re.fullmatch(p, chr(c) if p != ' +
        "'a\\\\s*b' else 'a' + chr(c) + 'b')] for p in pats]))",
    ].join('\n');
    const r = spawnSync(PYTHON, ['-c', script], {
      input: JSON.stringify(patterns),
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
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

function python(script: string, input: unknown): unknown {
  const r = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe.skipIf(!existsSync(PYTHON))('PY_S, PY_W, PY_END, pyFindall vs CPython re', () => {
  it('PY_S and PY_W match the code points \\s and \\w match', () => {
    // Python answers for the code points its Unicode tables assign (newer letters are a known gap).
    const want = python(
      [
        'import json, re, sys, unicodedata',
        'cps = [c for c in list(range(0xd800)) + list(range(0xe000, 0x10000)) + list(range(0x10000, 0x30000, 7))',
        '       if unicodedata.category(chr(c)) != "Cn"]',
        'print(json.dumps([cps, [c for c in cps if re.match(r"\\s", chr(c))], [c for c in cps if ' +
          're.match(r"\\w", chr(c))]]))',
      ].join('\n'),
      null,
    ) as number[][];
    const [cps, spaces, words] = want;
    const s = new RegExp(`^${PY_S}$`, 'u');
    const w = new RegExp(`^${PY_W}$`, 'u');
    expect(cps.filter((c) => s.test(String.fromCodePoint(c)))).toEqual(spaces);
    expect(cps.filter((c) => w.test(String.fromCodePoint(c)))).toEqual(words);
  });

  it('PY_END and pyFindall behave as re.findall', () => {
    const cases: [string, string, string][] = [
      ['(a)(?=\\n?$)', `(a)${PY_END}`, 'xa\n'],
      ['(a)$', `(a)${PY_END}`, 'xa\n\n'],
      ['<t>(.*?)</t>', '<t>(.*?)</t>', '<t>1\n</t> <t></t><t>3'],
      [
        '<k>(.*?)</k>\\s*<v>(.*?)</v>',
        `<k>(.*?)</k>${PY_S}*<v>(.*?)</v>`,
        '<k>a</k>\x1c\n<v>1</v><k>b</k>\ufeff<v>2</v>',
      ],
      [
        '([^\\n`]*?)\\n({.*?})(?=\\w*\\n|$)',
        `([^\\n\`]*?)\\n(\\{.*?\\})(?=${PY_W}*\\n|${PY_END})`,
        'f\n{"a": 1}é\nx\n{"b"}\n',
      ],
    ];
    const want = python(
      'import json, re, sys\nprint(json.dumps([[list(m) if isinstance(m, tuple) else [m] for m in re.findall(p, t, ' +
        're.DOTALL)] for p, t in json.load(sys.stdin)]))',
      cases.map(([py, , t]) => [py, t]),
    ) as string[][][];
    cases.forEach(([, js, t], i) => expect(pyFindall(new RegExp(js, 'su'), t), js).toEqual(want[i]));
  });
});

// The line-length check (scripts/check-lines.ts) on files written here: it must name a long line, pass a
// short one, count characters (code points) not UTF-16 units, honour the allow-list and report a stale entry.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, isChecked, longLines, MAX_LINE } from './check-lines.ts';

const SCRIPT = join(import.meta.dirname, 'check-lines.ts');
const NODE = [process.execPath, '--import', 'tsx', SCRIPT];

function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'prism-lines-')), name);
  writeFileSync(path, text);
  return path;
}

describe('check-lines', () => {
  it('fails on a line of 121 characters, names file:line:length and the fix; passes at 120', () => {
    const bad = tempFile('bad.ts', `const a = 1;\n// ${'x'.repeat(MAX_LINE - 2)}\n`);
    const run = spawnSync(NODE[0], [...NODE.slice(1), bad], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`${bad}:2: 121 characters, over 120: split the string`);

    const good = tempFile('good.ts', `// ${'x'.repeat(MAX_LINE - 3)}\n`);
    expect(spawnSync(NODE[0], [...NODE.slice(1), good], { encoding: 'utf8' }).status).toBe(0);
  });

  it('--report-only prints the long lines but does not fail', () => {
    const bad = tempFile('bad.py', `x = "${'y'.repeat(130)}"\n`);
    const run = spawnSync(NODE[0], [...NODE.slice(1), '--report-only', bad], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`${bad}:1: 136 characters, over 120: break it inside brackets`);
  });

  it('counts code points: 120 emoji pass (240 UTF-16 units), 121 CJK characters fail', () => {
    expect(longLines('😀'.repeat(120))).toEqual([]);
    expect(longLines('長'.repeat(121)).map((l) => [l.line, l.length])).toEqual([[1, 121]]);
    expect(longLines(`a\r\n${'b'.repeat(121)}\r\n`).map((l) => l.line)).toEqual([2]);
  });

  it('an allow-list entry covers its line only; an entry matching no long line is stale', () => {
    const files: Record<string, string> = {
      'a.ts': `ok\n${'u'.repeat(100)} https://example.com/${'p'.repeat(30)}\n${'z'.repeat(125)}\n`,
    };
    const allow = [
      { path: 'a.ts', contains: 'https://example.com/', why: 'a URL' },
      { path: 'a.ts', contains: 'no such line', why: 'stale' },
    ];
    const r = check(['a.ts'], (p) => files[p], allow);
    expect(r.violations).toEqual([{ path: 'a.ts', line: 3, length: 125 }]);
    expect(r.stale).toEqual([allow[1]]);
  });

  it('checks source files, not data or prose', () => {
    for (const p of ['a.ts', 'b.tsx', 'c.mjs', 'd.py', 'shaders/e.wgsl', 'f.css', 'index.html', 'g.sh', '.ci/run']) {
      expect(isChecked(p), p).toBe(true);
    }
    for (const p of ['README.md', 'x.json', 'public/samples/a.jsonl', 't.jinja', 'package-lock.json']) {
      expect(isChecked(p), p).toBe(false);
    }
  });
});

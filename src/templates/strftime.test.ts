// strftime against CPython's datetime.strftime (Debian's /usr/bin/python3).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { strftime } from './strftime.ts';

describe('strftime', () => {
  it("writes the template formats as Python's datetime.strftime does", () => {
    const days = ['2026-01-15', '2024-07-26', '1999-12-31', '2025-05-04', '2026-09-01'];
    const formats = ['%Y-%m-%d', '%B %d, %Y', '%d %b %Y', '100%% %b', '%A %a %H:%M:%S'];
    const script =
      `import json,sys,datetime\nd,f=json.load(sys.stdin)\n` +
      `print(json.dumps([[datetime.datetime.strptime(x,'%Y-%m-%d').strftime(y) for y in f] for x in d]))`;
    const py = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', script], {
        input: JSON.stringify([days, formats]),
        env: { LC_ALL: 'C' },
      }).toString(),
    ) as string[][];
    expect(days.map((d) => formats.map((f) => strftime(f, d)))).toEqual(py);
  });

  it('refuses a date that is not YYYY-MM-DD, and defaults to the current date', () => {
    expect(() => strftime('%Y', '15 Jan 2026')).toThrow('today must be a date written YYYY-MM-DD, got "15 Jan 2026"');
    expect(strftime('%Y')).toBe(String(new Date().getFullYear()));
  });
});

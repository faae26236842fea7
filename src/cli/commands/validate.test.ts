// `prism validate` as a user runs it: a real process, stdout parsed as the contract says.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function prism(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--import', './src/cli/register.mjs', 'src/cli/main.ts', ...args],
      { cwd: root, encoding: 'utf8' },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('prism validate', () => {
  it('--json prints exactly one JSON object with the counts, and exits 0 despite invalid records', async () => {
    const r = await prism('validate', 'public/samples/malformed.jsonl', '--json');
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out).sort()).toEqual([
      'formats',
      'invalid',
      'issue_counts',
      'issues',
      'issues_truncated',
      'records',
      'valid',
    ]);
    expect(out.issues_truncated).toBe(false);
    // Counted by hand from the file: 25 records (line 3 is blank), 18 with an error.
    expect(out).toMatchObject({
      records: 25,
      valid: 7,
      invalid: 18,
      formats: { messages: 17, swift: 2, alpaca: 1, sharegpt: 1 },
    });
    expect(out.issues).toHaveLength(24);
    for (const i of out.issues) {
      expect(typeof i.line).toBe('number');
      expect(['error', 'warning']).toContain(i.severity);
      expect(i.code).toMatch(/^[a-z_0-9]+$/);
      expect(typeof i.message).toBe('string');
    }
    expect(out.issues[0]).toMatchObject({ line: 1, severity: 'warning', code: 'unknown_field', path: 'id' });
    expect(out.issues[1]).toMatchObject({ line: 2, severity: 'error', code: 'invalid_json', column: 93 });
    expect(out.issues.find((i: { line: number }) => i.line === 8)).toMatchObject({
      code: 'unknown_role',
      path: 'messages[0].role',
    });
  });

  it('--max-issues-per-code keeps the first N of each code and counts them all', async () => {
    const all = JSON.parse((await prism('validate', 'public/samples/malformed.jsonl', '--json')).stdout);
    const r = await prism('validate', 'public/samples/malformed.jsonl', '--json', '--max-issues-per-code', '1');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const byCode = new Map<string, { line: number; code: string }[]>();
    for (const i of all.issues) byCode.set(i.code, [...(byCode.get(i.code) ?? []), i]);
    expect(out.issue_counts).toEqual(Object.fromEntries([...byCode].map(([c, l]) => [c, l.length])));
    expect(out.issues).toEqual(all.issues.filter((i: { line: number; code: string }) => byCode.get(i.code)![0] === i));
    expect(out.issues_truncated).toBe([...byCode.values()].some((l) => l.length > 1));
    expect(out.issues_truncated).toBe(true);
    expect(out).toMatchObject({ records: all.records, valid: all.valid, invalid: all.invalid, formats: all.formats });
  });

  it('--issues-jsonl streams every issue as a line, then the summary', async () => {
    const all = JSON.parse((await prism('validate', 'public/samples/malformed.jsonl', '--json')).stdout);
    const r = await prism('validate', 'public/samples/malformed.jsonl', '--issues-jsonl');
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.slice(0, -1)).toEqual(all.issues);
    expect(lines.at(-1)).toEqual({
      summary: {
        records: all.records,
        valid: all.valid,
        invalid: all.invalid,
        formats: all.formats,
        issue_counts: all.issue_counts,
      },
    });
    expect((await prism('validate', 'public/samples/malformed.jsonl', '--issues-jsonl', '--json')).code).toBe(2);
  });

  it('prints a readable summary without --json', async () => {
    const r = await prism('validate', 'public/samples/alpaca.jsonl');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('9 records, 9 valid, 0 invalid');
    expect(r.stdout).toContain('alpaca 9');
  });

  it('exits 1 with nothing on stdout when the file cannot be read', async () => {
    const r = await prism('validate', 'public/samples/no-such-file.jsonl', '--json');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/cannot read .*no-such-file\.jsonl/);
  });

  it('exits 2 without a FILE', async () => {
    const r = await prism('validate', '--json');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing FILE/);
  });
});

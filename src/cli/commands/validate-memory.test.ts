// `prism validate` on a 200 MB file whose every record is invalid, in a Node limited to a 256 MB
// heap: it must finish (exit 0) with every issue counted. Keeping every issue, as validate once
// did, runs out of heap on this file (exit 134, nothing printed). One line is over the per-line
// limit and must come out as line_too_long with its length, without being held.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const MiB = 1024 * 1024;
const TARGET = 200 * MiB;
const LONG_LINE = 20 * MiB; // over the 16 MiB per-line limit
const PAD = 'x'.repeat(150); // ~210-byte records: ~900k records in 200 MB

// One bad record per code, each with the one issue it must get (written by hand).
const KINDS: [code: string, make: (i: number) => string][] = [
  ['invalid_json', (i) => `{"messages":[{"role":"user","content":"hello ${i}${PAD}"},]}`],
  ['not_object', (i) => `[${i},2,3,"${PAD}"]`],
  ['unknown_format', (i) => `{"foo":"a ${i}${PAD}","bar":"b"}`], // prompt/completion is an ms-swift synonym now
  ['no_assistant_turn', (i) => `{"messages":[{"role":"user","content":"only a question ${i}${PAD}"}]}`],
  ['unknown_role', (i) => `{"messages":[{"role":"bot","content":"x ${i}${PAD}"},{"role":"assistant","content":"y"}]}`],
  ['missing_content', (i) => `{"instruction":"say hi ${i}${PAD}"}`],
];
// {"q":"é"} with é in Latin-1: not UTF-8.
const LATIN1 = Buffer.from([0x7b, 0x22, 0x71, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d, 0x0a]);

const dir = mkdtempSync(join(tmpdir(), 'prism-validate-mem-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the file block by block (never whole in memory); returns what each code must count. */
function writeFile(path: string): { counts: Record<string, number>; lines: number; longLine: number } {
  const lines = Array.from({ length: 600 }, (_, i) => KINDS[i % KINDS.length][1](i));
  const block = Buffer.concat([Buffer.from(lines.join('\n') + '\n'), LATIN1]);
  const perBlock = lines.length + 1;
  const counts: Record<string, number> = Object.fromEntries(KINDS.map(([c]) => [c, 0]));
  counts.invalid_utf8 = 0;
  const fd = openSync(path, 'w');
  let written = 0;
  let line = 0;
  let longLine = 0;
  try {
    for (let b = 0; written < TARGET - LONG_LINE; b++) {
      writeSync(fd, block);
      written += block.length;
      line += perBlock;
      for (const [c] of KINDS) counts[c] += lines.length / KINDS.length;
      counts.invalid_utf8++;
      if (b === 100) {
        // A 20 MiB record in 1 MiB writes.
        const piece = Buffer.alloc(MiB, 'a');
        writeSync(fd, '{"messages":[{"role":"user","content":"');
        for (let k = 0; k < LONG_LINE / MiB; k++) writeSync(fd, piece);
        writeSync(fd, '"}]}\n');
        written += LONG_LINE + 44;
        longLine = ++line;
      }
    }
  } finally {
    closeSync(fd);
  }
  counts.line_too_long = 1;
  return { counts, lines: line, longLine };
}

function validate(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--max-old-space-size=256',
        '--import',
        'tsx',
        '--import',
        './src/cli/register.mjs',
        'src/cli/main.ts',
        'validate',
        file,
        '--json',
      ],
      { cwd: root },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('prism validate memory', () => {
  it('validates a 200 MB all-invalid file in a 256 MB heap, every issue counted', async () => {
    const file = join(dir, 'all-invalid.jsonl');
    const want = writeFile(file);
    const r = await validate(file);
    rmSync(file);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ records: want.lines, valid: 0, invalid: want.lines, issues_truncated: true });
    expect(out.issue_counts).toEqual(want.counts);
    expect(out.issues.length).toBeLessThanOrEqual(100 * Object.keys(want.counts).length);
    const long = out.issues.find((i: { code: string }) => i.code === 'line_too_long');
    expect(long).toMatchObject({ line: want.longLine, severity: 'error' });
    expect(long.message).toContain(`the line is ${LONG_LINE + 43} bytes (20.0 MiB), over the 16.0 MiB limit`);
  }, 300_000);
});

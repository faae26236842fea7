// The Dataset page in Chromium: a malformed file picked with the file input shows exactly the
// issues `prism validate --json` reports (line, code, severity), the summary agrees, clicking an
// issue shows its record, the keyboard moves between records, and dataset text is never HTML.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { open, ROOT, shot } from './harness.ts';

// The `prism` CLI: the ground truth the page must agree with.
function prism(args: string[]): string {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--import', './src/cli/register.mjs', 'src/cli/main.ts', ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    },
  );
  if (r.status !== 0) throw new Error(`prism ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

interface Validate {
  records: number;
  valid: number;
  invalid: number;
  issues: { line: number; severity: string; code: string; message: string }[];
}

test('a malformed file: issues with line numbers as `prism validate` reports them', async () => {
  const file = join(ROOT, 'public', 'samples', 'malformed.jsonl');
  const truth = JSON.parse(prism(['validate', file, '--json'])) as Validate;
  assert.ok(truth.issues.length > 5, 'the malformed sample should have many issues');

  const s = await open('/#/dataset');
  try {
    const { page } = s;
    await page.locator('[data-testid="file-input"]').setInputFiles(file);
    await page.waitForSelector('[data-testid="loaded-file"]', { timeout: 30_000 });

    assert.equal(await page.locator('[data-testid="summary-records"]').textContent(), String(truth.records));
    assert.equal(await page.locator('[data-testid="summary-valid"]').textContent(), String(truth.valid));
    assert.equal(await page.locator('[data-testid="summary-invalid"]').textContent(), String(truth.invalid));

    const shown = await page.$$eval('[data-testid="issues"] li', (lis) =>
      lis.map((li) => ({
        line: Number((li as HTMLElement).dataset.line),
        code: (li as HTMLElement).dataset.code!,
        severity: (li as HTMLElement).dataset.severity!,
        text: li.textContent ?? '',
      })),
    );
    assert.deepEqual(
      shown.map(({ line, code, severity }) => ({ line, code, severity })),
      truth.issues.map(({ line, code, severity }) => ({ line, code, severity })),
    );
    // The visible text names the line and the message, not only the data attributes.
    for (const [i, issue] of truth.issues.entries()) {
      assert.ok(shown[i].text.includes(`line ${issue.line}`), `issue ${i} shows its line: ${shown[i].text}`);
      assert.ok(shown[i].text.includes(issue.message), `issue ${i} shows its message`);
    }

    // Clicking an issue shows that record.
    const pick = truth.issues[Math.floor(truth.issues.length / 2)];
    await page.locator(`[data-testid="issues"] li[data-line="${pick.line}"] button`).first().click();
    assert.equal(await page.locator('[data-testid="record-view"]').getAttribute('data-line'), String(pick.line));
    assert.ok((await page.locator('[data-testid="record-view"]').textContent())!.includes(pick.code));

    // A rejected line is shown as written, with the invalid JSON's column marked.
    const badJson = truth.issues.find((i) => i.code === 'invalid_json')!;
    await page.locator(`[data-testid="issues"] li[data-line="${badJson.line}"] button`).first().click();
    const raw = readFileSync(file, 'utf8').split('\n')[badJson.line - 1];
    assert.equal(await page.locator('[data-testid="raw-line"]').textContent(), raw);
    const col = Number(/column (\d+)/.exec(badJson.message)![1]);
    assert.equal(await page.locator('[data-testid="raw-line"] mark').textContent(), raw[col - 1]);

    // → moves to the next record (blank lines are not records, so compare with the file's lines).
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    const before = Number(await page.locator('[data-testid="record-line"]').textContent());
    await page.keyboard.press('ArrowRight');
    const after = Number(await page.locator('[data-testid="record-line"]').textContent());
    assert.ok(after > before, `ArrowRight moved from line ${before} to ${after}`);
    await page.keyboard.press('ArrowLeft');
    assert.equal(Number(await page.locator('[data-testid="record-line"]').textContent()), before);

    await page.screenshot({ path: shot('dataset'), fullPage: true });
    await page.locator('.theme select').selectOption('dark');
    await page.screenshot({ path: shot('dataset-dark'), fullPage: true });
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
});

test('dataset text is shown as text, never as HTML', async () => {
  const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold?</b>';
  const line = JSON.stringify({
    messages: [
      { role: 'user', content: evil },
      { role: 'assistant', content: evil },
    ],
  });
  const s = await open('/#/dataset');
  try {
    const { page } = s;
    await page
      .locator('[data-testid="file-input"]')
      .setInputFiles({ name: 'evil.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(line + '\n') });
    await page.waitForSelector('[data-testid="record-view"]', { timeout: 30_000 });
    assert.ok((await page.locator('[data-testid="record-view"]').textContent())!.includes(evil));
    await page.keyboard.press('Alt+2');
    await page.waitForSelector('[data-testid="render-0"]', { timeout: 30_000 });
    assert.ok((await page.locator('[data-testid="render-0"]').textContent())!.includes(evil));
    assert.equal(await page.locator('main img, main script, main b:text("bold?")').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
});

test('a file dropped on the page is read; an empty file says so', async () => {
  const s = await open('/#/dataset');
  try {
    const { page } = s;
    const drop = async (name: string, content: string) => {
      const dt = await page.evaluateHandle(
        ([n, c]) => {
          const d = new DataTransfer();
          d.items.add(new File([c], n, { type: 'application/jsonl' }));
          return d;
        },
        [name, content] as const,
      );
      await page.locator('[data-testid="dropzone"]').dispatchEvent('dragover', { dataTransfer: dt });
      await page.locator('[data-testid="dropzone"]').dispatchEvent('drop', { dataTransfer: dt });
    };
    const two = [
      {
        messages: [
          { role: 'user', content: 'one' },
          { role: 'assistant', content: 'uno' },
        ],
      },
      { instruction: 'two', output: 'dos' },
    ];
    await drop('dropped.jsonl', two.map((x) => JSON.stringify(x)).join('\n') + '\n');
    await page.waitForSelector('[data-testid="loaded-file"]:has-text("dropped.jsonl")', { timeout: 30_000 });
    assert.equal(await page.locator('[data-testid="summary-records"]').textContent(), '2');
    assert.equal(await page.locator('[data-testid="summary-valid"]').textContent(), '2');

    await drop('empty.jsonl', '\n\n');
    await page.waitForSelector('[data-testid="loaded-file"]:has-text("empty.jsonl")', { timeout: 30_000 });
    assert.equal(await page.locator('[data-testid="summary-records"]').textContent(), '0');
    assert.equal(
      await page.locator('[data-testid="issues"] li[data-line="0"]').getAttribute('data-code'),
      'empty_file',
    );
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
});

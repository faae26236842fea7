// No silent drops: before training, the Train page measures every record with the chosen model's
// tokenizer, shows the length histogram, and names each record a max_length would drop or cut;
// presets take max_length from the data. The dataset here is the chat sample followed by the
// agent (tool-calling) sample, as one file: the tool-calling records are the long ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { open, ROOT, shot } from './harness.ts';

const chat = readFileSync(join(ROOT, 'public', 'samples', 'chat-en-zh.jsonl'), 'utf8').trimEnd();
const agent = readFileSync(join(ROOT, 'public', 'samples', 'agent-swift.jsonl'), 'utf8').trimEnd();
const mixed = `${chat}\n${agent}\n`;
// Lines of the records that carry tools, read from the file itself.
const toolLines = mixed
  .trimEnd()
  .split('\n')
  .flatMap((l, i) => ('tools' in JSON.parse(l) ? [i + 1] : []));

test('Quick try keeps the tool-calling records; a shorter max_length names each one it drops', async () => {
  const s = await open('/#/dataset');
  try {
    const { page } = s;
    assert.equal(toolLines.length, 8);
    await page
      .locator('[data-testid="file-input"]')
      .setInputFiles({ name: 'mixed.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(mixed) });
    await page.waitForSelector('[data-testid="kept"]', { timeout: 30_000 });
    await page.goto(`${s.url}/#/train`);
    await page.waitForSelector('[data-testid="lengths"][data-state="ready"]', { timeout: 60_000 });
    await page.waitForSelector('[data-testid="check-webgpu"][data-level="ok"]', { timeout: 30_000 });
    assert.equal(await page.locator('[data-testid="preset-quick"]').isChecked(), true);

    // The preset's max_length comes from the data: every record (≥ 99%) trains whole.
    const picked = Number(await page.locator('[data-testid="max-length"]').inputValue());
    assert.equal(picked % 64, 0);
    assert.equal(await page.locator('[data-testid="length-whole"]').textContent(), '18');
    assert.equal(await page.locator('[data-testid="flagged"]').count(), 0);
    assert.equal((await page.locator('[data-testid="length-histogram"] rect').count()) > 3, true);

    // By hand, shorter than every tool-calling record and longer than every chat: each is named.
    await page.locator('[data-testid="max-length"]').fill('576');
    assert.match((await page.locator('[data-testid="settings-origin"]').textContent()) ?? '', /Custom/);
    await page.waitForSelector('[data-testid="flagged"]');
    const rows = page.locator('[data-testid="flagged"] tbody tr');
    const flagged = await rows.evaluateAll((trs) =>
      trs.map((tr) => ({
        line: Number(tr.getAttribute('data-line')),
        action: tr.getAttribute('data-action'),
        tokens: Number(tr.children[1].textContent),
        why: tr.children[3].textContent ?? '',
      })),
    );
    assert.deepEqual(
      flagged.map((f) => f.line),
      toolLines,
    );
    for (const f of flagged) {
      assert.equal(f.action, 'dropped');
      assert.ok(f.tokens > 576, `line ${f.line}: ${f.tokens} tokens`);
      assert.match(f.why, new RegExp(`^${f.tokens} tokens, over max_length 576: dropped`));
    }
    assert.equal(await page.locator('[data-testid="length-dropped"]').textContent(), '8 dropped');
    assert.equal(await page.locator('[data-testid="length-whole"]').textContent(), '10');

    // Keeping their end instead: cut, with the trained tokens each keeps.
    await page.locator('[data-testid="truncation"]').selectOption('left');
    const cut = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-action')));
    assert.deepEqual(
      cut,
      toolLines.map(() => 'truncated_left'),
    );
    assert.match(
      (await rows.first().locator('td').nth(3).textContent()) ?? '',
      /cut to the last 576 .* \d+ of \d+ trained tokens kept/,
    );
    await page.locator('[data-testid="truncation"]').selectOption('delete');
    await page.screenshot({ path: shot('lengths'), fullPage: true });

    // One click back to a length that keeps them all.
    await page.locator('[data-testid="keep-all"]').click();
    assert.equal(await page.locator('[data-testid="flagged"]').count(), 0);

    // A listed line links to the record on the Dataset page.
    await page.locator('[data-testid="max-length"]').fill('576');
    await page.locator('[data-testid="flagged"] a', { hasText: `line ${toolLines[2]}` }).click();
    await page.waitForSelector(`[data-testid="record-view"][data-line="${toolLines[2]}"]`, { timeout: 10_000 });
    assert.equal(await page.locator('[data-testid="record-line"]').textContent(), String(toolLines[2]));
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
});

// Nothing is lost on reload: the dataset (kept in IndexedDB by its SHA-256), the templates
// compared, every Train form setting; and a run resumed after a reload shows its own settings,
// not what the form held.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { open, ROOT, shot } from './harness.ts';

const SAMPLE = join(ROOT, 'public', 'samples', 'chat-en-zh.jsonl');

test('reload keeps the dataset, the templates and every Train setting', async () => {
  const s = await open('/#/dataset');
  try {
    const { page } = s;
    await page.locator('[data-testid="file-input"]').setInputFiles(SAMPLE);
    await page.waitForSelector('[data-testid="kept"]', { timeout: 30_000 });
    const records = await page.locator('[data-testid="summary-records"]').textContent();
    // The file is kept under the SHA-256 of its bytes (computed here by node:crypto).
    const sha = createHash('sha256').update(readFileSync(SAMPLE)).digest('hex');
    assert.equal(JSON.parse(await page.evaluate(() => localStorage.getItem('prism.dataset') ?? 'null')).sha256, sha);

    await page.goto(`${s.url}/#/templates`);
    await page.locator('[data-testid="template-select-1"]').selectOption('mistral_nemo');

    await page.goto(`${s.url}/#/train`);
    await page.waitForSelector('[data-testid="check-fit"]', { timeout: 30_000 });
    await page.locator('label.preset', { hasText: 'Balanced' }).click();
    await page.locator('[data-testid="lr"]').fill('0.0007');
    await page.locator('[data-testid="max-steps"]').fill('17');
    await page.locator('label.field', { hasText: 'LoRA rank' }).locator('input').fill('12');
    await page.locator('label.field', { hasText: 'Schedule' }).locator('select').selectOption('linear');
    await page.locator('label.field', { hasText: 'Seed' }).locator('input').fill('7');
    const form = () =>
      page.evaluate(() =>
        [...document.querySelectorAll('.train-page fieldset.form input, .train-page fieldset.form select')].map((e) =>
          (e as HTMLInputElement).type === 'radio'
            ? String((e as HTMLInputElement).checked)
            : (e as HTMLInputElement).value,
        ),
      );
    const before = await form();

    await page.reload();
    await page.waitForSelector('[data-testid="check-fit"]', { timeout: 30_000 });
    assert.deepEqual(await form(), before, 'every setting on the form is back');
    assert.match((await page.locator('[data-testid="settings-origin"]').textContent()) ?? '', /Custom/);
    assert.match(
      (await page.locator('[data-testid="train-dataset"]').textContent()) ?? '',
      /chat-en-zh\.jsonl · \d+ conversations/,
    );
    await page.screenshot({ path: shot('reload-train'), fullPage: true });

    await page.goto(`${s.url}/#/templates`);
    assert.equal(await page.locator('[data-testid="template-select-1"]').inputValue(), 'mistral_nemo');
    await page.goto(`${s.url}/#/dataset`);
    await page.waitForSelector('[data-testid="kept"]', { timeout: 30_000 });
    assert.equal(await page.locator('[data-testid="summary-records"]').textContent(), records);
    assert.match((await page.locator('[data-testid="loaded-file"]').textContent()) ?? '', /chat-en-zh\.jsonl/);
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
});

test('reload mid-training: the resumed run shows its own settings', async () => {
  const s = await open('/#/dataset');
  try {
    const { page } = s;
    await page.locator('[data-testid="file-input"]').setInputFiles(SAMPLE);
    await page.waitForSelector('[data-testid="kept"]', { timeout: 30_000 });
    await page.goto(`${s.url}/#/train`);
    await page.waitForSelector('[data-testid="check-webgpu"][data-level="ok"]', { timeout: 30_000 });
    await page.locator('[data-testid="max-steps"]').fill('12');
    await page.locator('[data-testid="max-length"]').fill('256');
    await page.locator('[data-testid="lr"]').fill('0.003');
    await page.locator('label.field', { hasText: 'Checkpoint every' }).locator('input').fill('3');
    await page.locator('[data-testid="start"]').click();
    await page.waitForSelector('[data-testid="run-status"][data-checkpoint="3"]', { timeout: 120_000 });
    assert.ok(
      Number(await page.locator('[data-testid="run-status"]').getAttribute('data-step')) < 12,
      'reloaded mid-training',
    );

    await page.reload();
    await page.locator('[data-testid="resume-run"]').first().waitFor({ timeout: 30_000 });
    assert.match(
      (await page.locator('[data-testid="resume-settings"]').first().textContent()) ?? '',
      /12 steps · lr 0\.003 · max_length 256/,
    );
    // Change the form before resuming: the resumed run must still show (and use) its own settings.
    await page.locator('label.preset', { hasText: 'Thorough' }).click();
    assert.equal(await page.locator('[data-testid="max-steps"]').inputValue(), '-1');
    await page.locator('[data-testid="resume-run"]').first().click();
    await page.waitForSelector('[data-testid="run-status"][data-phase="running"]', { timeout: 60_000 });
    assert.equal(await page.locator('[data-testid="max-steps"]').inputValue(), '12');
    assert.equal(await page.locator('[data-testid="lr"]').inputValue(), '0.003');
    assert.match((await page.locator('[data-testid="settings-origin"]').textContent()) ?? '', /settings of run/);
    assert.match(
      (await page.locator('[data-testid="run-settings"]').textContent()) ?? '',
      /12 steps · lr 0\.003 · max_length 256/,
    );
    await page.waitForSelector('[data-testid="run-status"][data-phase="completed"]', { timeout: 150_000 });
    await page.screenshot({ path: shot('reload-resumed'), fullPage: true });
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
});

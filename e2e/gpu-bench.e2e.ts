// The "Benchmark this GPU" page, quick size, on this machine's adapter (SwiftShader here): reached
// from the Train page's adapter line and from the keyboard, run in its worker with the progress
// announced, then every table row carries finite positive numbers (gemm variants' GFLOP/s,
// attention, the step's tokens/s, dispatches and timeline), the autotuner's picks are listed for
// every measured product, "Copy results" puts the Markdown tables on the clipboard, the page fits
// 900 px, and the console stays clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, shot } from './harness.ts';

const finitePositive = (s: string | null) => s !== null && Number.isFinite(Number(s)) && Number(s) > 0;

test('benchmark this GPU: quick run, tables of finite positive numbers, tuner picks, copy', async () => {
  const s = await open('/');
  try {
    const { page } = s;
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.url });
    await page.setViewportSize({ width: 900, height: 800 });
    await page.waitForSelector('[data-testid="gpu-line"][data-state="ready"]', { timeout: 30_000 });
    // The Train page's adapter line links here.
    await page.keyboard.press('Alt+3');
    await page.locator('[data-testid="gpu-bench-link"]').click();
    await page.waitForSelector('.gpu-bench-page h2');
    assert.match(page.url(), /#\/gpu$/);
    // Alt+7 opens the page too; Tab reaches the run button; Enter starts it.
    await page.keyboard.press('Alt+1');
    await page.waitForSelector('[data-testid="gpu-line"]');
    await page.keyboard.press('Alt+7');
    await page.waitForSelector('.gpu-bench-page h2');
    assert.match(page.url(), /#\/gpu$/);
    assert.equal(await page.locator('[data-testid="gpu-bench-quick"]').isChecked(), true);
    let focused = '';
    for (let i = 0; i < 40 && focused !== 'gpu-bench-run'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '');
    }
    assert.equal(focused, 'gpu-bench-run', 'the run button is reachable with Tab');
    await page.keyboard.press('Enter');

    const status = page.locator('[data-testid="gpu-bench-progress"]');
    assert.equal(await status.getAttribute('role'), 'status');
    assert.equal(await status.getAttribute('aria-live'), 'polite');
    await status.locator('progress').waitFor({ timeout: 10_000 });
    await page.waitForSelector('[data-testid="gpu-bench-cancel"]');
    await page.waitForSelector('[data-testid="gpu-bench-done"]', { timeout: 240_000 });
    assert.deepEqual(s.errors, []);
    assert.equal(await page.locator('[data-testid="gpu-bench-error"]').count(), 0);
    assert.equal(await page.locator('[data-testid="gpu-bench-done"]').getAttribute('data-cancelled'), 'no');

    const name = (await page.locator('[data-testid="gpu-bench-adapter-name"]').textContent()) ?? '';
    if (/swiftshader/i.test(name)) await page.locator('[data-testid="gpu-bench-cpu-warning"]').waitFor();

    // Gemm: every measured variant's GFLOP/s finite and positive; 'tiled' runs every shape.
    const rows = page.locator('[data-testid="gemm-row"]');
    assert.ok((await rows.count()) >= 2, 'a row per product');
    const picks: string[] = [];
    for (const row of await rows.all()) {
      const values = await row
        .locator('td[data-gflops]')
        .evaluateAll((tds) => tds.map((t) => t.getAttribute('data-gflops')));
      assert.ok(values.length >= 1);
      for (const v of values) assert.ok(finitePositive(v), `GFLOP/s ${v}`);
      assert.ok(finitePositive(await row.locator('td[data-variant="tiled"]').getAttribute('data-gflops')));
      picks.push(((await row.locator('td').last().textContent()) ?? '').split(' ')[0]);
    }
    const attention = page.locator('[data-testid="attention-row"]');
    assert.equal(await attention.count(), 2);
    for (const a of await attention.all()) assert.ok(finitePositive(await a.getAttribute('data-gflops')));

    assert.ok(
      finitePositive(await page.locator('[data-testid="gpu-bench-tokens-per-second"]').getAttribute('data-value')),
    );
    assert.ok(finitePositive(await page.locator('[data-testid="gpu-bench-dispatches"]').getAttribute('data-value')));
    const timeline = page.locator('[data-testid="timeline-row"]');
    assert.ok((await timeline.count()) >= 1);
    for (const t of await timeline.all()) {
      const ms = Number(await t.getAttribute('data-ms'));
      assert.ok(Number.isFinite(ms) && ms >= 0, `timeline ms ${ms}`);
    }

    // The tuner's picks: one per shape class measured, each a variant the gemm table picked.
    const tuner = page.locator('[data-testid="tuner-pick"]');
    assert.ok((await tuner.count()) >= 1);
    const listed = await tuner.locator('td:first-of-type').allTextContents();
    for (const p of picks) assert.ok(listed.includes(p), `pick ${p} listed among ${listed.join(', ')}`);

    // Copy results: the Markdown tables.
    await page.locator('[data-testid="gpu-bench-copy"]').click();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(copied, /^## Prism: Benchmark this GPU \(quick\)/);
    assert.match(copied, /\| product \| M×N×K \| W \| GFLOP \(2·M·N·K\) \| tiled \|/);
    assert.match(copied, /### LoRA training step/);
    assert.match(copied, /### Autotuner picks/);

    // 900 px: the wide tables scroll inside their cards, the page does not.
    const [scrollWidth, winWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, innerWidth]);
    assert.ok(scrollWidth <= winWidth, `the page is ${scrollWidth} px wide in a ${winWidth} px window`);
    await page.screenshot({ path: shot('gpu-bench'), fullPage: true });

    // Re-tune, cancelled: it stops after the product it is timing, says so, and keeps the step.
    await page.locator('[data-testid="gpu-bench-retune"]').click();
    await page.locator('[data-testid="gpu-bench-cancel"]').click();
    const done = page.locator('[data-testid="gpu-bench-done"]');
    await done.waitFor({ timeout: 120_000 });
    assert.equal(await done.getAttribute('data-cancelled'), 'yes');
    assert.ok((await rows.count()) < picks.length, 'the cancelled re-tune stopped before the last product');
    assert.equal(await page.locator('[data-testid="gpu-bench-train"]').count(), 1);
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
});

// The studio at 900 px wide, every page with a dataset loaded: a screenshot of each into
// test-results/e2e (layout-900-<page>.png); nothing widens the page (the document scrolls no wider
// than the window); every control is inside the window, unless inside its own scroll box; the key
// controls are on top where they are drawn (elementFromPoint: not covered by the sticky top bar
// or a neighbouring card); the Train page's numbered steps read top to bottom in order; and a link
// to a record (#/dataset?line=N) leaves the Records card's header below the sticky bar.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { open, ROOT, shot } from './harness.ts';

const WIDTH = 900;
const SAMPLE = join(ROOT, 'public', 'samples', 'agent-openai.jsonl');

/** Controls drawn (even partly) outside the window that are not in a scroll box of their own. */
async function clipped(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    // No inner functions: the page gets this function's source, without tsx's name helper.
    const out: string[] = [];
    for (const el of document.querySelectorAll('button, select, input, textarea, a, h2, h3, label')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || el.closest('.sr-only')) continue;
      let inScrollBox = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden') inScrollBox = true;
      }
      if ((r.left < -0.5 || r.right > window.innerWidth + 0.5) && !inScrollBox) {
        const text = (el.textContent || (el as HTMLInputElement).value || '').trim().slice(0, 30);
        out.push(`${el.tagName.toLowerCase()} "${text}" at ${Math.round(r.left)}–${Math.round(r.right)}`);
      }
    }
    return out;
  });
}

/** Scrolls the element to the top of the window (as a link to it does) and says whether its centre
 *  is drawn by it (or a child), not by something on top of it. */
async function onTop(page: Page, selector: string): Promise<string> {
  return page
    .locator(selector)
    .first()
    .evaluate((el) => {
      el.scrollIntoView({ block: 'start' });
      const r = el.getBoundingClientRect();
      const x = r.left + Math.min(r.width / 2, 20);
      const y = r.top + r.height / 2;
      const hit = document.elementFromPoint(x, y);
      if (hit && (hit === el || el.contains(hit) || hit.contains(el))) return 'ok';
      return (
        `covered by ${hit ? `${hit.tagName.toLowerCase()}.${hit.className}` : 'nothing'} at ` +
        `(${Math.round(x)}, ${Math.round(y)})`
      );
    });
}

const PAGES: { id: string; ready: string; controls: string[] }[] = [
  {
    id: 'dataset',
    ready: '[data-testid="summary"]',
    controls: [
      '#loader-h',
      '[data-testid="dropzone"] button',
      '#summary-h',
      '#issues-h',
      '#browser-h',
      '[aria-label="Next record"]',
    ],
  },
  {
    id: 'templates',
    ready: '[data-testid="column-0"]',
    controls: [
      '.options',
      '[aria-label="Next record"]',
      '[data-testid="column-0"] select',
      '[data-testid="column-2"] select',
      '#compare-h',
    ],
  },
  {
    id: 'train',
    ready: '[data-testid="start"]',
    controls: [
      '#model-h',
      '[data-testid="model-tiny"]',
      '#cap-h',
      '#form-h',
      '[data-testid="max-steps"]',
      '#len-h',
      '#run-h',
      '[data-testid="start"]',
    ],
  },
  { id: 'adapters', ready: '[data-testid="adapter-list"], .adapters-page h2', controls: ['.adapters-page h2'] },
  { id: 'chat', ready: '.chat-page h2', controls: ['.chat-page h2'] },
  { id: 'evaluate', ready: '.evaluate-page h2', controls: ['.evaluate-page h2'] },
  { id: 'gpu', ready: '.gpu-bench-page h2', controls: ['.gpu-bench-page h2', '[data-testid="gpu-bench-run"]'] },
];

test('every page at 900 px: no horizontal overflow, controls visible and not covered', async () => {
  const s = await open('/#/dataset');
  try {
    const { page } = s;
    await page.setViewportSize({ width: WIDTH, height: 800 });
    // The home view before any data: what the studio does and the adapter in one line.
    await page.waitForSelector('[data-testid="gpu-line"][data-state="ready"]', { timeout: 30_000 });
    assert.match(
      (await page.locator('[data-testid="gpu-line"]').textContent()) ?? '',
      /^WebGPU ready: .+ · max buffer [\d.]+ [KMG]iB · max storage binding/,
    );
    assert.equal(await page.locator('[data-testid="gpu-unsupported"]').count(), 0);
    await page.screenshot({ path: shot('layout-900-home'), fullPage: true });

    await page.locator('[data-testid="file-input"]').setInputFiles(SAMPLE);
    await page.waitForSelector('[data-testid="loaded-file"]', { timeout: 30_000 });
    for (const p of PAGES) {
      await page.goto(`${s.url}/#/${p.id}`);
      await page.waitForSelector(p.ready, { timeout: 30_000 });
      await page.waitForTimeout(300);
      const [scrollWidth, winWidth] = await page.evaluate(() => [
        document.scrollingElement!.scrollWidth,
        window.innerWidth,
      ]);
      assert.ok(scrollWidth <= winWidth, `${p.id}: the page is ${scrollWidth} px wide in a ${winWidth} px window`);
      assert.deepEqual(await clipped(page), [], `${p.id}: controls outside the window`);
      // The top bar: every page link and the theme selector whole, inside the window.
      for (const sel of ['nav a:last-child', '.theme select']) {
        const box = (await page.locator(sel).boundingBox())!;
        assert.ok(box.x >= 0 && box.x + box.width <= winWidth, `${p.id}: ${sel} is clipped (${box.x}+${box.width})`);
      }
      for (const c of p.controls) assert.equal(await onTop(page, c), 'ok', `${p.id}: ${c}`);
      await page.evaluate(() => scrollTo(0, 0));
      await page.screenshot({ path: shot(`layout-900-${p.id}`), fullPage: true });
      if (p.id === 'train') {
        // 1. Model … 5. Train, top to bottom.
        const ys = await page.$$eval('.train-page h2[id]', (hs) =>
          hs.map((h) => [h.textContent ?? '', h.getBoundingClientRect().top] as const),
        );
        const numbered = ys.filter(([t]) => /^\d\./.test(t));
        assert.deepEqual(
          numbered.map(([t]) => t[0]),
          ['1', '2', '3', '4', '5'],
          `steps: ${JSON.stringify(numbered)}`,
        );
        for (let i = 1; i < numbered.length; i++)
          assert.ok(numbered[i]![1] > numbered[i - 1]![1], `"${numbered[i]![0]}" is above "${numbered[i - 1]![0]}"`);
      }
    }

    // A link to a record scrolls the Records card into view with its header below the sticky bar.
    await page.goto(`${s.url}/#/dataset?line=5`);
    await page.waitForFunction(() => document.querySelector('[data-testid="record-line"]')?.textContent === '5');
    await page.waitForTimeout(300);
    const header = await page.evaluate(() => {
      const h = document.querySelector('#browser-h')!.getBoundingClientRect();
      const bar = document.querySelector('.topbar')!.getBoundingClientRect();
      return { top: h.top, barBottom: bar.bottom, scrolled: scrollY };
    });
    assert.ok(header.scrolled > 0, 'the page scrolled to the record');
    assert.ok(
      header.top >= header.barBottom,
      `the Records header (top ${header.top}) is under the top bar (bottom ${header.barBottom})`,
    );
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
});

// The app shell in real Chromium: it loads, its navigation works, and WebGPU gives an adapter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, shot } from './harness.ts';

test('the studio opens with WebGPU and its pages', async () => {
  const s = await open('/');
  try {
    const { page } = s;
    const adapter = await page.evaluate(async () => {
      const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
      if (!gpu) return { ok: false, why: 'no navigator.gpu' };
      const a = await gpu.requestAdapter();
      if (!a) return { ok: false, why: 'requestAdapter returned null' };
      return { ok: true, vendor: a.info.vendor, maxBinding: a.limits.maxStorageBufferBindingSize };
    });
    assert.equal(adapter.ok, true, `WebGPU adapter: ${JSON.stringify(adapter)}`);

    const nav = await page.locator('nav a').allTextContents();
    assert.deepEqual(nav, ['Dataset', 'Templates', 'Train', 'Adapters', 'Chat', 'Evaluate', 'GPU']);

    // The Train page shows the capability check fed by the same adapter.
    await page.keyboard.press('Alt+3');
    await page.waitForSelector('[data-testid="gpu-adapter"]', { timeout: 30_000 });
    assert.match(page.url(), /#\/train$/);
    assert.equal(await page.locator('[data-testid="gpu-unsupported"]').count(), 0);
    await page.screenshot({ path: shot('shell-train'), fullPage: true });
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
});

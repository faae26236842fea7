// The Evaluate page on the demo model: an adapter imported on the Adapters page (no training, to
// keep the test short on a CPU-emulated GPU), evaluated base vs tuned on an uploaded file with
// text answers and a tool call, in the evaluation worker; the summary, each reply side by side,
// the tool-call check, the prompt with its generation prompt, and the bad line named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, shot } from './harness.ts';
import { peftZip } from './peft-zip.ts';

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};
const LINES = [
  {
    messages: [
      { role: 'user', content: 'What is 2+2?' },
      { role: 'assistant', content: 'Four.' },
    ],
  },
  {
    messages: [
      { role: 'user', content: 'Capital of France?' },
      { role: 'assistant', content: 'Paris' },
    ],
  },
  {
    tools: [weatherTool],
    messages: [
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } },
        ],
      },
    ],
  },
].map((l) => JSON.stringify(l));
const FILE = [...LINES, '{oops'].join('\n') + '\n';

test('evaluate base vs tuned on the demo model: text answers and a tool call, side by side', async () => {
  const s = await open('/#/adapters');
  try {
    const { page } = s;
    await page.waitForSelector('[data-testid="adapter-list"]', { state: 'attached' });
    await page
      .locator('[data-testid="import"]')
      .setInputFiles({ name: 'my-adapter.zip', mimeType: 'application/zip', buffer: Buffer.from(await peftZip()) });
    const card = page.locator('[data-testid="adapter"]', { hasText: 'my-adapter' });
    await card.waitFor({ timeout: 10_000 });

    // From the adapter's card to the Evaluate page, the adapter preselected.
    await card.locator('[data-testid="evaluate-link"]').click();
    await page.waitForSelector('[data-testid="eval-run"]');
    assert.match((await page.locator('[data-testid="eval-run"]').textContent()) ?? '', /my-adapter/);
    // An imported adapter has no recorded data: only a file can be evaluated.
    assert.equal(await page.locator('[data-testid="eval-src-split"]').isDisabled(), true);
    await page
      .locator('[data-testid="eval-file"]')
      .setInputFiles({ name: 'questions.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(FILE) });
    assert.equal(await page.locator('[data-testid="eval-src-file"]').isChecked(), true);
    await page.locator('[data-testid="eval-max-tokens"]').fill('4');
    await page.locator('[data-testid="eval-start"]').click();
    await page.waitForSelector('[data-testid="eval-progress"]', { timeout: 10_000 });
    await page.waitForSelector('[data-testid="eval-done"]', { timeout: 300_000 });
    assert.equal(await page.locator('[data-testid="eval-error"]').count(), 0);
    assert.match(
      (await page.locator('[data-testid="eval-source"]').textContent()) ?? '',
      /^3 records from questions\.jsonl, template chatml; tool calls parsed with ms-swift’s hermes parser/,
    );

    for (const metric of ['Exact match', 'Token F1', 'ROUGE-L', 'Tool call parses', 'Right tool', 'Right arguments']) {
      const row = page.locator(`[data-testid="eval-summary"] tr[data-metric="${metric}"]`);
      assert.match((await row.locator('[data-side="base"]').textContent()) ?? '', /^\d+\.\d%$/, metric);
      assert.match((await row.locator('[data-side="tuned"]').textContent()) ?? '', /^\d+\.\d%$/, metric);
    }
    const cases = page.locator('[data-testid="eval-cases"] > li');
    assert.equal(await cases.count(), 3);
    // Every prompt ends with the template's generation prompt; the reference of the call is its JSON.
    const first = cases.first();
    await first.locator('details summary').click();
    assert.match(
      (await first.locator('details pre').textContent()) ?? '',
      /^<\|im_start\|>user\nWhat is 2\+2\?<\|im_end\|>\n<\|im_start\|>assistant\n$/,
    );
    const call = page.locator('[data-testid="eval-cases"] > li[data-line="3"]');
    assert.match((await call.textContent()) ?? '', /\{"name":"get_weather","arguments":\{"city":"Paris"\}\}/);
    assert.match((await call.locator('[data-testid="eval-tuned-tool"]').textContent()) ?? '', /^Tool call: [✓✗] /);
    assert.match((await page.locator('[data-testid="eval-skipped"]').textContent()) ?? '', /line 4: invalid record/);
    assert.equal(await page.locator('.reply script').count(), 0, 'model output is text, never HTML');
    await page.evaluate(() => scrollTo(0, 0));
    await page.screenshot({ path: shot('evaluate'), fullPage: true });
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
});

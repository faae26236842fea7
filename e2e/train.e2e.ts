// The train → adapters → chat flow in Chromium (WebGPU on SwiftShader): load the sample, pick
// the built-in tiny model, pass the capability check, train when this build has a training
// worker (watching the loss fall on the chart and resuming after a reload), then find the
// adapter, download its zip and check it is what PEFT loads, rename/delete/undo, and chat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { gguf } from '@huggingface/gguf';
import { open, ROOT, shot, type Session } from './harness.ts';
import { peftZip } from './peft-zip.ts';

const SAMPLE = join(ROOT, 'public', 'samples', 'chat-en-zh.jsonl');
const HAS_TRAIN_WORKER = existsSync(join(ROOT, 'src', 'workers', 'train.worker.ts'));

function safetensorsHeader(bytes: Uint8Array): Record<string, { dtype: string; shape: number[] }> {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
}

async function loadSample(s: Session) {
  const { page } = s;
  await page.goto(`${s.url}/#/dataset`);
  await page.locator('[data-testid="file-input"]').setInputFiles(SAMPLE);
  await page.waitForSelector('[data-testid="loaded-file"]', { timeout: 30_000 });
}

test('sample to adapter: model, capability check, train with reload and resume, download the zip, chat', async () => {
  const s = await open('/');
  try {
    const { page } = s;
    await loadSample(s);
    await page.keyboard.press('Alt+3');
    await page.waitForSelector('[data-testid="check-fit"]', { timeout: 30_000 });
    assert.match(
      (await page.locator('[data-testid="train-dataset"]').textContent()) ?? '',
      /chat-en-zh\.jsonl · \d+ conversations/,
    );
    assert.equal(
      await page.locator('[data-testid="model-tiny"]').isChecked(),
      true,
      'the tiny demo model is the default',
    );
    await page.waitForSelector('[data-testid="check-webgpu"][data-level="ok"]', { timeout: 30_000 });
    assert.equal(await page.locator('[data-testid="check-fit"]').getAttribute('data-level'), 'ok');
    // Presets set the form; the quick one is the default.
    assert.equal(await page.locator('[data-testid="max-steps"]').inputValue(), '30');
    await page.locator('label.preset', { hasText: 'Balanced' }).click();
    assert.equal(await page.locator('[data-testid="max-steps"]').inputValue(), '-1');
    await page.locator('label.preset', { hasText: 'Quick try' }).click();
    // Hub models show their download size and memory up front.
    const qwen = page.locator('tr', { has: page.locator('[data-testid="model-Qwen/Qwen2.5-0.5B-Instruct"]') });
    assert.match((await qwen.textContent()) ?? '', /988\.1 MB/);
    assert.equal(await page.locator('[data-testid="start"]').isEnabled(), true);
    // Stored models: nothing downloaded in a fresh profile, and it says so.
    await page.locator('[data-testid="cache-panel"] summary').click();
    await page.getByText('No downloaded models are stored').waitFor({ timeout: 10_000 });

    if (HAS_TRAIN_WORKER) {
      await page.locator('[data-testid="max-steps"]').fill('30');
      // Short rows keep the run quick on a CPU-emulated GPU; the longer records are listed, not trained.
      await page.locator('[data-testid="max-length"]').fill('256');
      await page.waitForSelector('[data-testid="flagged"] tr[data-action="dropped"]', { timeout: 60_000 });
      // The tiny model starts from random weights: a higher rate shows learning within 30 steps.
      await page.locator('[data-testid="lr"]').fill('0.003');
      await page.locator('[data-testid="start"]').click();
      const chart = page.locator('[data-testid="loss-chart"]');
      // Pause holds the run between steps; Resume continues it.
      await page.waitForFunction(
        () => Number(document.querySelector('[data-testid="run-status"]')?.getAttribute('data-step')) >= 2,
        null,
        { timeout: 120_000 },
      );
      await page.locator('[data-testid="pause"]').click();
      await page.waitForSelector('[data-testid="run-status"][data-phase="paused"]', { timeout: 30_000 });
      const pausedAt = await page.locator('[data-testid="run-status"]').getAttribute('data-step');
      await page.waitForTimeout(1500);
      assert.equal(
        await page.locator('[data-testid="run-status"]').getAttribute('data-step'),
        pausedAt,
        'no steps while paused',
      );
      await page.locator('[data-testid="resume"]').click();
      await page.waitForSelector('[data-testid="run-status"][data-phase="running"]', { timeout: 30_000 });
      // Reload mid-training, after the first checkpoint: the tab offers to resume from it.
      await page.waitForSelector('[data-testid="run-status"][data-checkpoint="10"]', { timeout: 120_000 });
      const before = Number(await page.locator('[data-testid="run-status"]').getAttribute('data-step'));
      assert.ok(before < 30, 'reloaded mid-training');
      await page.reload();
      await page.locator('[data-testid="resume-run"]').first().click({ timeout: 30_000 });
      await page.waitForSelector('[data-testid="run-status"][data-phase="running"]', { timeout: 60_000 });
      // The first step after a resume compiles every pipeline again: minutes on a loaded CPU-emulated GPU.
      await page.waitForSelector('[data-testid="run-status"][data-phase="completed"]', { timeout: 400_000 });
      assert.equal(
        await chart.getAttribute('data-points'),
        '30',
        'every step is on the chart, before and after the resume',
      );
      const first = Number(await chart.getAttribute('data-first-loss'));
      const last = Number(await chart.getAttribute('data-last-loss'));
      const head = Number(await chart.getAttribute('data-head-mean'));
      const tail = Number(await chart.getAttribute('data-tail-mean'));
      // Uniform guessing over the tiny vocabulary costs ln(542) ≈ 6.30 nats: the start is near it.
      assert.ok(Math.abs(first - Math.log(542)) < 0.5, `first loss ${first} near ln(vocab)`);
      assert.ok(
        tail < head - 0.1,
        `the loss falls: mean of the first 5 steps ${head}, of the last 5 ${tail} (first ${first}, last ${last})`,
      );
    } else {
      // Without the worker the run is refused with a clear message, not a crash.
      await page.locator('[data-testid="start"]').click();
      await page.waitForSelector('[data-testid="run-status"][data-phase="failed"]', { timeout: 10_000 });
      assert.match((await page.locator('.run [role="alert"]').textContent()) ?? '', /no training worker/);
    }
    await page.screenshot({ path: shot('train'), fullPage: true });

    if (HAS_TRAIN_WORKER) {
      // The trained adapter is on the Adapters page; its zip is what PEFT loads.
      await page.keyboard.press('Alt+4');
      const card = page.locator('[data-testid="adapter"]', { hasText: 'chat-en-zh.jsonl' });
      await card.waitFor({ timeout: 10_000 });
      assert.equal(await card.locator('[data-testid="adapter-status"]').textContent(), 'completed');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        card.locator('[data-testid="download"]').click(),
      ]);
      const files = unzipSync(new Uint8Array(readFileSync(await download.path())));
      const header = safetensorsHeader(files['adapter_model.safetensors']);
      const modules = {
        q_proj: ['self_attn', 64, 64],
        k_proj: ['self_attn', 64, 32],
        v_proj: ['self_attn', 64, 32],
        o_proj: ['self_attn', 64, 64],
        gate_proj: ['mlp', 64, 128],
        up_proj: ['mlp', 64, 128],
        down_proj: ['mlp', 128, 64],
      } as const;
      const expected: Record<string, number[]> = {};
      for (const l of [0, 1]) {
        for (const [m, [parent, inF, outF]] of Object.entries(modules)) {
          expected[`base_model.model.model.layers.${l}.${parent}.${m}.lora_A.weight`] = [8, inF];
          expected[`base_model.model.model.layers.${l}.${parent}.${m}.lora_B.weight`] = [outF, 8];
        }
      }
      const shapes = Object.fromEntries(
        Object.entries(header)
          .filter(([k]) => k !== '__metadata__')
          .map(([k, v]) => [k, v.shape]),
      );
      assert.deepEqual(shapes, expected);
      const cfg = JSON.parse(new TextDecoder().decode(files['adapter_config.json']));
      assert.equal(cfg.peft_type, 'LORA');
      assert.equal(cfg.task_type, 'CAUSAL_LM');
      assert.equal(cfg.r, 8);
      assert.equal(cfg.lora_alpha, 32);
      assert.deepEqual([...cfg.target_modules].sort(), Object.keys(modules).sort());
      assert.ok(files['swift_sft.sh'] && files['README.md'], 'the bundle carries the swift command and a README');
      await page.screenshot({ path: shot('adapters'), fullPage: true });

      // Chat with it: the adapter is offered, the prompt rendered with the generation prompt.
      await card.getByText('Chat with it').click();
      await page.waitForSelector('[data-testid="chat-adapter"] option', { state: 'attached' });
      assert.match((await page.locator('[data-testid="chat-adapter"]').textContent()) ?? '', /chat-en-zh/);
      await page.locator('[data-testid="chat-prompt"]').fill('Say hi <script>x</script>');
      await page.locator('details summary').click();
      assert.equal(
        await page.locator('[data-testid="chat-rendered"]').textContent(),
        '<|im_start|>user\nSay hi <script>x</script><|im_end|>\n<|im_start|>assistant\n',
      );
      await page.locator('[data-testid="chat-max-tokens"]').fill('12');
      await page.locator('[data-testid="chat-prompt"]').press('Control+Enter');
      await page.waitForSelector('[data-testid="reply-base"][data-state="done"]', { timeout: 90_000 });
      await page.waitForSelector('[data-testid="reply-adapter"][data-state="done"]', { timeout: 90_000 });
      await page.screenshot({ path: shot('chat'), fullPage: true });
    }
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
});

test('adapters page: import a zip, rename, download PEFT files, undo a delete; chat renders the prompt', async () => {
  const s = await open('/#/adapters');
  try {
    const { page } = s;
    await page.waitForSelector('[data-testid="adapter-list"]', { state: 'attached' });
    await page
      .locator('[data-testid="import"]')
      .setInputFiles({ name: 'my-adapter.zip', mimeType: 'application/zip', buffer: Buffer.from(await peftZip()) });
    const card = page.locator('[data-testid="adapter"]', { hasText: 'my-adapter' });
    await card.waitFor({ timeout: 10_000 });
    assert.equal(await card.locator('[data-testid="adapter-status"]').textContent(), 'imported');

    // Rename with the keyboard.
    await card.locator('[data-testid="rename"]').click();
    await page.locator('[data-testid="rename-input"]').fill('support bot <b>v1</b>');
    await page.keyboard.press('Enter');
    const renamed = page.locator('[data-testid="adapter"]', { hasText: 'support bot <b>v1</b>' });
    await renamed.waitFor({ timeout: 5_000 });
    assert.equal(await page.locator('[data-testid="adapter-name"] b').count(), 0, 'names are text, never HTML');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      renamed.locator('[data-testid="download"]').click(),
    ]);
    const zipPath = await download.path();
    const files = unzipSync(new Uint8Array(readFileSync(zipPath)));
    const header = safetensorsHeader(files['adapter_model.safetensors']);
    const keys = Object.keys(header)
      .filter((k) => k !== '__metadata__')
      .sort();
    assert.deepEqual(
      keys,
      [0, 1]
        .flatMap((l) =>
          ['q_proj', 'v_proj'].flatMap((m) =>
            ['A', 'B'].map((w) => `base_model.model.model.layers.${l}.self_attn.${m}.lora_${w}.weight`),
          ),
        )
        .sort(),
    );
    assert.deepEqual(header['base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight'].shape, [4, 64]);
    assert.deepEqual(header['base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight'].shape, [32, 4]);
    const cfg = JSON.parse(new TextDecoder().decode(files['adapter_config.json']));
    assert.equal(cfg.peft_type, 'LORA');
    assert.equal(cfg.r, 4);
    assert.equal(cfg.lora_alpha, 8);
    assert.deepEqual([...cfg.target_modules].sort(), ['q_proj', 'v_proj']);

    // Exports: the merged model as a stored zip of the Hugging Face folder, and GGUF files (streamed downloads).
    await renamed.locator('[data-testid="exports"] summary').click();
    await renamed.locator('[data-testid="merge-dtype"]').selectOption('BF16');
    const [merged] = await Promise.all([
      page.waitForEvent('download'),
      renamed.locator('[data-testid="merge-zip"]').click(),
    ]);
    const folder = unzipSync(new Uint8Array(readFileSync(await merged.path())));
    assert.deepEqual(Object.keys(folder).sort(), [
      'config.json',
      'generation_config.json',
      'model.safetensors',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    assert.equal(JSON.parse(new TextDecoder().decode(folder['config.json'])).torch_dtype, 'bfloat16');
    const mergedHeader = safetensorsHeader(folder['model.safetensors']);
    assert.equal(mergedHeader['model.layers.0.self_attn.q_proj.weight'].dtype, 'BF16');
    assert.deepEqual(mergedHeader['model.layers.0.self_attn.q_proj.weight'].shape, [64, 64]);
    await renamed.locator('[data-testid="export-done"]').waitFor();
    for (const [id, type, file] of [
      ['gguf-q8_0', 'model', 'q8_0'],
      ['gguf-lora', 'adapter', 'lora'],
    ] as const) {
      const [dl] = await Promise.all([page.waitForEvent('download'), renamed.locator(`[data-testid="${id}"]`).click()]);
      assert.match(dl.suggestedFilename(), new RegExp(`-${file}\\.gguf$`));
      const { metadata } = await gguf(await dl.path(), { allowLocalFile: true });
      assert.equal((metadata as Record<string, unknown>)['general.type'], type);
      assert.equal((metadata as Record<string, unknown>)['general.architecture'], 'llama');
    }
    if (!HAS_TRAIN_WORKER) await page.screenshot({ path: shot('adapters'), fullPage: true });
    await page.locator('.theme select').selectOption('dark');
    await page.screenshot({ path: shot('adapters-dark'), fullPage: true });
    await page.locator('.theme select').selectOption('light');

    // Chat: the adapter is offered and the prompt is rendered with the generation prompt.
    await page.goto(`${s.url}/#/chat`);
    await page.waitForSelector('[data-testid="chat-adapter"] option', { state: 'attached' });
    assert.match((await page.locator('[data-testid="chat-adapter"]').textContent()) ?? '', /support bot/);
    await page.locator('[data-testid="chat-prompt"]').fill('Say hi <script>x</script>');
    await page.locator('details summary').click();
    const rendered = await page.locator('[data-testid="chat-rendered"]').textContent();
    assert.equal(rendered, '<|im_start|>user\nSay hi <script>x</script><|im_end|>\n<|im_start|>assistant\n');
    // Both sides generate on the GPU (greedy, a few tokens) and finish.
    await page.locator('[data-testid="chat-max-tokens"]').fill('6');
    await page.locator('[data-testid="chat-send"]').click();
    await page.waitForSelector('[data-testid="reply-base"][data-state="done"]', { timeout: 90_000 });
    await page.waitForSelector('[data-testid="reply-adapter"][data-state="done"]', { timeout: 90_000 });
    assert.match(
      (await page.locator('[data-testid="reply-adapter-note"]').textContent()) ?? '',
      /\d+ tokens · [\d.]+ tokens\/s/,
    );
    assert.equal(await page.locator('.reply script').count(), 0, 'model output is text, never HTML');
    if (!HAS_TRAIN_WORKER) await page.screenshot({ path: shot('chat'), fullPage: true });

    // Delete asks first, then offers undo.
    await page.goto(`${s.url}/#/adapters`);
    const again = page.locator('[data-testid="adapter"]', { hasText: 'support bot' });
    await again.waitFor();
    page.once('dialog', (d) => void d.dismiss());
    await again.locator('[data-testid="delete"]').click();
    assert.equal(
      await page.locator('[data-testid="adapter"]', { hasText: 'support bot' }).count(),
      1,
      'dismissing the confirmation keeps it',
    );
    page.once('dialog', (d) => void d.accept());
    await again.locator('[data-testid="delete"]').click();
    await page.locator('[data-testid="undo"]').waitFor();
    await page
      .locator('[data-testid="adapter"]', { hasText: 'support bot' })
      .waitFor({ state: 'detached', timeout: 5_000 });
    await page.locator('[data-testid="undo"]').click();
    await page.locator('[data-testid="adapter"]', { hasText: 'support bot' }).waitFor({ timeout: 5_000 });
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
});

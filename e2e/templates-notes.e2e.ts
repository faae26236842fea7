// The Templates page's findings lead somewhere: a built-in column's doctor links ("see the spec
// notes") open that template's notes (the spec's own text) in view; and a .jinja file picked as
// the model's own template renders exactly as Jinja2 renders it (hf_render.py), with GLM-4's
// dropped tool-call turn named and no generation prompt cut inside a token ("assistant|>").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { open, ROOT, shot } from './harness.ts';
import { parseLine } from '../src/data/index.ts';
import { getTemplate } from '../src/templates/index.ts';
import { REFERENCE_DIR, renderOfficial } from '../src/templates/conformance/official.ts';
import { toHFMessages, toHFTools } from '../src/templates/conformance/hf-messages.ts';

const SAMPLE = 'agent-openai.jsonl';
const GLM4_JINJA = join(REFERENCE_DIR, 'THUDM-glm-4-9b-chat.jinja');

test(
  'doctor findings link to the spec notes; a .jinja file as the own template renders as Jinja2 does',
  {
    skip: existsSync(GLM4_JINJA)
      ? false
      : `skipped: ${GLM4_JINJA} is absent (the reference chat templates live in ../shared/reference/)`,
  },
  async () => {
    const firstLine = readFileSync(join(ROOT, 'public', 'samples', SAMPLE), 'utf8').split('\n')[0]!;
    const conv = parseLine(new TextEncoder().encode(firstLine), 1).conversation!;
    const [truth] = await renderOfficial([
      {
        template: readFileSync(GLM4_JINJA, 'utf8'),
        messages: toHFMessages(conv),
        tools: toHFTools(conv),
        add_generation_prompt: false,
      },
    ]);
    if (!truth || 'error' in truth) throw new Error(`Jinja2 refused: ${JSON.stringify(truth)}`);

    const s = await open('/#/dataset');
    try {
      const { page } = s;
      await page.locator(`[data-sample="${SAMPLE}"]`).click();
      await page.waitForSelector('[data-testid="loaded-file"]', { timeout: 30_000 });
      await page.keyboard.press('Alt+2');
      await page.waitForSelector('[data-testid="columns"]');
      await page.locator('[data-testid="template-select-0"]').selectOption('glm4');

      // GLM-4's finding says "see the spec notes": the link opens glm4's notes, in view, on top.
      const finding = page.locator('[data-testid="doctor-0"] li[data-code="tool_calls_native"]');
      await finding.waitFor({ timeout: 10_000 });
      assert.match((await finding.textContent()) ?? '', /see the spec notes/);
      assert.equal(
        await page.locator('[data-testid="spec-notes-0"]').evaluate((d) => (d as HTMLDetailsElement).open),
        false,
      );
      await finding.locator('[data-testid="notes-link-0"]').click();
      const notes = page.locator('[data-testid="spec-notes-text-0"]');
      await notes.waitFor({ state: 'visible', timeout: 5_000 });
      assert.equal(await notes.textContent(), getTemplate('glm4').notes);
      const onTop = await page.locator('[data-testid="spec-notes-0"] summary').evaluate((el) => {
        const r = el.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + 10, r.top + r.height / 2);
        return r.top >= 0 && r.bottom <= innerHeight && !!hit && (hit === el || el.contains(hit));
      });
      assert.equal(onTop, true, 'the notes are in view and not covered');
      // Every other finding of a built-in column links to the notes too.
      const findings = await page.locator('[data-testid^="doctor-"] li').count();
      const links = await page.locator('[data-testid^="doctor-"] li [data-testid^="notes-link-"]').count();
      assert.equal(links, findings);

      // The model's own template from a .jinja file.
      const own = 3;
      await page.locator('[data-testid="add-own-template"]').click();
      await page.locator(`[data-testid="own-kind-jinja-${own}"]`).check();
      await page.locator(`[data-testid="own-jinja-${own}"]`).setInputFiles(GLM4_JINJA);
      await page.locator(`[data-testid="own-apply-${own}"]`).click();
      await page.waitForSelector(`[data-testid="render-${own}"]`);
      assert.equal(
        await page.locator(`[data-testid="own-source-${own}"]`).textContent(),
        'Jinja file: THUDM-glm-4-9b-chat.jinja',
      );
      const text = await page
        .locator(`[data-testid="render-${own}"] [data-start]`)
        .evaluateAll((els) => els.map((e) => e.textContent ?? '').join(''));
      assert.equal(text, truth.text, 'the own column renders as Jinja2');
      const doctor = (await page.locator(`[data-testid="doctor-${own}"]`).textContent()) ?? '';
      assert.match(
        doctor,
        new RegExp(
          /message_not_rendered: the template writes nothing for messages\[1\] \(assistant\): /.source +
            /its 2 tool calls are not in the prompt/.source,
        ),
      );
      assert.doesNotMatch(doctor, /"assistant\|>"/);
      assert.equal(await page.locator(`[data-testid="approx-${own}"]`).count(), 0, 'the spans are exact');
      await page.screenshot({ path: shot('templates-notes-jinja'), fullPage: true });
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  },
);

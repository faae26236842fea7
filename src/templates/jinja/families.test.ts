// The "model's own template" mode on the 2025-26 families' official templates, against real
// Jinja2 (hf_render.py) over the corpus: text byte-identical, or the same refusal. Where
// @huggingface/jinja 0.5.11 itself differs from Jinja2 the case is listed below with the reason;
// a listed case must still differ (so the list shrinks when the library catches up), and the
// built-in templates render every one of them exactly (families.conformance.test.ts).
import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../data/types.ts';
import { corpus } from '../conformance/corpus.ts';
import { familyReferences } from '../conformance/families.ts';
import {
  loadReferenceTemplate,
  officialJob,
  referenceDirExists,
  renderOfficial,
  type OfficialJob,
} from '../conformance/official.ts';
import { renderWithJinja } from './render.ts';

const hasCalls = (c: Conversation) => c.messages.some((m) => m.tool_calls?.length);
const hasTools = (c: Conversation) => !!c.tools?.length;
const callValue = (c: Conversation, test: (v: unknown) => boolean) =>
  c.messages.some((m) =>
    m.tool_calls?.some(
      (t) => typeof t.arguments === 'object' && t.arguments !== null && Object.values(t.arguments).some(test),
    ),
  );

/** @huggingface/jinja 0.5.11 against Jinja2, per family: which cases differ and why. */
const KNOWN: Record<string, { reason: string; when: (c: Conversation) => boolean }> = {
  qwen3_5: {
    reason: "`None | string` is an error (Jinja2 prints 'None')",
    when: (c) => callValue(c, (v) => v === null),
  },
  qwen3_coder: {
    reason: "`None | string` is an error (Jinja2 prints 'None')",
    when: (c) => callValue(c, (v) => v === null),
  },
  gemma4: { reason: "None prints as '' (Jinja2 prints 'None')", when: (c) => callValue(c, (v) => v === null) },
  seed_oss: {
    reason: 'a dict literal with integer keys ({0: 0, 512: 128, …}) is refused ("Object keys must be strings")',
    when: () => true,
  },
  minicpm5: { reason: 'the `min` filter does not exist', when: hasCalls },
  hermes3: {
    reason:
      'indexing a dict with an undefined key is an error (Jinja2 gives Undefined): parameters without a type, ' +
      'arrays',
    when: (c) =>
      hasTools(c) &&
      (c.tools ?? []).some(
        (t) => JSON.stringify(t).includes('"array"') || JSON.stringify(t.function.parameters ?? {}).includes('"items"'),
      ),
  },
  kimi_k2: { reason: 'list.append / pop inside a namespace do not change the list', when: hasCalls },
};

describe.skipIf(!referenceDirExists())("the model's own template on the 2025-26 families vs real Jinja2", () => {
  it('renders every corpus case as Jinja2 does, except the library divergences listed', async () => {
    const jobs: OfficialJob[] = [];
    const meta: { family: string; caseId: string; template: string }[] = [];
    for (const [family, ref] of Object.entries(familyReferences)) {
      const tools = loadReferenceTemplate(ref.file!)!;
      for (const c of corpus) {
        const template = ref.withoutTools && !c.conversation.tools?.length ? ref.withoutTools.template : tools;
        jobs.push({
          ...officialJob({ ...ref, template }, c.conversation, c.addGenerationPrompt),
          ...(ref.now ? { now: ref.now } : {}),
          ...(ref.sandbox ? { sandbox: ref.sandbox } : {}),
        });
        meta.push({ family, caseId: c.id, template });
      }
    }
    const official = await renderOfficial(jobs);
    const failures: string[] = [];
    const counts = new Map<string, { identical: number; refusedBoth: number; known: number }>();
    official.forEach((res, i) => {
      const { family, caseId, template } = meta[i]!;
      const ref = familyReferences[family]!;
      const c = corpus.find((x) => x.id === caseId)!;
      const n = counts.get(family) ?? { identical: 0, refusedBoth: 0, known: 0 };
      counts.set(family, n);
      let ours: { text: string } | { error: string };
      try {
        // strftime_now frozen to the Jinja2 job's date (the jinja mode's `today`).
        ours = renderWithJinja(template, c.conversation, {
          addGenerationPrompt: c.addGenerationPrompt,
          specialTokens: ref.specialTokens,
          messagesOptions: ref.messagesOptions,
          ...(ref.now ? { today: ref.now } : {}),
        });
      } catch (e) {
        ours = { error: (e as Error).message };
      }
      const same =
        'error' in res ? 'error' in ours && ours.error === res.error : 'text' in ours && ours.text === res.text;
      const known = KNOWN[family]?.when(c.conversation);
      if (known) {
        n.known++;
        if (same)
          failures.push(
            `${family}/${caseId}: listed as a @huggingface/jinja divergence (${KNOWN[family]!.reason}) but renders ` +
              `as Jinja2 does: take it off the list`,
          );
        return;
      }
      if (same) {
        if ('error' in res) n.refusedBoth++;
        else n.identical++;
      } else
        failures.push(
          `${family}/${caseId}: ${'error' in res ? `Jinja2 refuses (${res.error})` : 'Jinja2 renders'}, ` +
            `ours ${'error' in ours ? `refuses (${ours.error})` : 'renders other text'}`,
        );
    });
    for (const [family, n] of counts) {
      console.log(
        `jinja mode ${family}: ${n.identical} identical, ${n.refusedBoth} refused by both, ${n.known} known library ` +
          `divergences${n.known ? ` (${KNOWN[family]!.reason})` : ''}`,
      );
    }
    expect(failures, failures.slice(0, 10).join('\n')).toEqual([]);
  });
});

// The 2025-26 families (issue 14) against their OFFICIAL chat templates run by real Jinja2
// (hf_render.py, set up as transformers' apply_chat_template), on the conformance corpus plus the
// edge cases of conformance.test.ts. Per family it counts: identical, refused by both with the same
// reason, rendered by us where the official template refuses (with a warning saying why),
// identical given the equivalent input (a warning names each rewrite), and documented deviations.
import { describe, expect, it } from 'vitest';
import type { Conversation } from '../data/types.ts';
import { corpus, type CorpusCase } from './conformance/corpus.ts';
import { familyReferences, officialInput, type FamilyReference } from './conformance/families.ts';
import {
  loadReferenceTemplate,
  officialJob,
  referenceDirExists,
  renderOfficial,
  type OfficialJob,
} from './conformance/official.ts';
import { render, TemplateError, type RenderOptions } from './render.ts';
import { getTemplate } from './specs.ts';
import type { Rendered } from './types.ts';

const src = { format: 'messages' as const, line: 1 };
const u = (content: string) => ({ role: 'user' as const, content });
const a = (content: string, extra: Record<string, unknown> = {}) => ({ role: 'assistant' as const, content, ...extra });
const weather = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather "now"',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};

/** Edge cases of our own (as in conformance.test.ts) plus ones these templates branch on. */
const extraCases: CorpusCase[] = (
  [
    ['x_py_whitespace', { messages: [u('\u001c\u0085 hi \ufeff'), a('\u00a0ok\u001f')] }],
    ['x_repeated_user', { system: 'S', tools: [weather], messages: [u('same'), a('one'), u('same')] }],
    ['x_empty_system', { system: '', messages: [u('hi'), a('yo')] }],
    ['x_assistant_first', { messages: [a('I start.'), u('ok'), a('fine')] }],
    [
      'x_user_tool_response',
      {
        messages: [
          u('q'),
          a('a1', { reasoning_content: 'r1' }),
          u('<tool_response>\nx\n</tool_response>'),
          a('a2', { reasoning_content: 'r2' }),
        ],
      },
    ],
    ['x_empty_user', { messages: [u(''), a('hm'), u('  '), a('ok')] }],
    ['x_half_think', { messages: [u('q'), a('<think>\nunfinished'), u('q2'), a('x</think>y')] }],
    ['x_empty_reasoning', { messages: [u('q'), a('\n\nanswer', { reasoning_content: '' })] }],
    ['x_jinja_like', { system: '{{ bos_token }} {% if %}', messages: [u('{{ messages }}'), a('{% endfor %}')] }],
    ['x_empty_assistant', { messages: [u('q'), a('')] }],
    ['x_only_assistant', { messages: [a('alone')] }],
    ['x_no_messages', { system: 'only a system prompt', messages: [] }],
    [
      'x_reasoning_on_call',
      {
        tools: [weather],
        messages: [
          u('w?'),
          {
            role: 'assistant',
            content: ' ',
            reasoning_content: 'need weather',
            tool_calls: [{ id: 'abcdefghi', name: 'get_weather', arguments: { city: 'x' } }],
          },
          { role: 'tool', content: ' r ', tool_call_id: 'abcdefghi' },
          a('done', { reasoning_content: 'have it' }),
        ],
      },
    ],
  ] as [string, object][]
).map(([id, c]) => ({
  id,
  description: id,
  conversation: { source: src, ...c } as Conversation,
  addGenerationPrompt: false,
  tags: ['extra'],
}));

const cases = [...corpus, ...extraCases];

interface Counts {
  /** Cases transformers' immutable sandbox refuses (the family is compared in the mutable one). */
  refusedByTransformers?: number;
  identical: number;
  refusedBoth: number;
  renderedWhereRefused: number;
  equivalent: number;
  deviations: string[];
}

interface Planned {
  family: string;
  variant: string;
  c: CorpusCase;
  ours: Rendered | { error: string };
  /** The official template was given the equivalent input (a warning names the rewrite). */
  equivalent: boolean;
}

function job(
  ref: FamilyReference & { template: string },
  conv: Conversation,
  gen: boolean,
  extra: Record<string, unknown>,
): OfficialJob {
  // transformers picks a `tool_use` template only when tools are given.
  const template = ref.withoutTools && !conv.tools?.length ? ref.withoutTools.template : ref.template;
  return {
    ...officialJob({ ...ref, template }, conv, gen, extra),
    ...(ref.now ? { now: ref.now } : {}),
    ...(ref.sandbox ? { sandbox: ref.sandbox } : {}),
  };
}

function plan(): { planned: Planned[]; jobs: OfficialJob[] } {
  const planned: Planned[] = [];
  const jobs: OfficialJob[] = [];
  for (const [family, r] of Object.entries(familyReferences)) {
    const template = r.file ? loadReferenceTemplate(r.file) : undefined;
    if (template === undefined) throw new Error(`${family}: reference ${r.file} missing`);
    const ref = { ...r, template };
    const spec = getTemplate(r.templateId);
    const variants = [
      { name: '', extra: {}, options: {} as Partial<RenderOptions>, generationOnly: false },
      ...(r.variants ?? []),
    ];
    for (const v of variants) {
      for (const c of cases) {
        if (v.generationOnly && !c.addGenerationPrompt) continue;
        let ours: Planned['ours'];
        try {
          ours = render(spec, c.conversation, {
            addGenerationPrompt: c.addGenerationPrompt,
            ...(r.now ? { today: r.now } : {}),
            ...v.options,
          });
        } catch (e) {
          if (!(e instanceof TemplateError)) throw e;
          ours = { error: e.message };
        }
        const input = officialInput(r, ours, c.conversation);
        planned.push({ family, variant: v.name, c, ours, equivalent: input !== c.conversation });
        jobs.push(job(ref, input, c.addGenerationPrompt, v.extra));
      }
    }
  }
  return { planned, jobs };
}

/** Our text without the spans added for training (stop markers the official template does not write). */
const official = (r: Rendered) =>
  r.spans
    .filter((s) => !s.added)
    .map((s) => r.text.slice(s.start, s.end))
    .join('');

describe.skipIf(!referenceDirExists())('2025-26 families match their official Jinja2 rendering', () => {
  it('renders every corpus case byte-identical to the official template (or refuses with its reason)', async () => {
    const { planned, jobs } = plan();
    const results = await renderOfficial(jobs);
    const counts = new Map<string, Counts>();
    const failures: string[] = [];
    planned.forEach((p, i) => {
      const r = results[i]!;
      const key = p.family;
      const n = counts.get(key) ?? {
        identical: 0,
        refusedBoth: 0,
        renderedWhereRefused: 0,
        equivalent: 0,
        deviations: [],
      };
      counts.set(key, n);
      const where = `${p.family}${p.variant ? '@' + p.variant : ''} / ${p.c.id}`;
      if ('error' in r) {
        if ('error' in p.ours) {
          if (p.ours.error === r.error) n.refusedBoth++;
          else failures.push(`${where}: we refuse with "${p.ours.error}", official with "${r.error}"`);
        } else if (p.ours.warnings.length === 0)
          failures.push(`${where}: official refuses ("${r.error}") and we render without a warning`);
        else n.renderedWhereRefused++;
        return;
      }
      if ('error' in p.ours) {
        failures.push(`${where}: official renders, we refuse: ${p.ours.error}`);
        return;
      }
      const kept = p.ours.warnings.some((w) => w.code === 'reasoning_kept');
      const ref = familyReferences[p.family]!;
      if (kept && !ref.withoutKeptReasoning)
        throw new Error(`${p.family} warns reasoning_kept but its reference has no withoutKeptReasoning`);
      const text = kept ? ref.withoutKeptReasoning!(official(p.ours), p.c.conversation) : official(p.ours);
      if (text === r.text) {
        if (p.equivalent || kept) n.equivalent++;
        else n.identical++;
      } else if (ref.deviation && ref.deviation.normalize(text) === ref.deviation.normalize(r.text)) {
        n.deviations.push(`${p.variant ? p.variant + ' ' : ''}${p.c.id} (${ref.deviation.reason})`);
      } else {
        let k = 0;
        while (k < text.length && text[k] === r.text[k]) k++;
        failures.push(
          `${where} [${p.ours.warnings.map((w) => w.code).join(',')}] differs ` +
            `at ${k}\n  official: ${JSON.stringify(r.text.slice(Math.max(0, k - 60), k + 80))}\n` +
            `  ours:     ${JSON.stringify(text.slice(Math.max(0, k - 60), k + 80))}`,
        );
      }
    });
    // Families compared in Jinja2's mutable sandbox: where transformers' immutable one refuses, we must say so.
    const immutable = planned.map((p, i) => ({ p, job: jobs[i]! })).filter(({ job }) => job.sandbox === 'mutable');
    const strict = await renderOfficial(immutable.map(({ job }) => ({ ...job, sandbox: undefined })));
    immutable.forEach(({ p }, i) => {
      const r = strict[i]!;
      if (!('error' in r) || 'error' in p.ours) return;
      const n = counts.get(p.family)!;
      n.refusedByTransformers = (n.refusedByTransformers ?? 0) + 1;
      if (!p.ours.warnings.some((w) => w.code === 'template_mutates_lists')) {
        failures.push(
          `${p.family} / ${p.c.id}: transformers' sandbox refuses ("${r.error}") and we render ` +
            `without template_mutates_lists`,
        );
      }
    });
    for (const [family, n] of counts) {
      console.log(
        `families conformance ${family}: ${n.identical} identical, ${n.refusedBoth} ` +
          `refused with the official reason, ` +
          `${n.renderedWhereRefused} rendered where the official template refuses (with a ` +
          `warning), ${n.equivalent} identical given the ` +
          `equivalent input, ${n.deviations.length} documented ` +
          `deviations${n.deviations.length ? ': ' + n.deviations.join('; ') : ''}` +
          (n.refusedByTransformers
            ? ` (${n.refusedByTransformers} of them refused by transformers' immutable sandbox: list.append)`
            : ''),
      );
    }
    expect(failures, failures.slice(0, 8).join('\n')).toEqual([]);
  });
});

// The official defaults of the 2025-26 families' template variables (spec.vars, listed by
// `prism templates` and the Templates page), against real Jinja2 (hf_render.py): rendering with
// no option must equal the OFFICIAL template given the declared default explicitly, and the
// declared value must be one the template reads (giving the other value changes the text).
// "the current date": no `today` on our side and strftime_now unfrozen on Jinja2's.
import { describe, expect, it } from 'vitest';
import { corpus } from './conformance/corpus.ts';
import type { Conversation } from '../data/types.ts';
import { familyReferences, officialInput } from './conformance/families.ts';
import {
  loadReferenceTemplate,
  officialJob,
  referenceDirExists,
  renderOfficial,
  type OfficialJob,
} from './conformance/official.ts';
import { familySpecs } from './family-specs.ts';
import { render, TemplateError, type RenderOptions } from './render.ts';
import { getTemplate } from './specs.ts';
import type { Rendered } from './types.ts';

/** The 16 ids of issue 14's table (independent of the code's own list). */
const ISSUE_14 = [
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
];

/** The declared default as the value a caller passes to the template; undefined: "not passed". */
function value(name: string, text: string): unknown {
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^-?\d+$/.test(text)) return Number(text);
  if (name === 'reasoning_effort' || name === 'model_identity') return text;
  return undefined;
}

/** The other value of a boolean (or a budget), to show the template reads the variable. */
const other = (v: unknown): unknown =>
  typeof v === 'boolean' ? !v : typeof v === 'number' ? 0 : v === 'medium' ? 'low' : 'You are Prism.';

/** Our render option for a variable (enable_thinking and today have their own). */
const option = (name: string, v: unknown): Partial<RenderOptions> =>
  name === 'enable_thinking' ? { enableThinking: v as boolean } : { vars: { [name]: v } };

const official = (r: Rendered) =>
  r.spans
    .filter((s) => !s.added)
    .map((s) => r.text.slice(s.start, s.end))
    .join('');

describe('template variables of the 2025-26 families', () => {
  it('every family of issue 14 declares the variables its official template reads', () => {
    expect(familySpecs.map((s) => s.id).sort()).toEqual([...ISSUE_14].sort());
    // Variables named in the official templates (read off the reference files).
    const declared = Object.fromEntries(familySpecs.map((s) => [s.id, (s.vars ?? []).map((v) => v.name).sort()]));
    expect(declared).toMatchObject({
      qwen3_5: ['enable_thinking'],
      minicpm5: ['enable_thinking'],
      smollm3: ['enable_thinking'],
      gemma4: ['enable_thinking'],
      glm4_5: ['enable_thinking'],
      glm4_7: ['clear_thinking', 'enable_thinking'],
      deepseek_v3_1: ['enable_thinking'],
      seed_oss: ['thinking_budget'],
      lfm2_5: ['keep_past_thinking'],
      granite3_3: ['thinking', 'today'],
      mistral_small: ['today'],
      gpt_oss: ['builtin_tools', 'model_identity', 'reasoning_effort', 'today'],
    });
  });
});

describe.skipIf(!referenceDirExists())('template variable defaults vs the official templates (real Jinja2)', () => {
  it('rendering without the variable equals the official template given its declared default', async () => {
    interface Planned {
      where: string;
      ours: string | { error: string };
      kind: 'default' | 'other' | 'today';
      /** The family's documented deviation (families.ts), applied to both texts before comparing. */
      normalize?: (t: string) => string;
    }
    const planned: Planned[] = [];
    const jobs: OfficialJob[] = [];
    const tried = new Set<string>();
    for (const spec of familySpecs) {
      const ref = Object.values(familyReferences).find((r) => r.templateId === spec.id)!;
      const template = loadReferenceTemplate(ref.file!)!;
      for (const decl of spec.vars ?? []) {
        const v = decl.name === 'today' ? undefined : value(decl.name, decl.default);
        if (decl.name !== 'today' && v === undefined) continue;
        tried.add(`${spec.id}.${decl.name}`);
        for (const c of corpus) {
          // hermes3's tool_use file is picked only with tools (transformers' rule); the variables are elsewhere.
          if (ref.withoutTools && !c.conversation.tools?.length) continue;
          const date = ref.now && decl.name !== 'today' ? { today: ref.now } : {};
          // Our text, and the input the official template is given for it (the record or its equivalent).
          const ours = (opts: Partial<RenderOptions>): { text: string | { error: string }; input: Conversation } => {
            let r: Rendered;
            try {
              const o = { addGenerationPrompt: c.addGenerationPrompt, ...date, ...opts };
              r = render(getTemplate(spec.id), c.conversation, o);
            } catch (e) {
              if (!(e instanceof TemplateError)) throw e;
              return { text: { error: e.message }, input: c.conversation };
            }
            const kept = r.warnings.some((w) => w.code === 'reasoning_kept');
            const text = kept ? ref.withoutKeptReasoning!(official(r), c.conversation) : official(r);
            return { text, input: officialInput(ref, r, c.conversation) };
          };
          const job = (input: Conversation, extra: Record<string, unknown>): OfficialJob => ({
            ...officialJob({ ...ref, template }, input, c.addGenerationPrompt, extra),
            ...(ref.now && decl.name !== 'today' ? { now: ref.now } : {}),
            ...(ref.sandbox ? { sandbox: ref.sandbox } : {}),
          });
          const where = `${spec.id}.${decl.name} / ${c.id}`;
          if (decl.name === 'today') {
            const o = ours({});
            planned.push({ where, ours: o.text, kind: 'today', normalize: ref.deviation?.normalize });
            jobs.push(job(o.input, {}));
            continue;
          }
          const d = ours({});
          planned.push({ where, ours: d.text, kind: 'default', normalize: ref.deviation?.normalize });
          jobs.push(job(d.input, { [decl.name]: v }));
          // The other value, given to both sides: equal again, and somewhere different from the default.
          const o = ours(option(decl.name, other(v)));
          planned.push({
            where: where + ' (other value)',
            ours: o.text,
            kind: 'other',
            normalize: ref.deviation?.normalize,
          });
          jobs.push(job(o.input, { [decl.name]: other(v) }));
        }
      }
    }
    // Every declared variable with a concrete default is checked (builtin_tools' "none" is "not passed").
    expect([...tried].sort()).toEqual([
      'deepseek_v3_1.enable_thinking',
      'gemma4.enable_thinking',
      'glm4_7.clear_thinking',
      'glm4_7.enable_thinking',
      'gpt_oss.model_identity',
      'gpt_oss.reasoning_effort',
      'gpt_oss.today',
      'granite3_3.thinking',
      'granite3_3.today',
      'lfm2_5.keep_past_thinking',
      'mistral_small.today',
      'qwen3_5.enable_thinking',
      'seed_oss.thinking_budget',
      'smollm3.enable_thinking',
    ]);
    const results = await renderOfficial(jobs);
    const failures: string[] = [];
    const changed = new Map<string, number>();
    planned.forEach((p, i) => {
      const r = results[i]!;
      const theirs = 'error' in r ? { error: r.error } : r.text;
      const norm = (x: string | { error: string }) => (typeof x === 'string' && p.normalize ? p.normalize(x) : x);
      if (JSON.stringify(norm(p.ours)) !== JSON.stringify(norm(theirs))) {
        const show = (x: unknown) => JSON.stringify(x).slice(0, 200);
        failures.push(`${p.where}: ours ${show(p.ours)}\n  official ${show(theirs)}`);
      }
      if (p.kind === 'other') {
        const key = p.where.split(' / ')[0]!;
        const def = planned[i - 1]!;
        changed.set(key, (changed.get(key) ?? 0) + (JSON.stringify(def.ours) !== JSON.stringify(p.ours) ? 1 : 0));
      }
    });
    expect(failures, failures.slice(0, 6).join('\n')).toEqual([]);
    // Each variable changes the text of some corpus case (the template reads it).
    for (const [key, n] of changed) expect(n, key).toBeGreaterThan(0);
  });
});

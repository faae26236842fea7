// The worker's per-column tallies must agree with `prism render --json` over a whole sample: the
// same records refused, the same warning codes, the same characters trained. A model's own
// template gets the same tallies: the official Qwen2.5 chat_template (rendered by @huggingface/
// jinja) must add up exactly as `prism render --template qwen2_5` (whose text is conformance-tested
// against real Jinja2), and refusals, their reasons and approximate spans are counted from what the
// records contain.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../data/index.ts';
import { readDataset } from '../../data/index.ts';
import type { OwnTemplateSource } from './own-template.ts';
import { addOwnRecord, addRecord, emptyRenderStats, MAX_REASONS, OTHER_REASON, topReason } from './render-stats.ts';
import type { RenderChoices } from './render-column.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const sample = (name: string) => join(ROOT, 'public', 'samples', name);
const FILE = sample('agent-openai.jsonl');
const QWEN25_JINJA = join(ROOT, '..', 'shared', 'reference', 'chat_templates', 'Qwen-Qwen2.5-7B-Instruct.jinja');

type CliRow = {
  text?: string;
  spans?: { start: number; end: number; trainable: boolean }[];
  warnings?: { code: string }[];
  error?: string;
};

function cli(template: string, file = FILE, extra: string[] = []): CliRow[] {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      './src/cli/register.mjs',
      'src/cli/main.ts',
      'render',
      '--template',
      template,
      file,
      ...extra,
      '--json',
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as CliRow);
}

async function conversations(file: string): Promise<Conversation[]> {
  const out: Conversation[] = [];
  for await (const r of readDataset(new Blob([readFileSync(file)]))) if (r.conversation) out.push(r.conversation);
  return out;
}

const CHOICES: RenderChoices = {
  lossPolicy: 'all_assistant',
  lastRoundBoundary: 'user_or_tool',
  date: '',
  enableThinking: true,
  trainEmptyThink: false,
  addGenerationPrompt: false,
  maxLength: 2048,
  agentTemplate: 'native',
};
const pasted = (chatTemplate: string, specialTokens: Record<string, string | null> = {}): OwnTemplateSource => ({
  kind: 'paste',
  label: 'pasted',
  chatTemplate,
  specialTokens,
  addedSpecial: [],
});

describe('render stats', () => {
  for (const id of ['qwen3', 'llama3_2', 'mistral'] as const) {
    it(`agree record by record with prism render for ${id}`, async () => {
      const rows = cli(id);
      const total = emptyRenderStats();
      let n = 0;
      for await (const r of readDataset(new Blob([readFileSync(FILE)]))) {
        if (!r.conversation) continue;
        const row = rows[n++];
        const one = emptyRenderStats();
        addRecord(one, id, r.conversation, {});
        addRecord(total, id, r.conversation, {});
        if (row.error !== undefined) {
          expect(one.refused).toBe(1);
          expect(one.warnings.template_refused).toBe(1);
          // The CLI names the template before the template's own message.
          const [reason] = Object.keys(one.reasons);
          expect(reason && row.error.endsWith(reason)).toBe(true);
          continue;
        }
        const codes: Record<string, number> = {};
        for (const w of row.warnings!) codes[w.code] = (codes[w.code] ?? 0) + 1;
        expect(one.warnings).toEqual(codes);
        expect(one.chars).toBe(row.text!.length);
        expect(one.trainedChars).toBe(row.spans!.filter((x) => x.trainable).reduce((b, x) => b + x.end - x.start, 0));
        expect(one.approximate).toBe(0);
      }
      expect(n).toBe(rows.length);
      expect(total.records).toBe(rows.length);
      expect(total.refused).toBe(rows.filter((r) => r.error !== undefined).length);
    });
  }
});

describe("render stats of a model's own template", () => {
  const cases = [
    ['chat-en-zh.jsonl', 'all_assistant'],
    ['agent-openai.jsonl', 'last_round'],
  ] as const;
  for (const [file, loss] of cases) {
    it.skipIf(!existsSync(QWEN25_JINJA))(
      `the official Qwen2.5 template adds up as prism render --template qwen2_5 (${file}, ${loss})`,
      async () => {
        const rows = cli('qwen2_5', sample(file), ['--loss', loss]);
        const convs = await conversations(sample(file));
        expect(convs.length).toBe(rows.length);
        const src = pasted(readFileSync(QWEN25_JINJA, 'utf8'), { eos_token: '<|im_end|>' });
        const s = emptyRenderStats();
        for (const c of convs) addOwnRecord(s, src, c, { ...CHOICES, lossPolicy: loss });
        const ok = rows.filter((r) => r.text !== undefined);
        expect(s.records).toBe(rows.length);
        expect(s.refused).toBe(rows.length - ok.length);
        expect(s.chars).toBe(ok.reduce((a, r) => a + r.text!.length, 0));
        expect(s.maxChars).toBe(Math.max(...ok.map((r) => r.text!.length)));
        expect(s.trainedChars).toBe(
          ok.reduce((a, r) => a + r.spans!.filter((x) => x.trainable).reduce((b, x) => b + x.end - x.start, 0), 0),
        );
        expect(s.trainedChars).toBeGreaterThan(0);
        // Qwen2.5 joins consecutive tool results into one user turn and closes it only after the
        // last, so exactly the records with two tool results in a row get located spans.
        const joined = convs.filter((c) =>
          c.messages.some((m, i) => m.role === 'tool' && c.messages[i + 1]?.role === 'tool'),
        ).length;
        expect(s.approximate).toBe(joined);
        expect(s.warnings.approximate_spans).toBeUndefined();
      },
    );
  }

  it('counts refusals by reason, and as the doctor finding template_refused', async () => {
    const convs = await conversations(sample('chat-en-zh.jsonl'));
    const tpl =
      "{% if messages|length > 2 %}{{ raise_exception('more than one exchange') }}{% endif %}{% for m in messages " +
      '%}<{{ m.role }}>{{ m.content }}</s>{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}';
    const s = emptyRenderStats();
    for (const c of convs) addOwnRecord(s, pasted(tpl, { eos_token: '</s>' }), c, CHOICES);
    const long = convs.filter((c) => c.messages.length + (c.system ? 1 : 0) > 2).length;
    expect(long).toBeGreaterThan(0);
    expect(long).toBeLessThan(convs.length);
    expect(s.records).toBe(convs.length);
    expect(s.refused).toBe(long);
    expect(s.reasons).toEqual({ 'more than one exchange': long });
    expect(topReason(s)).toEqual(['more than one exchange', long]);
    expect(s.warnings.template_refused).toBe(long);
    // The rendered ones: <role>content</s> per message; the assistant's content and </s> are trained
    // (its header is what the generation prompt writes).
    let chars = 0;
    let trained = 0;
    for (const c of convs.filter((c) => c.messages.length + (c.system ? 1 : 0) <= 2)) {
      const msgs = [...(c.system ? [{ role: 'system', content: c.system }] : []), ...c.messages];
      for (const m of msgs) {
        chars += `<${m.role}>${m.content}</s>`.length;
        if (m.role === 'assistant') trained += `${m.content}</s>`.length;
      }
    }
    expect(s.chars).toBe(chars);
    expect(s.trainedChars).toBe(trained);
  });

  it('keeps at most MAX_REASONS reasons apart and names the most common', () => {
    const s = emptyRenderStats();
    const tpl = '{{ raise_exception(messages[0].content) }}';
    const conv = (content: string): Conversation =>
      ({
        messages: [
          { role: 'user', content },
          { role: 'assistant', content: 'ok' },
        ],
      }) as Conversation;
    for (let i = 0; i < MAX_REASONS + 8; i++) addOwnRecord(s, pasted(tpl), conv(`bad record ${i}`), CHOICES);
    for (let i = 0; i < 3; i++) addOwnRecord(s, pasted(tpl), conv('bad record 5'), CHOICES);
    expect(s.refused).toBe(MAX_REASONS + 11);
    expect(Object.keys(s.reasons)).toHaveLength(MAX_REASONS + 1);
    expect(s.reasons[OTHER_REASON]).toBe(8);
    expect(topReason(s)).toEqual(['bad record 5', 4]);
  });

  it('counts a template that marks the last message as approximate on every multi-message record', async () => {
    const convs = await conversations(sample('chat-en-zh.jsonl'));
    const one: Conversation = { messages: [{ role: 'user', content: 'only a question' }] } as Conversation;
    const tpl =
      '{% for m in messages %}{% if loop.last %}[LAST]{% endif %}<{{ m.role }}>{{ m.content }}</s>{% endfor %}';
    const s = emptyRenderStats();
    for (const c of [...convs, one]) addOwnRecord(s, pasted(tpl), c, CHOICES);
    expect(s.records).toBe(convs.length + 1);
    expect(s.refused).toBe(0);
    expect(s.approximate).toBe(convs.filter((c) => c.messages.length + (c.system ? 1 : 0) >= 2).length);
    expect(s.approximate).toBe(convs.length);
  });
});

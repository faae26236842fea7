// `prism templates --json` and `prism render --json` against DESIGN.md's contract, through the
// real CLI entry point (one process per command).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadReference, renderOfficial } from '../../templates/conformance/official.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
function prism(...args: string[]): string {
  return execFileSync(
    process.execPath,
    ['--import', 'tsx', '--import', './src/cli/register.mjs', 'src/cli/main.ts', ...args],
    { cwd: ROOT, encoding: 'utf8' },
  );
}

const lines = [
  JSON.stringify({
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
    ],
  }),
  '',
  'not json',
  JSON.stringify({
    messages: [
      { role: 'user', content: 'Q1' },
      { role: 'assistant', content: 'A1' },
      { role: 'user', content: 'Q2' },
      { role: 'assistant', content: 'A2' },
    ],
  }),
  JSON.stringify({
    messages: [
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'b' },
      { role: 'assistant', content: 'c' },
    ],
  }),
];

describe('prism templates / render', () => {
  it('templates --json lists every built-in template with id, family, models and tool format', () => {
    const out = JSON.parse(prism('templates', '--json')) as {
      templates: { id: string; family: string; models: string[]; tool_format: string }[];
    };
    const ids = out.templates.map((t) => t.id);
    const agents = (out as unknown as { agent_templates: { id: string; kind: string; description: string }[] })
      .agent_templates;
    for (const id of [
      'qwen2_5',
      'qwen3',
      'llama3',
      'llama3_2',
      'internlm2',
      'glm4',
      'mistral',
      'mistral_nemo',
      'gemma2',
      'gemma3',
      'phi3',
      'phi4_mini',
      'deepseek_r1',
      'smollm2',
      'chatml',
    ]) {
      expect(ids).toContain(id);
    }
    expect(out.templates.find((t) => t.id === 'qwen3')).toMatchObject({ family: 'qwen', tool_format: 'hermes' });
    // Issue 14's table: each current family with its reference file, its own tool format (SmolLM3's reference has
    // no tool support: ReAct) and its variables.
    const issue14: Record<string, string> = {
      qwen3_5: 'Qwen3.5-4B.jinja',
      qwen3_coder: 'Qwen3-Coder.jinja',
      gpt_oss: 'openai-gpt-oss-120b.jinja',
      deepseek_v3_1: 'deepseek-ai-DeepSeek-V3.1.jinja',
      glm4_5: 'GLM-4.6.jinja',
      glm4_7: 'GLM-4.7-Flash.jinja',
      smollm3: 'HuggingFaceTB-SmolLM3-3B.jinja',
      granite3_3: 'ibm-granite-granite-3.3-2B-Instruct.jinja',
      granite4: 'ibm-granite-granite-4.0.jinja',
      mistral_small: 'Mistral-Small-3.2-24B-Instruct-2506.jinja',
      gemma4: 'google-gemma-4-31B-it.jinja',
      kimi_k2: 'Kimi-K2-Instruct.jinja',
      seed_oss: 'ByteDance-Seed-OSS.jinja',
      minicpm5: 'openbmb-MiniCPM5-1B.jinja',
      lfm2_5: 'LFM2.5-Instruct.jinja',
      hermes3: 'NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja',
    };
    type Listed = {
      reference: string | null;
      tool_format: string;
      agent_template: string;
      vars: { name: string; default: string }[];
    };
    for (const [id, file] of Object.entries(issue14)) {
      const t = out.templates.find((x) => x.id === id) as unknown as Listed | undefined;
      expect(t, id).toBeDefined();
      expect(t).toMatchObject({ reference: file, tool_format: id === 'smollm3' ? 'react' : id });
      expect(
        agents.some((a) => a.id === t!.agent_template),
        id,
      ).toBe(true);
    }
    const gptOss = out.templates.find((t) => t.id === 'gpt_oss') as unknown as Listed;
    expect(gptOss.vars.map((v) => [v.name, v.default])).toEqual([
      ['today', 'the current date'],
      ['reasoning_effort', 'medium'],
      ['model_identity', 'You are ChatGPT, a large language model trained by OpenAI.'],
      ['builtin_tools', 'none'],
    ]);
    expect(out.templates.find((t) => t.id === 'llama3_2')!.models).toContain('meta-llama/Llama-3.2-3B-Instruct');
    expect(agents.find((a) => a.id === 'native:hermes')).toMatchObject({ kind: 'native' });
    expect(agents.find((a) => a.id === 'react_en')).toMatchObject({ kind: 'ms-swift' });
    expect(agents.filter((a) => a.kind === 'ms-swift').length).toBe(32);
    expect(agents.every((a) => a.description.length > 10)).toBe(true);
  });

  it('--agent-template writes another tool format, --loss-scale weighs spans, warnings name their field once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prism-render-'));
    const file = join(dir, 'agent.jsonl');
    const tools = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ];
    const agent = {
      tools,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [{ type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } }],
        },
        { role: 'tool', content: '18' },
        { role: 'assistant', content: 'It is 18 °C.' },
      ],
    };
    const twice = {
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'b' },
        { role: 'assistant', content: 'c' },
      ],
    };
    writeFileSync(file, [JSON.stringify(agent), JSON.stringify(twice)].join('\n') + '\n');
    const out = prism(
      'render',
      '--template',
      'qwen2_5',
      '--agent-template',
      'react_en',
      '--loss-scale',
      'react',
      file,
      '--json',
    )
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    const text = out[0].text as string;
    expect(text).toContain(
      "<|im_start|>assistant\nAction: get_weather\nAction Input: {'city': " +
        "'Paris'}\nObservation:18\nIt is 18 °C.<|im_end|>",
    );
    const weighted = out[0].spans
      .filter((s: { weight?: number }) => s.weight === 2)
      .map((s: { start: number; end: number }) => text.slice(s.start, s.end));
    expect(weighted.join('')).toBe("Action: get_weather\nAction Input: {'city': 'Paris'}\nObservation:");
    // The reader's message already names the field; the CLI used to print it twice.
    const order = out[1].warnings.find((w: { code: string }) => w.code === 'role_order');
    expect(order.message).toMatch(/^messages\[2\]: two assistant turns in a row/);
    expect(order.message).not.toMatch(/messages\[2\]: messages\[2\]/);
  });

  it('render: a record the template refuses names the opt-in fix, which then renders it (Mistral Small ids)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prism-render-'));
    const file = join(dir, 'ids.jsonl');
    writeFileSync(
      file,
      JSON.stringify({
        messages: [
          { role: 'user', content: 'Weather?' },
          {
            role: 'assistant',
            content: '',
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'w', arguments: '{}' } }],
          },
          { role: 'tool', tool_call_id: 'call_1', content: '3' },
          { role: 'assistant', content: 'Cold.' },
        ],
      }) + '\n',
    );
    const run = (...extra: string[]) =>
      JSON.parse(prism('render', '--template', 'mistral_small', '--today', '2026-01-15', ...extra, file, '--json'));
    const refused = run();
    // The official template's raise_exception text, then the fix.
    expect(refused.error).toMatch(
      /^mistral_small refuses this record: Tool call IDs should be alphanumeric strings with length 9!; /,
    );
    expect(refused.error).toContain('--fix-tool-call-ids');
    const fixed = run('--fix-tool-call-ids');
    expect(fixed.text).toMatch(/\[TOOL_CALLS\]w\[CALL_ID\][A-Za-z0-9]{9}\[ARGS\]\{\}<\/s>/);
    expect(fixed.warnings.map((w: { code: string }) => w.code)).toContain('tool_call_ids_rewritten');
  });

  it('render refuses an unknown agent template or one bound to another family as a usage error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prism-render-'));
    const file = join(dir, 'd.jsonl');
    writeFileSync(file, lines[0] + '\n');
    const run = (...args: string[]) =>
      spawnSync(
        process.execPath,
        ['--import', 'tsx', '--import', './src/cli/register.mjs', 'src/cli/main.ts', 'render', ...args, file],
        { cwd: ROOT, encoding: 'utf8' },
      );
    const unknown = run('--template', 'qwen2_5', '--agent-template', 'nope');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown agent template 'nope'/);
    const bound = run('--template', 'qwen2_5', '--agent-template', 'native:mistral');
    expect(bound.status).toBe(2);
    expect(bound.stderr).toMatch(/native:mistral writes mistral tokens and cannot be used with qwen2_5/);
  });

  it('render --json prints one JSON line per record, in file order, with tiling spans or an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prism-render-'));
    const file = join(dir, 'd.jsonl');
    writeFileSync(file, lines.join('\n') + '\n');
    const out = prism('render', '--template', 'gemma2', file, '--loss', 'last_round', '--json')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out.map((o) => o.line)).toEqual([1, 3, 4, 5]);
    expect(out[1].error).toMatch(/invalid_json/);
    expect(out[3].error).toMatch(/gemma2 refuses this record: Conversation roles must alternate/);
    const first = out[0];
    expect(first.text).toBe(
      '<bos><start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n',
    );
    expect(first.warnings.map((w: { code: string }) => w.code)).toEqual(['system_merged']);
    for (const o of [out[0], out[2]]) {
      let pos = 0;
      for (const s of o.spans) {
        expect(Object.keys(s).sort()).toEqual(['end', 'role', 'start', 'trainable']);
        expect(s.start).toBe(pos);
        pos = s.end;
      }
      expect(pos).toBe(o.text.length);
    }
    const trainedText = (o: { text: string; spans: { start: number; end: number; trainable: boolean }[] }) =>
      o.spans
        .filter((s) => s.trainable)
        .map((s) => o.text.slice(s.start, s.end))
        .join('');
    expect(trainedText(out[2])).toBe('A2<end_of_turn>');
  });

  it('a record nested 100,000 levels deep is one error line; the records around it render', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prism-render-'));
    const file = join(dir, 'deep.jsonl');
    const ok = JSON.stringify({
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
      ],
    });
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const call = { type: 'function', function: { name: 'f', arguments: '@' } };
    const rec = JSON.stringify({
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', tool_calls: [call] },
        { role: 'tool', content: '1' },
        { role: 'assistant', content: 'ok' },
      ],
    });
    writeFileSync(
      file,
      [ok, rec.replace('"@"', `{"x": ${deep}}`), rec.replace('"@"', JSON.stringify(`{"x": ${deep}}`)), ok].join('\n') +
        '\n',
    );
    for (const template of ['qwen2_5', 'llama3_2', 'mistral']) {
      const out = prism('render', '--template', template, file, '--json')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(out.map((o) => o.line)).toEqual([1, 2, 3, 4]);
      expect(out[1].error).toMatch(/^too_deep: the record nests JSON more than 500 levels deep/);
      expect(out[2].error).toMatch(
        /^too_deep: messages\[1\]\.tool_calls\[0\]\.function\.arguments holds JSON nested more than 500 levels/,
      );
      expect(out[0].text).toContain('Hello!');
      expect(out[3].text).toBe(out[0].text);
    }
  });

  it('--generation-prompt renders prompt-only records as Jinja2 does with add_generation_prompt=True', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prism-render-'));
    const file = join(dir, 'prompts.jsonl');
    const prompts = [
      [{ role: 'user', content: 'Hi' }],
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Q1' },
        { role: 'assistant', content: 'A1' },
        { role: 'user', content: 'Q2' },
      ],
      [
        { role: 'user', content: 'Q1' },
        { role: 'assistant', content: 'A1' },
        { role: 'user', content: 'Q2 ✓' },
      ],
    ];
    writeFileSync(file, prompts.map((messages) => JSON.stringify({ messages })).join('\n') + '\n');
    // Without the flag a prompt-only record has nothing to train on: refused, as before.
    const plain = prism('render', '--template', 'qwen2_5', file, '--json')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(plain[0].error).toMatch(/^no_assistant_turn/);
    for (const template of ['qwen2_5', 'llama3_2', 'mistral']) {
      const ref = loadReference(template);
      if (!ref) throw new Error(`the ${template} reference template is missing (../shared/reference/chat_templates)`);
      const out = prism('render', '--template', template, file, '--generation-prompt', '--json')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      // The messages go to Jinja2 exactly as the dataset line has them.
      const want = await renderOfficial(
        prompts.map((messages) => ({
          template: ref.template,
          messages,
          tools: null,
          add_generation_prompt: true,
          extra: ref.extra ?? {},
          special_tokens: ref.specialTokens,
        })),
      );
      expect(out.map((o) => o.line)).toEqual([1, 2, 3]);
      expect(out.map((o) => o.error)).toEqual([undefined, undefined, undefined]);
      expect(out.map((o) => ({ text: o.text }))).toEqual(want);
      // A prompt ending where the reply starts is what was asked for: no role_order warning.
      expect(out.flatMap((o) => o.warnings.map((w: { code: string }) => w.code))).not.toContain('role_order');
    }
  });

  it('render --date sets the Llama 3.1+ Today Date', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prism-render-'));
    const file = join(dir, 'd.jsonl');
    writeFileSync(file, lines[0] + '\n');
    const o = JSON.parse(prism('render', '--template', 'llama3_2', '--date', '15 Jan 2026', file, '--json'));
    expect(o.text).toBe(
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday ' +
        'Date: 15 Jan 2026\n\nBe brief.<|eot_id|>' +
        '<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>' +
        'assistant<|end_header_id|>\n\nHello!<|eot_id|>',
    );
  });
});

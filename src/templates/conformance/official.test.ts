// Proves the Jinja2 harness renders like transformers' apply_chat_template: full expected strings
// written by hand from reading the official templates, tojson without ASCII escaping, and template
// refusals coming back as {error}.
import { describe, expect, it } from 'vitest';
import { corpus } from './corpus.ts';
import { loadReference, officialJob, referenceDirExists, referenceTemplates, renderOfficial } from './official.ts';

const byId = (id: string) => {
  const c = corpus.find((x) => x.id === id);
  if (!c) throw new Error(`no corpus case ${id}`);
  return c;
};

describe('conformance corpus', () => {
  it('has at least 70 uniquely named cases covering every required feature', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(70);
    expect(new Set(corpus.map((c) => c.id)).size).toBe(corpus.length);
    for (const tag of [
      'system',
      'no_system',
      'multi_turn',
      'long',
      'cjk',
      'emoji',
      'whitespace',
      'quotes',
      'special_tokens',
      'tools',
      'parallel_calls',
      'tool_results',
      'generation_prompt',
      'thinking',
      'think_inline',
      'nested_args',
      'unicode_args',
    ]) {
      expect(
        corpus.some((c) => c.tags.includes(tag)),
        tag,
      ).toBe(true);
    }
  });
});

describe.skipIf(!referenceDirExists())('hf_render.py (real Jinja2) on official templates', () => {
  it('renders Qwen2.5, Llama 3.1 and the npm Llama 3 template exactly as written by hand', async () => {
    const qwen = loadReference('qwen2_5')!;
    const llama31 = loadReference('llama3_2:3.1')!;
    const llama3 = loadReference('llama3')!;
    const single = byId('basic_single').conversation;
    const withSys = byId('basic_single_system').conversation;
    const res = await renderOfficial([
      officialJob(qwen, single, false),
      officialJob(qwen, withSys, false),
      officialJob(llama31, single, false),
      officialJob(llama3, byId('gen_prompt_single').conversation, true),
      officialJob(qwen, byId('gen_prompt_single').conversation, true),
    ]);
    expect(res[0]).toEqual({
      text:
        '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' +
        '<|im_start|>user\nWhat is the capital of France?<|im_end|>\n' +
        '<|im_start|>assistant\nThe capital of France is Paris.<|im_end|>\n',
    });
    expect(res[1]).toEqual({
      text:
        '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' +
        '<|im_start|>user\nWhat is the capital of France?<|im_end|>\n' +
        '<|im_start|>assistant\nThe capital of France is Paris.<|im_end|>\n',
    });
    expect(res[2]).toEqual({
      text:
        '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n' +
        'Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>' +
        '<|start_header_id|>user<|end_header_id|>\n\nWhat is the capital of France?<|eot_id|>' +
        '<|start_header_id|>assistant<|end_header_id|>\n\nThe capital of France is Paris.<|eot_id|>',
    });
    expect(res[3]).toEqual({
      text:
        '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWrite a haiku about autumn leaves.<|eot_id|>' +
        '<|start_header_id|>assistant<|end_header_id|>\n\n',
    });
    expect(res[4]).toEqual({
      text:
        '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' +
        '<|im_start|>user\nWrite a haiku about autumn leaves.<|im_end|>\n<|im_start|>assistant\n',
    });
  });

  it('prints tool-call arguments with HF tojson (no \\u escapes, ", " separators), tool results verbatim', async () => {
    const qwen = loadReference('qwen2_5')!;
    const [r] = await renderOfficial([officialJob(qwen, byId('tool_unicode_args').conversation, false)]);
    expect(r).toHaveProperty('text');
    const text = (r as { text: string }).text;
    expect(text).toContain(
      '<tool_call>\n{"name": "translate", "arguments": {"text": "早上好 ☀️", "target_lang": ' +
        '"ja"}}\n</tool_call><|im_end|>\n',
    );
    expect(text).toContain('<|im_start|>user\n<tool_response>\nおはようございます ☀️\n</tool_response><|im_end|>\n');
  });

  it('returns template refusals as {error} with the template message', async () => {
    const gemma2 = loadReference('gemma2')!;
    const mistral = loadReference('mistral')!;
    const llama = loadReference('llama3_2')!;
    const res = await renderOfficial([
      officialJob(gemma2, byId('basic_single_system').conversation, false),
      officialJob(gemma2, byId('basic_single').conversation, false),
      officialJob(mistral, byId('tool_single_call_only').conversation, false),
      officialJob(llama, byId('tool_parallel_2').conversation, false),
    ]);
    expect(res[0]).toMatchObject({ error: 'System role not supported' });
    expect(res[1]).toEqual({
      text:
        '<bos><start_of_turn>user\nWhat is the capital of France?<end_of_turn>\n<start_of_turn>model\nThe ' +
        'capital of France is Paris.<end_of_turn>\n',
    });
    expect(res[2]).toMatchObject({ error: 'Tool call IDs should be alphanumeric strings with length 9!' });
    expect(res[3]).toMatchObject({ error: 'This model only supports single tool-calls at once!' });
  });

  it('freezes strftime_now with `now`, and lets lists change only in the mutable sandbox', async () => {
    const day = "{{ strftime_now('%d %b %Y') }}";
    const mutate = '{% set q = namespace(ids=[]) %}{% set _ = q.ids.append(7) %}{{ q.ids.pop(0) }}';
    const res = await renderOfficial([
      { template: day, messages: [], now: '2026-01-15' },
      { template: mutate, messages: [], sandbox: 'mutable' },
      { template: mutate, messages: [] },
    ]);
    expect(res[0]).toEqual({ text: '15 Jan 2026' });
    expect(res[1]).toEqual({ text: '7' });
    // transformers' ImmutableSandboxedEnvironment, the default, refuses it.
    expect(res[2]).toMatchObject({
      error: "access to attribute 'append' of 'list' object is unsafe.",
      type: 'SecurityError',
    });
  });

  it('loads every reference template of the table', () => {
    for (const key of Object.keys(referenceTemplates)) {
      const ref = loadReference(key);
      expect(ref, key).toBeDefined();
      expect(ref!.template.length, key).toBeGreaterThan(50);
    }
  });
});

if (!referenceDirExists()) {
  console.warn('official.test.ts: ../shared/reference/chat_templates is absent: reference template checks skipped');
}

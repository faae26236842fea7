// `prism eval` as a user runs it, checked against `prism generate` (the KV-cache generation that
// src/infer/generate.gpu.test.ts holds to a full forward per step): on a tiny random model with a
// random adapter, each record's base and tuned replies are the replies `prism generate` gives for
// the same prompt without and with the adapter, a reference equal to one of them scores exact
// match 1 on that side only, the bad line is named without losing the others, and the JSON Lines
// end with the summary. A usage mistake is one line and exit 2, before any model is read.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prism } from '../testing.ts';
import { makeTinyModel } from '../../model/tiny.ts';
import { exportAdapter, type LoraTensor } from '../../adapters/peft.ts';
import { randomWeights, writeFiles } from '../../train/testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'prism-eval-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tm = makeTinyModel({
  arch: 'qwen3',
  hidden: 32,
  layers: 1,
  heads: 4,
  kvHeads: 2,
  intermediate: 48,
  seed: 1,
  dtype: 'float32',
  tokenizer: 'bytes',
});
const model = join(dir, 'model');
writeFiles(model, { ...tm.files, 'model.safetensors': randomWeights(tm.spec, 'F32', 4) });

// A LoRA update large enough to change greedy replies: q_proj (32 → 32) and v_proj (32 → 16).
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 1.5;
const lora = (layer: number, module: 'q_proj' | 'v_proj', out: number): LoraTensor => ({
  layer,
  module,
  in_features: 32,
  out_features: out,
  A: Float32Array.from({ length: 4 * 32 }, rand),
  B: Float32Array.from({ length: out * 4 }, rand),
});
const adapter = join(dir, 'adapter');
writeFiles(
  adapter,
  exportAdapter([lora(0, 'q_proj', 32), lora(0, 'v_proj', 16)], {
    base_model_name_or_path: 'test/tiny',
    r: 4,
    lora_alpha: 16,
    lora_dropout: 0,
    use_rslora: false,
  }),
);

const asks = ['red blue', 'cat sun', 'tea map'];
const generated = async (prompt: string, withAdapter: boolean): Promise<string> => {
  const r = await prism(
    'generate',
    '--model',
    model,
    ...(withAdapter ? ['--adapter', adapter] : []),
    '--template',
    'chatml',
    '--prompt',
    prompt,
    '--max-new-tokens',
    '4',
  );
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.slice(0, -1);
};
const record = (ask: string, reply: string) =>
  JSON.stringify({
    messages: [
      { role: 'user', content: ask },
      { role: 'assistant', content: reply },
    ],
  });

describe('prism eval', () => {
  it('refuses a missing FILE as a usage error, naming it', async () => {
    const r = await prism('eval', '--model', model, '--template', 'chatml');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing FILE/);
  });

  it('gives the replies prism generate gives, scored against each reference', async () => {
    const base = await Promise.all(asks.map((a) => generated(a, false)));
    const tuned = await Promise.all(asks.map((a) => generated(a, true)));
    expect(tuned).not.toEqual(base);
    const refs = [base[0], tuned[1], 'zzz'];
    // Line 3 is not a conversation.
    const data = join(dir, 'asks.jsonl');
    const lines = [
      record(asks[0], refs[0]),
      record(asks[1], refs[1]),
      '{"messages": "oops"}',
      record(asks[2], refs[2]),
    ];
    writeFileSync(data, lines.join('\n') + '\n');

    const r = await prism(
      'eval',
      '--model',
      model,
      '--adapter',
      adapter,
      '--template',
      'chatml',
      data,
      '--max-new-tokens',
      '4',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out.filter((l) => l.error)).toEqual([{ line: 3, error: expect.stringMatching(/^invalid record: /) }]);
    const rows = out.filter((l) => 'base' in l);
    expect(rows.map((x) => x.line)).toEqual([1, 2, 4]);
    rows.forEach((row, i) => {
      expect(row.reference).toBe(refs[i]);
      expect(row.base.text).toBe(base[i]);
      expect(row.tuned.text).toBe(tuned[i]);
      expect(row.base.scores.exact_match).toBe(base[i] === refs[i] ? 1 : 0);
      expect(row.tuned.scores.exact_match).toBe(tuned[i] === refs[i] ? 1 : 0);
    });
    expect(rows[0].base.scores.exact_match).toBe(1);
    expect(rows[1].tuned.scores.exact_match).toBe(1);
    const { summary, skipped } = out.at(-1);
    expect(skipped).toBe(1);
    const mean = (side: 'base' | 'tuned') => rows.filter((x) => x[side].text === x.reference).length / 3;
    expect(summary).toMatchObject({
      rows: 3,
      errors: 0,
      base: { text: 3, exact_match: mean('base') },
      tuned: { text: 3, exact_match: mean('tuned') },
    });

    // Without --json: a line per record, the means, and the skipped line on stderr.
    const human = await prism(
      'eval',
      '--model',
      model,
      '--template',
      'chatml',
      data,
      '--limit',
      '1',
      '--max-new-tokens',
      '4',
    );
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^line 1: base EM 1 F1 1\.00 \| tuned -$/m);
    expect(human.stdout).toMatch(/^base : 1 text replies: exact match 100\.0%/m);
    expect(human.stderr).toMatch(/asks\.jsonl:3: skipped, /);
  }, 300_000);
});

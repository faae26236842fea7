// The Chat page's greedy generation, base and with a PEFT adapter, against PyTorch
// (src/engine/decoder/hf_reference.py, Hugging Face semantics, adapter read from PEFT files):
// teacher-forcing the generated sequence through the reference, every generated token must be
// the reference's argmax at its position. One Python spawn for both cases.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exportAdapter, type LoraTensor } from '../adapters/peft.ts';
import { nodeDevice } from '../cli/node-gpu.ts';
import { LINEAR_MODULES } from '../train/config.ts';
import { tinyModel } from '../ui/train/models.ts';
import { generate } from './chat-generate.ts';
import type { ChatRequest } from './chat-client.ts';

const PY = '/usr/bin/python3';
const SCRIPT = join(import.meta.dirname, '..', 'engine', 'decoder', 'hf_reference.py');
const PROMPT = '<|im_start|>user\nHello there, how are you?<|im_end|>\n<|im_start|>assistant\n';
const NEW = 8;

function readF32(path: string): Map<string, { shape: number[]; data: Float32Array }> {
  const b = readFileSync(path);
  const n = Number(b.readBigUInt64LE(0));
  const h = JSON.parse(b.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [k, v] of Object.entries(h)) {
    if (k === '__metadata__' || v.dtype !== 'F32') continue;
    const raw = b.subarray(8 + n + v.data_offsets[0], 8 + n + v.data_offsets[1]);
    out.set(k, { shape: v.shape, data: new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)) });
  }
  return out;
}

/** An adapter whose B is far from zero, so it changes the greedy path. */
function adapterFiles(): Map<string, Uint8Array> {
  const spec = tinyModel().spec;
  const D = spec.hidden_size, I = spec.intermediate_size, q = spec.num_attention_heads * spec.head_dim, kv = spec.num_key_value_heads * spec.head_dim;
  const io: Record<string, [number, number]> = { q_proj: [D, q], k_proj: [D, kv], v_proj: [D, kv], o_proj: [q, D], gate_proj: [D, I], up_proj: [D, I], down_proj: [I, D] };
  let s = 12345;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5);
  const t: LoraTensor[] = [];
  for (let layer = 0; layer < spec.num_hidden_layers; layer++) {
    for (const module of LINEAR_MODULES) {
      const [inF, outF] = io[module];
      t.push({ layer, module, in_features: inF, out_features: outF, A: Float32Array.from({ length: 4 * inF }, () => rnd() * 0.5), B: Float32Array.from({ length: outF * 4 }, () => rnd() * 0.5) });
    }
  }
  return exportAdapter(t, { base_model_name_or_path: 'prism/tiny-demo', r: 4, lora_alpha: 8, lora_dropout: 0, use_rslora: false });
}

let dir = '';
const runs: { name: string; generated: number[]; promptIds: number; logits: { shape: number[]; data: Float32Array } }[] = [];

beforeAll(async () => {
  if (!existsSync(PY)) throw new Error(`${PY} is missing: apt-get install python3-torch python3-numpy`);
  dir = mkdtempSync(join(tmpdir(), 'prism-chat-'));
  mkdirSync(join(dir, 'model'));
  for (const [name, bytes] of Object.entries(tinyModel().files)) writeFileSync(join(dir, 'model', name), bytes);
  const peft = adapterFiles();
  mkdirSync(join(dir, 'adapter'));
  for (const [name, bytes] of peft) writeFileSync(join(dir, 'adapter', name), bytes);

  const device = await nodeDevice();
  const jobs: { withAdapter: boolean; generated: number[] }[] = [];
  for (const withAdapter of [false, true]) {
    const req: ChatRequest = {
      type: 'generate', model: { kind: 'tiny' }, prompt: PROMPT, max_new_tokens: NEW, stop: [], temperature: 0,
      adapter: withAdapter ? { safetensors: peft.get('adapter_model.safetensors')!, config: new TextDecoder().decode(peft.get('adapter_config.json')!) } : null,
    };
    const messages: string[] = [];
    const generated = await generate(req, (m) => messages.push(m.type), () => false, device);
    expect(messages.at(-1)).toBe('done');
    runs.push({ name: withAdapter ? 'adapter' : 'base', generated, promptIds: 0, logits: { shape: [], data: new Float32Array() } });
    jobs.push({ withAdapter, generated });
  }
  // The prompt's ids as the model's own tokenizer (tokenizers, not Prism's) encodes them.
  const { Tokenizer } = await import('@huggingface/tokenizers');
  const tok = new Tokenizer(JSON.parse(new TextDecoder().decode(tinyModel().files['tokenizer.json'])), JSON.parse(new TextDecoder().decode(tinyModel().files['tokenizer_config.json'])));
  const promptIds = Array.from(tok.encode(PROMPT, { add_special_tokens: false }).ids as ArrayLike<number>);
  const pyJobs = runs.map((r, i) => ({
    model: join(dir, 'model'), adapter: jobs[i].withAdapter ? join(dir, 'adapter') : null,
    input_ids: [[...promptIds, ...r.generated]], position_ids: null, seq_ids: null, labels: null, out: join(dir, `ref${i}.safetensors`),
  }));
  writeFileSync(join(dir, 'jobs.json'), JSON.stringify(pyJobs));
  try {
    execFileSync(PY, [SCRIPT, join(dir, 'jobs.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`hf_reference.py failed (needs apt-get install python3-torch): ${(e as { stderr?: Buffer }).stderr?.toString() ?? e}`);
  }
  runs.forEach((r, i) => {
    r.promptIds = promptIds.length;
    r.logits = readF32(pyJobs[i].out).get('logits')!;
  });
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('chat generation (greedy) matches PyTorch', () => {
  test.each(['base', 'adapter'])('%s: every generated token is the reference argmax', (name) => {
    const r = runs.find((x) => x.name === name)!;
    expect(r.generated.length).toBeGreaterThan(0);
    const V = r.logits.shape.at(-1)!;
    let checked = 0;
    for (let j = 0; j < r.generated.length; j++) {
      const row = r.logits.data.subarray((r.promptIds - 1 + j) * V, (r.promptIds + j) * V);
      const sorted = Array.from(row).map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]);
      if (sorted[0][0] - sorted[1][0] < 1e-3) continue; // a near tie: either is a correct argmax
      expect(r.generated[j], `token ${j}`).toBe(sorted[0][1]);
      checked++;
    }
    expect(checked).toBeGreaterThan(r.generated.length / 2);
  });

  test('the adapter changes the reply', () => {
    expect(runs[1].generated).not.toEqual(runs[0].generated);
  });
});

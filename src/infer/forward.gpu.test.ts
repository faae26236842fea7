// Parity of loadModel + forward against hf_reference.py (independent PyTorch, HF semantics) on
// tiny random models of each architecture variant, with and without a PEFT adapter; the HTTP
// path end to end through a local server in the Hub's URL layout; and `prism forward` itself.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterConfigJson, buildAdapterConfig, peftKey } from '../adapters/peft.ts';
import { fsModelSource } from '../cli/fs-source.ts';
import { nodeDevice } from '../cli/node-gpu.ts';
import { seededRandom } from '../model/random.ts';
import { openSafetensors } from '../model/safetensors/reader.ts';
import { bytesSource } from '../model/sources/byte-source.ts';
import { blobModelSource, hubModelSource } from '../model/sources/model-source.ts';
import { writeSafetensors } from '../model/safetensors/writer.ts';
import { makeTinyModel, type TinyModelOptions } from '../model/tiny.ts';
import type { TargetModule } from '../model/layout.ts';
import { loadAdapter, loadModel, type LoadProgress } from './load.ts';
import { forwardLogits } from './runner.ts';

const __dirname = dirname(fileURLToPath(import.meta.url));
const ROOT = join(__dirname, '..', '..');
const PY = '/usr/bin/python3';
const SCRIPT = join(ROOT, 'src', 'engine', 'decoder', 'hf_reference.py');

const base = {
  hidden: 32,
  layers: 2,
  heads: 4,
  intermediate: 48,
  tokenizer: 'bytes' as const,
  dtype: 'float32' as const,
};
interface Case {
  name: string;
  model: TinyModelOptions;
  adapter?: boolean;
}
const CASES: Case[] = [
  { name: 'llama GQA 1 untied f32', model: { ...base, arch: 'llama', kvHeads: 4, seed: 1 } },
  { name: 'llama GQA 2 tied f32', model: { ...base, arch: 'llama', kvHeads: 2, seed: 2, tieEmbeddings: true } },
  { name: 'llama GQA 4 bf16', model: { ...base, arch: 'llama', kvHeads: 1, seed: 3, dtype: 'bfloat16' } },
  {
    name: 'llama rope scaling',
    model: {
      ...base,
      arch: 'llama',
      kvHeads: 2,
      seed: 4,
      ropeScaling: { factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8 },
    },
  },
  {
    name: 'qwen2 bias bf16 tied',
    model: { ...base, arch: 'qwen2', kvHeads: 2, seed: 5, dtype: 'bfloat16', tieEmbeddings: true },
  },
  { name: 'qwen3 q/k norm', model: { ...base, arch: 'qwen3', kvHeads: 2, seed: 6 } },
  { name: 'qwen3 + adapter', model: { ...base, arch: 'qwen3', kvHeads: 2, seed: 7 }, adapter: true },
  {
    name: 'llama bf16 + adapter',
    model: { ...base, arch: 'llama', kvHeads: 2, seed: 8, dtype: 'bfloat16' },
    adapter: true,
  },
  // 12 tokens through a window of 5: the window mask decides the logits past position 4.
  {
    name: 'mistral past its sliding window',
    model: { ...base, arch: 'mistral', kvHeads: 2, seed: 9, slidingWindow: 5 },
  },
];
const IDS = [1, 17, 42, 99, 3, 250, 7, 64, 128, 5, 200, 33];
const TARGETS: TargetModule[] = ['q_proj', 'v_proj', 'o_proj', 'gate_proj', 'down_proj'];

let device: GPUDevice;
let dir: string;
const refs: Float32Array[] = [];

function writeFolder(folder: string, files: Record<string, Uint8Array>) {
  mkdirSync(folder, { recursive: true });
  for (const [k, v] of Object.entries(files)) writeFileSync(join(folder, k), v);
}

function writeAdapter(folder: string, c: Case, seed: number) {
  const rand = seededRandom(seed);
  const r = 4;
  const { hidden, intermediate, heads } = c.model;
  const hd = hidden / heads;
  const shape: Record<string, [number, number]> = {
    q_proj: [hidden, heads * hd],
    k_proj: [hidden, c.model.kvHeads * hd],
    v_proj: [hidden, c.model.kvHeads * hd],
    o_proj: [heads * hd, hidden],
    gate_proj: [hidden, intermediate],
    up_proj: [hidden, intermediate],
    down_proj: [intermediate, hidden],
  };
  const tensors = [];
  for (let l = 0; l < c.model.layers; l++) {
    for (const m of TARGETS) {
      const [inF, outF] = shape[m];
      for (const [which, dims] of [
        ['A', [r, inF]],
        ['B', [outF, r]],
      ] as const) {
        const a = new Float32Array(dims[0] * dims[1]);
        for (let i = 0; i < a.length; i++) a[i] = (rand.next() * 2 - 1) * 0.2;
        tensors.push({
          name: peftKey(l, m, which),
          dtype: 'F32' as const,
          shape: [...dims],
          data: new Uint8Array(a.buffer),
        });
      }
    }
  }
  const config = buildAdapterConfig({
    base_model_name_or_path: 'tiny',
    r,
    lora_alpha: 8,
    lora_dropout: 0,
    target_modules: TARGETS,
    use_rslora: false,
  });
  writeFolder(folder, {
    'adapter_model.safetensors': writeSafetensors(tensors),
    'adapter_config.json': new TextEncoder().encode(adapterConfigJson(config)),
  });
}

async function readLogits(path: string): Promise<Float32Array> {
  const f = await openSafetensors(bytesSource(new Uint8Array(readFileSync(path))));
  for await (const t of f.stream()) if (t.name === 'logits') return new Float32Array(t.data.slice().buffer);
  throw new Error(`${path}: no logits`);
}

function relErr(got: Float32Array, want: Float32Array) {
  expect(got.length).toBe(want.length);
  let maxAbs = 0,
    maxDiff = 0;
  for (let i = 0; i < want.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(want[i]));
    maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
  }
  expect(maxAbs).toBeGreaterThan(0);
  return maxDiff / maxAbs;
}

beforeAll(async () => {
  if (!existsSync(PY)) throw new Error(`${PY} is missing: apt-get install python3-torch python3-numpy`);
  device = await nodeDevice();
  dir = mkdtempSync(join(tmpdir(), 'prism-infer-'));
  const jobs = CASES.map((c, i) => {
    writeFolder(join(dir, `case${i}`, 'model'), makeTinyModel(c.model).files);
    if (c.adapter) writeAdapter(join(dir, `case${i}`, 'adapter'), c, 300 + i);
    return {
      model: join(dir, `case${i}`, 'model'),
      adapter: c.adapter ? join(dir, `case${i}`, 'adapter') : null,
      input_ids: [IDS],
      out: join(dir, `case${i}`, 'ref.safetensors'),
    };
  });
  writeFileSync(join(dir, 'jobs.json'), JSON.stringify(jobs));
  try {
    execFileSync(PY, [SCRIPT, join(dir, 'jobs.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(
      `hf_reference.py failed (needs apt-get install ` +
        `python3-torch): ${(e as { stderr?: Buffer }).stderr?.toString() ?? e}`,
    );
  }
  for (const j of jobs) {
    const l = await readLogits(j.out);
    refs.push(l);
  }
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('loadModel + forward vs hf_reference.py', () => {
  CASES.forEach((c, i) => {
    it(
      c.name,
      async () => {
        const src = fsModelSource(join(dir, `case${i}`, 'model'));
        const model = await loadModel(src, device);
        const asrc = c.adapter ? fsModelSource(join(dir, `case${i}`, 'adapter')) : null;
        const adapter = asrc ? await loadAdapter(asrc, model.spec) : null;
        await asrc?.close();
        const got = await forwardLogits(device, model, IDS, adapter);
        model.destroy();
        await src.close();
        const err = relErr(got, refs[i]);
        console.log(`${c.name}: max|Δ|/max|ref| = ${err.toExponential(2)}`);
        expect(err).toBeLessThanOrEqual(1e-3);
        if (c.adapter) {
          // The adapter must matter: the base forward differs from the tuned one.
          const src2 = fsModelSource(join(dir, `case${i}`, 'model'));
          const m2 = await loadModel(src2, device);
          const plain = await forwardLogits(device, m2, IDS, null);
          m2.destroy();
          await src2.close();
          expect(relErr(plain, refs[i])).toBeGreaterThan(1e-2);
        }
      },
      120_000,
    );
  });
});

describe('sliding window', () => {
  it('the window matters: the same Mistral weights without a window give other logits', async () => {
    const folder = join(dir, 'nowindow');
    const files = makeTinyModel({ ...CASES[8].model, slidingWindow: null }).files;
    writeFolder(folder, files);
    const src = fsModelSource(folder);
    const model = await loadModel(src, device);
    try {
      const full = await forwardLogits(device, model, IDS, null);
      const V = model.spec.vocab_size;
      // Positions within the window see the same keys either way; later ones do not.
      expect(relErr(full.subarray(0, 5 * V), refs[8].subarray(0, 5 * V))).toBeLessThanOrEqual(1e-3);
      expect(relErr(full, refs[8])).toBeGreaterThan(1e-3);
    } finally {
      model.destroy();
      await src.close();
    }
  }, 120_000);
});

describe('sharded checkpoint', () => {
  it('loads model.safetensors.index.json shards and matches the reference', async () => {
    const folder = join(dir, 'case0', 'model');
    const f = await openSafetensors(bytesSource(new Uint8Array(readFileSync(join(folder, 'model.safetensors')))));
    const all = [];
    for await (const t of f.stream()) all.push({ name: t.name, dtype: t.dtype, shape: t.shape, data: t.data.slice() });
    expect(all.length).toBeGreaterThan(4);
    const half = Math.floor(all.length / 2);
    const shards = [all.slice(0, half), all.slice(half)];
    const names = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
    const files: Record<string, Blob> = {};
    const weight_map: Record<string, string> = {};
    shards.forEach((ts, i) => {
      files[names[i]] = new Blob([writeSafetensors(ts) as Uint8Array<ArrayBuffer>]);
      for (const t of ts) weight_map[t.name] = names[i];
    });
    files['model.safetensors.index.json'] = new Blob([JSON.stringify({ metadata: {}, weight_map })]);
    files['config.json'] = new Blob([readFileSync(join(folder, 'config.json'))]);
    const model = await loadModel(blobModelSource(files, 'sharded'), device);
    const got = await forwardLogits(device, model, IDS, null);
    model.destroy();
    expect(relErr(got, refs[0])).toBeLessThanOrEqual(1e-3);
  }, 120_000);
});

describe('HTTP Hub layout', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const m = /^\/tiny\/model\/resolve\/main\/(.+)$/.exec(req.url ?? '');
      const path = m ? join(dir, 'case5', 'model', decodeURIComponent(m[1])) : '';
      if (!m || !existsSync(path)) {
        res.writeHead(404).end();
        return;
      }
      const body = readFileSync(path);
      const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
      if (range) {
        const a = Number(range[1]),
          b = range[2] ? Number(range[2]) : body.length - 1;
        res.writeHead(206, {
          'Content-Length': b - a + 1,
          'Content-Range': `bytes ${a}-${b}/${body.length}`,
          'Accept-Ranges': 'bytes',
        });
        res.end(req.method === 'HEAD' ? undefined : body.subarray(a, b + 1));
      } else {
        res.writeHead(200, { 'Content-Length': body.length, 'Accept-Ranges': 'bytes' });
        res.end(req.method === 'HEAD' ? undefined : body);
      }
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it('loads a tiny model over HTTP with progress and matches the reference', async () => {
    const events: LoadProgress[] = [];
    const source = hubModelSource({ repo: 'tiny/model', endpoint: `http://127.0.0.1:${port}` });
    const model = await loadModel(source, device, { onProgress: (p) => events.push(p) });
    expect(events.length).toBeGreaterThan(3);
    const last = events[events.length - 1];
    expect(last.loaded).toBe(last.total);
    expect(events.every((e, k) => k === 0 || e.loaded >= events[k - 1].loaded)).toBe(true);
    expect(model.tokenizerFiles['tokenizer.json']).toBeTruthy();
    const got = await forwardLogits(device, model, IDS, null);
    model.destroy();
    expect(relErr(got, refs[5])).toBeLessThanOrEqual(1e-3);
  }, 120_000);
});

describe('prism forward (CLI)', () => {
  it('writes logits [T, V] that match the reference, with --adapter', () => {
    const out = join(dir, 'cli.safetensors');
    execFileSync(
      'node',
      [
        '--import',
        'tsx',
        '--import',
        './src/cli/register.mjs',
        'src/cli/main.ts',
        'forward',
        '--model',
        join(dir, 'case6', 'model'),
        '--adapter',
        join(dir, 'case6', 'adapter'),
        '--ids',
        IDS.join(','),
        '--out',
        out,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return readLogits(out).then((got) => expect(relErr(got, refs[6])).toBeLessThanOrEqual(1e-3));
  }, 120_000);
});

// `prism merge` end to end: the merged folder's logits against the base model with the adapter
// applied unmerged (Prism's forward, and hf_reference.py in PyTorch for both), on a tiny model
// with an rsLoRA adapter of a trained adapter's magnitudes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fsModelSource } from '../cli/fs-source.ts';
import { nodeDevice } from '../cli/node-gpu.ts';
import { loadAdapter, loadModel } from '../infer/load.ts';
import { forwardLogits } from '../infer/runner.ts';
import { openSafetensors } from '../model/safetensors/reader.ts';
import { bytesSource } from '../model/sources/byte-source.ts';
import { PY, tinyDims, writeTrainedLikeAdapter, writeTiny } from './testing.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const IDS = [1, 17, 42, 99, 3, 250, 7, 64, 128, 5, 200, 33];
const dir = mkdtempSync(join(tmpdir(), 'prism-merge-gpu-'));
let device: GPUDevice;

function cli(...args: string[]): void {
  execFileSync('node', ['--import', 'tsx', '--import', './src/cli/register.mjs', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function logits(model: string, adapter: string | null): Promise<Float32Array> {
  const src = fsModelSource(model);
  const m = await loadModel(src, device);
  const asrc = adapter ? fsModelSource(adapter) : null;
  const a = asrc ? await loadAdapter(asrc, m.spec) : null;
  try {
    return await forwardLogits(device, m, IDS, a);
  } finally {
    m.destroy();
    await src.close();
    await asrc?.close();
  }
}

async function readLogits(path: string): Promise<Float32Array> {
  const f = await openSafetensors(bytesSource(new Uint8Array(readFileSync(path))));
  return new Float32Array((await f.read('logits')).slice().buffer);
}

/** max |got − want| / max |want|. */
export function relDiff(got: Float32Array, want: Float32Array): number {
  expect(got.length).toBe(want.length);
  let maxRef = 0;
  let maxDiff = 0;
  for (let i = 0; i < want.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(want[i]));
    maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
  }
  return maxDiff / maxRef;
}

const base = join(dir, 'base');
const adapter = join(dir, 'adapter');
const refs: Record<string, Float32Array> = {};

beforeAll(async () => {
  device = await nodeDevice();
  writeTiny(base, { arch: 'qwen2', seed: 21 });
  writeTrainedLikeAdapter(adapter, { layers: 2, r: 8, seed: 9, dims: tinyDims() });
  cli(
    'merge',
    '--model',
    base,
    '--adapter',
    adapter,
    '--out',
    join(dir, 'f32'),
    '--max-shard-size',
    '100kB',
    '--quiet',
  );
  cli('merge', '--model', base, '--adapter', adapter, '--out', join(dir, 'bf16'), '--dtype', 'bf16', '--quiet');
  const jobs = [
    { model: base, adapter, input_ids: [IDS], out: join(dir, 'ref-adapter.safetensors') },
    { model: join(dir, 'f32'), adapter: null, input_ids: [IDS], out: join(dir, 'ref-merged.safetensors') },
  ];
  writeFileSync(join(dir, 'jobs.json'), JSON.stringify(jobs));
  execFileSync(PY, [join(ROOT, 'src', 'engine', 'decoder', 'hf_reference.py'), join(dir, 'jobs.json')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  refs.adapter = await readLogits(jobs[0].out);
  refs.merged = await readLogits(jobs[1].out);
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('prism merge', () => {
  it('writes a sharded folder', () => {
    const files = readdirSync(join(dir, 'f32')).sort();
    expect(files.filter((f) => /^model-\d{5}-of-\d{5}\.safetensors$/.test(f)).length).toBeGreaterThan(1);
    expect(files).toEqual(
      expect.arrayContaining([
        'config.json',
        'generation_config.json',
        'model.safetensors.index.json',
        'tokenizer.json',
        'tokenizer_config.json',
      ]),
    );
  });

  it('f32: merged logits equal base + adapter within 1e-5 (Prism), and PyTorch agrees', async () => {
    const unmerged = await logits(base, adapter);
    const merged = await logits(join(dir, 'f32'), null);
    const plain = await logits(base, null);
    const d = relDiff(merged, unmerged);
    const torch = relDiff(refs.merged, refs.adapter);
    console.log(
      `merge f32: Prism merged vs unmerged ${d.toExponential(2)}; PyTorch merged vs ` +
        `unmerged ${torch.toExponential(2)}; ` +
        `Prism merged vs PyTorch merged ${relDiff(merged, refs.merged).toExponential(2)}; adapter ` +
        `effect ${relDiff(plain, unmerged).toExponential(2)}`,
    );
    expect(d).toBeLessThanOrEqual(1e-5);
    expect(torch).toBeLessThanOrEqual(1e-5);
    expect(relDiff(merged, refs.merged)).toBeLessThanOrEqual(1e-3);
    // The adapter matters, so equality above is not a no-op.
    expect(relDiff(plain, unmerged)).toBeGreaterThan(1e-2);
  }, 120_000);

  it('bf16: within bf16 rounding of the weights', async () => {
    const unmerged = await logits(base, adapter);
    const merged = await logits(join(dir, 'bf16'), null);
    const d = relDiff(merged, unmerged);
    console.log(`merge bf16: merged (bf16 weights) vs unmerged (f32) ${d.toExponential(2)}`);
    // bf16 keeps 8 significant bits (relative rounding ≤ 2^-9 ≈ 2e-3 per weight); through two layers
    // the logits move by about that much.
    expect(d).toBeLessThanOrEqual(1e-2);
    expect(d).toBeGreaterThan(0);
  }, 120_000);
});

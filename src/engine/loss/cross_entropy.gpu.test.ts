// GPU LM head → cross entropy (shaders/cross_entropy.wgsl) against the float64 reference and
// PyTorch's F.cross_entropy(ignore_index=-100): vocabulary 1000 held in three buffers of 384,
// 384 and 232 rows and processed in blocks that do not line up with them, hidden 48 (not a
// multiple of the 16-wide k tile), T not a multiple of the 64-token tile, -100 targets, and the
// weight in f32, bf16 and f16; Gemma's final-logit soft cap; Gemma 3's 262,144-row vocabulary.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeAdapter, nodeDevice } from '../../cli/node-gpu.ts';
import { readF32, storageBuffer, submit } from '../runtime/index.ts';
import { maxRelErr, rng } from '../testing/random.ts';
import { FusedCrossEntropy, type CrossEntropyBackwardOptions, type LmHead, type LmHeadDType } from './cross_entropy.ts';
import { crossEntropyRef } from './reference.ts';

// Bounds, as max|gpu − ref| / max|ref| per tensor (f32 kernels against float64).
const LOSS_TOL = 2e-6; // per-token loss, lse, mean
const GRAD_TOL = 1e-5; // dHidden

let device: GPUDevice;
beforeAll(async () => {
  device = await nodeDevice();
});

/** Weights exactly representable in `dtype` (k/256 fits bf16's 8-bit significand, k/1024 f16's 11). */
function weights(n: number, dtype: LmHeadDType, seed: number): Float32Array {
  const r = rng(seed);
  const u = r.uniform(n, -1, 1);
  if (dtype === 'f32') return u.map((x) => x * 0.7);
  const q = dtype === 'bf16' ? 256 : 1024;
  return u.map((x) => Math.round(x * (q - 1)) / q);
}

function halfBits(x: number, dtype: 'bf16' | 'f16'): number {
  if (dtype === 'bf16') return new Uint32Array(new Float32Array([x]).buffer)[0] >>> 16;
  if (x === 0) return 0;
  const sign = x < 0 ? 0x8000 : 0;
  const a = Math.abs(x);
  const e = Math.floor(Math.log2(a));
  return sign | ((e + 15) << 10) | Math.round((a / 2 ** e - 1) * 1024);
}

/** Rows [r0, r1) of W [V, d] in the dtype's storage layout (halves two per u32, low first). */
function packRows(w: Float32Array, d: number, r0: number, r1: number, dtype: LmHeadDType): ArrayBufferView {
  const x = w.subarray(r0 * d, r1 * d);
  if (dtype === 'f32') return x;
  const out = new Uint16Array(x.length + (x.length % 2));
  x.forEach((v, i) => (out[i] = halfBits(v, dtype)));
  return out;
}

interface Case {
  T: number;
  d: number;
  chunks: number[];
  dtype: LmHeadDType;
  chunkRows: number;
  softcap?: number;
}

interface Data {
  h: Float32Array;
  w: Float32Array;
  targets: Int32Array;
}

function data(c: Case, seed: number): Data {
  const V = c.chunks.reduce((a, b) => a + b, 0);
  const r = rng(seed);
  const targets = r.ints(c.T, V);
  for (let t = 0; t < c.T; t += 5) targets[t] = -100;
  targets[1] = V - 1; // the last row of the last buffer
  targets[2] = c.chunks[0]; // the first row of the second buffer
  return { h: r.normal(c.T * c.d), w: weights(V * c.d, c.dtype, seed + 1), targets };
}

async function runGpu(
  c: Case,
  x: Data,
  dev: GPUDevice = device,
  bwd?: { init: Float32Array; opts: CrossEntropyBackwardOptions },
  forwardOnly = false,
) {
  const buffers: GPUBuffer[] = [];
  const mk = (v: ArrayBufferView | number) => {
    const b = storageBuffer(dev, v);
    buffers.push(b);
    return b;
  };
  let r0 = 0;
  const head: LmHead = {
    hidden: c.d,
    dtype: c.dtype,
    softcap: c.softcap,
    chunks: c.chunks.map((rows) => {
      const buffer = mk(packRows(x.w, c.d, r0, r0 + rows, c.dtype));
      r0 += rows;
      return { buffer, rows };
    }),
  };
  const ce = new FusedCrossEntropy(dev, head, { maxTokens: c.T + 3, chunkRows: c.chunkRows });
  const b = {
    hidden: mk(x.h),
    targets: mk(x.targets),
    loss: mk(c.T * 4),
    lse: mk(c.T * 4),
    mean: mk(8),
    dHidden: mk(bwd?.init ?? new Float32Array(c.T * c.d).fill(123)), // overwritten unless accumulate
  };
  const enc = dev.createCommandEncoder();
  ce.forward(enc, c.T, b);
  if (!forwardOnly) ce.backward(enc, c.T, b, bwd?.opts);
  submit(dev, enc);
  const out = {
    loss: await readF32(dev, b.loss, c.T),
    lse: await readF32(dev, b.lse, c.T),
    mean: await readF32(dev, b.mean, 2),
    dHidden: await readF32(dev, b.dHidden, c.T * c.d),
  };
  ce.destroy();
  buffers.forEach((buf) => buf.destroy());
  return out;
}

const cases: Case[] = [
  { T: 37, d: 48, chunks: [384, 384, 232], dtype: 'f32', chunkRows: 160 },
  { T: 37, d: 48, chunks: [384, 384, 232], dtype: 'bf16', chunkRows: 384 },
  { T: 37, d: 48, chunks: [384, 384, 232], dtype: 'f16', chunkRows: 100 },
  { T: 70, d: 33, chunks: [501, 499], dtype: 'bf16', chunkRows: 4096 },
  { T: 37, d: 48, chunks: [384, 384, 232], dtype: 'f32', chunkRows: 160, softcap: 2.5 },
];

describe('fused cross entropy on WebGPU vs float64 reference', () => {
  for (const c of cases) {
    const name =
      `T=${c.T} hidden ${c.d} vocab ${c.chunks.join('+')} ${c.dtype} blocks of ` +
      `${c.chunkRows}${c.softcap ? ` soft cap ${c.softcap}` : ''}`;
    it(name, async () => {
      const x = data(c, c.T + c.d + c.chunkRows);
      const V = c.chunks.reduce((a, b) => a + b, 0);
      const got = await runGpu(c, x);
      const ref = crossEntropyRef(x.h, x.w, x.targets, c.T, c.d, V, c.softcap);
      const errs = {
        loss: maxRelErr(got.loss, ref.loss),
        lse: maxRelErr(got.lse, ref.lse),
        mean: Math.abs(got.mean[0] - ref.mean) / ref.mean,
        dHidden: maxRelErr(got.dHidden, ref.dHidden),
      };
      console.log(
        name,
        JSON.stringify(errs, (_, v: unknown) => (typeof v === 'number' ? Number(v.toExponential(2)) : v)),
      );
      expect(got.mean[1]).toBe(ref.nValid);
      expect(errs.loss).toBeLessThan(LOSS_TOL);
      expect(errs.lse).toBeLessThan(LOSS_TOL);
      expect(errs.mean).toBeLessThan(LOSS_TOL);
      expect(errs.dHidden).toBeLessThan(GRAD_TOL);
    });
  }

  it("Gemma 3's 262,144-row vocabulary in three buffers, 32 blocks of 8192, soft cap 30: loss and lse", async () => {
    // Forward only: one 64-wide tile per block makes the backward one workgroup walking all
    // 262,144 rows, minutes on SwiftShader; the backward's block walk is the forward's.
    const c: Case = { T: 9, d: 16, chunks: [100_000, 100_000, 62_144], dtype: 'bf16', chunkRows: 8192, softcap: 30 };
    const x = data(c, 262);
    x.targets[3] = 262_143;
    x.targets[4] = 200_000;
    const got = await runGpu(c, x, device, undefined, true);
    const ref = crossEntropyRef(x.h, x.w, x.targets, c.T, c.d, 262_144, c.softcap);
    expect(got.mean[1]).toBe(ref.nValid);
    expect(maxRelErr(got.loss, ref.loss)).toBeLessThan(LOSS_TOL);
    expect(maxRelErr(got.lse, ref.lse)).toBeLessThan(LOSS_TOL);
    expect(Math.abs(got.mean[0] - ref.mean) / ref.mean).toBeLessThan(LOSS_TOL);
  });

  it('backward accumulates into dHidden with a chosen divisor and gradient scale', async () => {
    const c = cases[0];
    const x = data(c, 8);
    const init = rng(9).normal(c.T * c.d);
    const got = await runGpu(c, x, device, { init, opts: { accumulate: true, gradScale: 0.5, divisor: 10 } });
    const ref = crossEntropyRef(x.h, x.w, x.targets, c.T, c.d, 1000);
    // ref.dHidden is d(mean)/dh = Σ(...)/nValid; here the sum is divided by 10 and scaled by 0.5.
    const want = ref.dHidden.map((g, i) => init[i] + (g * ref.nValid * 0.5) / 10);
    expect(maxRelErr(got.dHidden, want)).toBeLessThan(GRAD_TOL);
  });

  it("fits WebGPU's default limits (what a browser gives without requiredLimits)", async () => {
    const small = await (await nodeAdapter()).requestDevice();
    const c: Case = { T: 37, d: 48, chunks: [384, 384, 232], dtype: 'bf16', chunkRows: 300 };
    const x = data(c, 5);
    small.pushErrorScope('validation');
    const got = await runGpu(c, x, small);
    expect(await small.popErrorScope()).toBeNull();
    const ref = crossEntropyRef(x.h, x.w, x.targets, c.T, c.d, 1000);
    expect(maxRelErr(got.loss, ref.loss)).toBeLessThan(LOSS_TOL);
    expect(maxRelErr(got.dHidden, ref.dHidden)).toBeLessThan(GRAD_TOL);
    small.destroy();
  });
});

const PY = '/usr/bin/python3';
const TORCH_SCRIPT = String.raw`
import json, sys
import torch
import torch.nn.functional as F
a = json.load(sys.stdin)
T, d, V = a['T'], a['d'], a['V']
h = torch.tensor(a['h'], dtype=torch.float64).reshape(T, d).requires_grad_(True)
w = torch.tensor(a['w'], dtype=torch.float64).reshape(V, d)
y = torch.tensor(a['targets'], dtype=torch.long)
logits = h @ w.T
loss = F.cross_entropy(logits, y, ignore_index=-100)
loss.backward()
per_token = F.cross_entropy(logits.detach(), y, ignore_index=-100, reduction='none')
json.dump({'mean': loss.item(), 'loss': per_token.tolist(), 'dh': h.grad.reshape(-1).tolist()}, sys.stdout)
`;

describe('fused cross entropy on WebGPU vs PyTorch autograd', () => {
  it('mean loss, per-token loss and dHidden match F.cross_entropy(ignore_index=-100)', async () => {
    if (!existsSync(PY)) throw new Error(`${PY} not found: apt-get install python3 python3-torch python3-numpy`);
    const c: Case = { T: 37, d: 48, chunks: [384, 384, 232], dtype: 'bf16', chunkRows: 160 };
    const x = data(c, 77);
    const res = spawnSync(PY, ['-c', TORCH_SCRIPT], {
      input: JSON.stringify({ T: c.T, d: c.d, V: 1000, h: [...x.h], w: [...x.w], targets: [...x.targets] }),
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    if (res.status !== 0) {
      throw new Error(`PyTorch reference failed (apt-get install python3-torch python3-numpy):\n${res.stderr}`);
    }
    const torch = JSON.parse(res.stdout) as { mean: number; loss: number[]; dh: number[] };
    const got = await runGpu(c, x);
    const errs = {
      mean: Math.abs(got.mean[0] - torch.mean) / torch.mean,
      loss: maxRelErr(got.loss, torch.loss),
      dh: maxRelErr(got.dHidden, torch.dh),
    };
    console.log('torch', JSON.stringify(errs));
    expect(errs.mean).toBeLessThan(1e-4);
    expect(errs.loss).toBeLessThan(1e-4);
    expect(errs.dh).toBeLessThan(1e-4);
    // The float64 reference agrees with PyTorch to rounding.
    const ref = crossEntropyRef(x.h, x.w, x.targets, c.T, c.d, 1000);
    expect(Math.abs(ref.mean - torch.mean) / torch.mean).toBeLessThan(1e-12);
    expect(maxRelErr(ref.dHidden, torch.dh)).toBeLessThan(1e-12);
  });
});

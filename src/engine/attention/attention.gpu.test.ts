// GPU attention (shaders/attention_fwd.wgsl, attention_bwd.wgsl) against the float64 CPU
// reference on awkward sizes (T not a multiple of the 64-query block or the key tile, three
// packed sequences with unordered ids, GQA ratios 1, 2 and 4, head dims 16, 32, 64, 128 and 256,
// sliding windows and soft caps), a packed row against its sequences run one by one, and PyTorch
// autograd on one case.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeAdapter, nodeDevice } from '../../cli/node-gpu.ts';
import { readF32, storageBuffer, submit } from '../runtime/index.ts';
import { maxRelErr, rng } from '../testing/random.ts';
import { attentionBackward, attentionForward, type AttentionDims } from './attention.ts';
import { attentionBackwardRef, attentionForwardRef } from './reference.ts';

// Bounds, as max|gpu − ref| / max|ref| per tensor (f32 kernels against float64).
const FWD_TOL = 2e-6; // out and lse (measured ≤ 1.9e-7)
const BWD_TOL = 5e-6; // dq, dk, dv (measured ≤ 4.4e-7)

let device: GPUDevice;
beforeAll(async () => {
  device = await nodeDevice();
});

interface Inputs {
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  dOut: Float32Array;
  seq: Int32Array;
}

function inputs(d: AttentionDims, lengths: number[], ids: number[], seed: number): Inputs {
  const r = rng(seed);
  const seq = new Int32Array(d.T);
  let t = 0;
  lengths.forEach((n, s) => {
    for (let i = 0; i < n; i++) seq[t++] = ids[s];
  });
  if (t !== d.T) throw new Error('lengths must sum to T');
  return {
    q: r.normal(d.T * d.nHeads * d.headDim),
    k: r.normal(d.T * d.nKvHeads * d.headDim),
    v: r.normal(d.T * d.nKvHeads * d.headDim),
    dOut: r.normal(d.T * d.nHeads * d.headDim),
    seq,
  };
}

interface GpuResult {
  out: Float32Array;
  lse: Float32Array;
  dq: Float32Array;
  dk: Float32Array;
  dv: Float32Array;
}

async function runGpu(d: AttentionDims, x: Inputs, dev: GPUDevice = device): Promise<GpuResult> {
  const qn = d.T * d.nHeads * d.headDim;
  const kn = d.T * d.nKvHeads * d.headDim;
  const b = {
    q: storageBuffer(dev, x.q),
    k: storageBuffer(dev, x.k),
    v: storageBuffer(dev, x.v),
    seqIds: storageBuffer(dev, x.seq),
    out: storageBuffer(dev, qn * 4),
    lse: storageBuffer(dev, d.T * d.nHeads * 4),
    dOut: storageBuffer(dev, x.dOut),
    rowStats: storageBuffer(dev, d.T * d.nHeads * 8),
    dq: storageBuffer(dev, qn * 4),
    dk: storageBuffer(dev, kn * 4),
    dv: storageBuffer(dev, kn * 4),
  };
  const enc = dev.createCommandEncoder();
  attentionForward(dev, enc, d, b);
  attentionBackward(dev, enc, d, b);
  submit(dev, enc);
  const res = {
    out: await readF32(dev, b.out, qn),
    lse: await readF32(dev, b.lse, d.T * d.nHeads),
    dq: await readF32(dev, b.dq, qn),
    dk: await readF32(dev, b.dk, kn),
    dv: await readF32(dev, b.dv, kn),
  };
  Object.values(b).forEach((buf) => buf.destroy());
  return res;
}

const cases: Array<{ d: AttentionDims; lengths: number[]; ids: number[] }> = [
  { d: { T: 37, nHeads: 4, nKvHeads: 4, headDim: 16 }, lengths: [13, 17, 7], ids: [5, 2, 9] },
  { d: { T: 37, nHeads: 4, nKvHeads: 2, headDim: 16 }, lengths: [13, 17, 7], ids: [5, 2, 9] },
  { d: { T: 37, nHeads: 4, nKvHeads: 1, headDim: 32 }, lengths: [13, 17, 7], ids: [5, 2, 9] },
  { d: { T: 37, nHeads: 4, nKvHeads: 2, headDim: 64 }, lengths: [20, 1, 16], ids: [0, 1, 2] },
  { d: { T: 21, nHeads: 2, nKvHeads: 1, headDim: 128 }, lengths: [19, 2], ids: [1, 0] },
  // Several query blocks and key tiles; a sequence straddles the 64-token block boundary.
  { d: { T: 133, nHeads: 2, nKvHeads: 1, headDim: 16 }, lengths: [50, 70, 13], ids: [4, 3, 8] },
  // Gemma: head_dim 256, a sliding window shorter than a sequence and than the 64-query block,
  // Gemma 2's soft cap (tight, so it shapes every score).
  {
    d: { T: 90, nHeads: 2, nKvHeads: 1, headDim: 256, scale: 0.1, softcap: 2, window: 24 },
    lengths: [70, 20],
    ids: [1, 0],
  },
  { d: { T: 133, nHeads: 4, nKvHeads: 2, headDim: 16, window: 40 }, lengths: [100, 33], ids: [7, 2] },
  { d: { T: 37, nHeads: 4, nKvHeads: 2, headDim: 32, softcap: 1.5 }, lengths: [13, 17, 7], ids: [5, 2, 9] },
];

describe('attention on WebGPU vs float64 reference', () => {
  for (const { d, lengths, ids } of cases) {
    const extra = `${d.window ? ` window ${d.window}` : ''}${d.softcap ? ` soft cap ${d.softcap}` : ''}`;
    const name =
      `T=${d.T} heads ${d.nHeads}/${d.nKvHeads} head_dim ${d.headDim} sequences ` + `${lengths.join('+')}${extra}`;
    it(name, async () => {
      const x = inputs(d, lengths, ids, d.T * 7 + d.nKvHeads + d.headDim);
      const got = await runGpu(d, x);
      const ref = attentionForwardRef(d, x.q, x.k, x.v, x.seq);
      const g = attentionBackwardRef(d, x.q, x.k, x.v, x.seq, x.dOut);
      const errs = {
        out: maxRelErr(got.out, ref.out),
        lse: maxRelErr(got.lse, ref.lse),
        dq: maxRelErr(got.dq, g.dq),
        dk: maxRelErr(got.dk, g.dk),
        dv: maxRelErr(got.dv, g.dv),
      };
      console.log(
        name,
        JSON.stringify(errs, (_, v: unknown) => (typeof v === 'number' ? Number(v.toExponential(2)) : v)),
      );
      expect(errs.out).toBeLessThan(FWD_TOL);
      expect(errs.lse).toBeLessThan(FWD_TOL);
      expect(errs.dq).toBeLessThan(BWD_TOL);
      expect(errs.dk).toBeLessThan(BWD_TOL);
      expect(errs.dv).toBeLessThan(BWD_TOL);
    });
  }

  it("fits WebGPU's default limits (16 KiB workgroup storage, 8 storage buffers) at head_dim 64", async () => {
    // What a browser gives without requiredLimits; nodeDevice() asks for the adapter's own.
    const small = await (await nodeAdapter()).requestDevice();
    expect(small.limits.maxComputeWorkgroupStorageSize).toBe(16384);
    for (const headDim of [64]) {
      const d: AttentionDims = { T: 37, nHeads: 4, nKvHeads: 2, headDim };
      const x = inputs(d, [13, 17, 7], [5, 2, 9], 31 + headDim);
      small.pushErrorScope('validation');
      const got = await runGpu(d, x, small);
      expect(await small.popErrorScope()).toBeNull();
      const ref = attentionForwardRef(d, x.q, x.k, x.v, x.seq);
      const g = attentionBackwardRef(d, x.q, x.k, x.v, x.seq, x.dOut);
      expect(maxRelErr(got.out, ref.out)).toBeLessThan(FWD_TOL);
      expect(maxRelErr(got.dq, g.dq)).toBeLessThan(BWD_TOL);
      expect(maxRelErr(got.dk, g.dk)).toBeLessThan(BWD_TOL);
      expect(maxRelErr(got.dv, g.dv)).toBeLessThan(BWD_TOL);
    }
    small.destroy();
  });

  it('a packed row equals its sequences run separately (no leak across sequence ids)', async () => {
    const d: AttentionDims = { T: 37, nHeads: 4, nKvHeads: 2, headDim: 16 };
    const lengths = [13, 17, 7];
    const x = inputs(d, lengths, [5, 2, 9], 99);
    const packed = await runGpu(d, x);
    let t0 = 0;
    for (const n of lengths) {
      const sd = { ...d, T: n };
      const qs = (a: Float32Array, heads: number) => a.slice(t0 * heads * d.headDim, (t0 + n) * heads * d.headDim);
      const alone = await runGpu(sd, {
        q: qs(x.q, 4),
        k: qs(x.k, 2),
        v: qs(x.v, 2),
        dOut: qs(x.dOut, 4),
        seq: new Int32Array(n),
      });
      expect(maxRelErr(qs(packed.out, 4), alone.out)).toBeLessThan(1e-6);
      expect(maxRelErr(qs(packed.dq, 4), alone.dq)).toBeLessThan(1e-5);
      expect(maxRelErr(qs(packed.dk, 2), alone.dk)).toBeLessThan(1e-5);
      expect(maxRelErr(qs(packed.dv, 2), alone.dv)).toBeLessThan(1e-5);
      t0 += n;
    }
  });
});

const PY = '/usr/bin/python3';
const TORCH_SCRIPT = String.raw`
import json, sys
import torch
import torch.nn.functional as F
a = json.load(sys.stdin)
T, H, HKV, D = a['T'], a['H'], a['HKV'], a['D']
f = lambda x, n: torch.tensor(x, dtype=torch.float64).reshape(T, n, D).requires_grad_(True)
q, k, v = f(a['q'], H), f(a['k'], HKV), f(a['v'], HKV)
do = torch.tensor(a['dout'], dtype=torch.float64).reshape(T, H, D)
seq = torch.tensor(a['seq'])
mask = (seq[:, None] == seq[None, :]) & torch.ones(T, T, dtype=torch.bool).tril()
rep = H // HKV
qh = q.transpose(0, 1)[None]
kh = k.transpose(0, 1).repeat_interleave(rep, dim=0)[None]
vh = v.transpose(0, 1).repeat_interleave(rep, dim=0)[None]
if hasattr(F, 'scaled_dot_product_attention'):
    o = F.scaled_dot_product_attention(qh, kh, vh, attn_mask=mask)
else:  # torch < 2.0: the same masked softmax attention, written out
    s = (qh @ kh.transpose(-1, -2)) / D ** 0.5
    o = torch.softmax(s.masked_fill(~mask, float('-inf')), dim=-1) @ vh
o = o[0].transpose(0, 1)
(o * do).sum().backward()
out = lambda t: t.detach().reshape(-1).tolist()
json.dump({'out': out(o), 'dq': out(q.grad), 'dk': out(k.grad), 'dv': out(v.grad)}, sys.stdout)
`;

describe('attention on WebGPU vs PyTorch autograd', () => {
  it('GQA forward and backward with a block-diagonal causal mask match F.scaled_dot_product_attention', async () => {
    if (!existsSync(PY)) throw new Error(`${PY} not found: apt-get install python3 python3-torch python3-numpy`);
    const d: AttentionDims = { T: 37, nHeads: 4, nKvHeads: 2, headDim: 16 };
    const x = inputs(d, [13, 17, 7], [5, 2, 9], 2024);
    const res = spawnSync(PY, ['-c', TORCH_SCRIPT], {
      input: JSON.stringify({
        T: d.T,
        H: d.nHeads,
        HKV: d.nKvHeads,
        D: d.headDim,
        q: [...x.q],
        k: [...x.k],
        v: [...x.v],
        dout: [...x.dOut],
        seq: [...x.seq],
      }),
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    if (res.status !== 0) {
      throw new Error(`PyTorch reference failed (apt-get install python3-torch python3-numpy):\n${res.stderr}`);
    }
    const torch = JSON.parse(res.stdout) as Record<'out' | 'dq' | 'dk' | 'dv', number[]>;
    const got = await runGpu(d, x);
    for (const key of ['out', 'dq', 'dk', 'dv'] as const) {
      const err = maxRelErr(got[key], torch[key]);
      console.log(`torch ${key} rel err ${err.toExponential(2)}`);
      expect(err).toBeLessThan(1e-4);
    }
    // The float64 reference itself agrees with PyTorch to rounding.
    const g = attentionBackwardRef(d, x.q, x.k, x.v, x.seq, x.dOut);
    expect(maxRelErr(g.dk, torch.dk)).toBeLessThan(1e-12);
    expect(maxRelErr(attentionForwardRef(d, x.q, x.k, x.v, x.seq).out, torch.out)).toBeLessThan(1e-12);
  });
});

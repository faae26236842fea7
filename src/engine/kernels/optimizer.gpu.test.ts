// AdamW and global gradient-norm clipping on SwiftShader against PyTorch itself
// (torch.optim.AdamW and torch.nn.utils.clip_grad_norm_, one /usr/bin/python3 run for the file),
// and the RoPE inverse frequencies / cos-sin tables against torch's float32 arithmetic with
// transformers' _compute_llama3_parameters formula.
// Bounds: AdamW params after 4 steps ≤ 1e-6 relative to max|p| (f32 rounding order differs by
// an ulp or so per op); grad norm ≤ 1e-6 relative; RoPE tables ≤ 1e-6 absolute.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { nodeDevice } from '../../cli/node-gpu.ts';
import { maxAbsErr, maxRelErr, rng } from '../testing/random.ts';
import { read, runChecked, upload, zeros } from '../testing/gpu.ts';
import { adamwStep, gradNorm, gradNormSlots } from './adamw.ts';
import { DispatchProfiler } from '../runtime/profiler.ts';
import { ropeInvFreq, ropeTables } from './rope.ts';

const PY = '/usr/bin/python3';
const g = rng(2024);
const sizes = [300, 17, 1025];
const params0 = sizes.map((n) => g.normal(n));
const gradSteps = [0, 1, 2, 3].map(() => sizes.map((n) => g.normal(n, 2)));
const hyper = { lr: 3e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weight_decay: 0.1 };
const maxNorm = 1.0;
const ropeCases = [
  {
    dim: 64,
    theta: 500000,
    scaling: { factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
  },
  {
    dim: 128,
    theta: 500000,
    scaling: { factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
  },
  { dim: 64, theta: 1000000, scaling: null },
  { dim: 12, theta: 10000, scaling: null },
];
const positions = [0, 1, 7, 100, 2047, 8191, 30000];

const script = `
import sys, json, math, torch
inp = json.load(sys.stdin)
out = {}
# AdamW with clipping, several steps
ps = [torch.nn.Parameter(torch.tensor(p, dtype=torch.float32)) for p in inp["params"]]
h = inp["hyper"]
opt = torch.optim.AdamW(
    ps, lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["eps"], weight_decay=h["weight_decay"], foreach=False
)
norms = []
for grads in inp["grads"]:
    for p, g in zip(ps, grads):
        p.grad = torch.tensor(g, dtype=torch.float32)
    norms.append(float(torch.nn.utils.clip_grad_norm_(ps, inp["max_norm"])))
    opt.step()
out["params"] = [p.detach().tolist() for p in ps]
out["norms"] = norms
# RoPE: transformers' default + llama3 inverse frequencies, then cos/sin as LlamaRotaryEmbedding
rope = []
for c in inp["rope"]:
    dim, base = c["dim"], c["theta"]
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    s = c["scaling"]
    if s:
        factor, lo, hi = s["factor"], s["low_freq_factor"], s["high_freq_factor"]
        old = s["original_max_position_embeddings"]
        low_freq_wavelen = old / lo
        high_freq_wavelen = old / hi
        wavelen = 2 * math.pi / inv_freq
        inv_freq_llama = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
        smooth_factor = (old / wavelen - lo) / (hi - lo)
        smoothed_inv_freq = (1 - smooth_factor) * inv_freq_llama / factor + smooth_factor * inv_freq_llama
        is_medium_freq = ~(wavelen < high_freq_wavelen) * ~(wavelen > low_freq_wavelen)
        inv_freq = torch.where(is_medium_freq, smoothed_inv_freq, inv_freq_llama)
    pos = torch.tensor([inp["positions"]], dtype=torch.int64)
    freqs = (inv_freq[None, :, None].float() @ pos[:, None, :].float()).transpose(1, 2)
    cos, sin = freqs.cos()[0].flatten().tolist(), freqs.sin()[0].flatten().tolist()
    rope.append({"inv": inv_freq.tolist(), "cos": cos, "sin": sin})
out["rope"] = rope
print(json.dumps(out))
`;

let device: GPUDevice;
let torchOut: { params: number[][]; norms: number[]; rope: { inv: number[]; cos: number[]; sin: number[] }[] };

beforeAll(async () => {
  if (!existsSync(PY)) throw new Error(`${PY} missing: apt-get install python3-torch python3-numpy`);
  const res = spawnSync(PY, ['-c', script], {
    input: JSON.stringify({
      params: params0.map((p) => Array.from(p)),
      grads: gradSteps.map((s) => s.map((x) => Array.from(x))),
      hyper,
      max_norm: maxNorm,
      rope: ropeCases,
      positions,
    }),
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (res.status !== 0)
    throw new Error(`PyTorch reference failed (apt-get install python3-torch): ${res.stderr || res.error}`);
  torchOut = JSON.parse(res.stdout);
  device = await nodeDevice();
});

describe('AdamW + clip_grad_norm_ vs PyTorch', () => {
  it('4 steps over 3 parameter buffers with clipping active', async () => {
    const p = params0.map((x) => upload(device, x));
    const m = sizes.map((n) => zeros(device, n));
    const v = sizes.map((n) => zeros(device, n));
    const gr = sizes.map((n) => zeros(device, n));
    const partials = zeros(device, gradNormSlots(sizes.length));
    const normOut = zeros(device, 2);
    const norms: number[] = [];
    for (let step = 1; step <= gradSteps.length; step++) {
      gradSteps[step - 1].forEach((x, i) => device.queue.writeBuffer(gr[i], 0, x));
      await runChecked(device, (enc) => {
        gradNorm(device, enc, {
          grads: gr.map((buffer, i) => ({ buffer, n: sizes[i] })),
          partials,
          out: normOut,
          maxNorm,
        });
        sizes.forEach((n, i) =>
          adamwStep(device, enc, { param: p[i], grad: gr[i], m: m[i], v: v[i], n, step, clip: normOut, ...hyper }),
        );
      });
      norms.push((await read(device, normOut))[0]);
    }
    // The norms really exceed max_norm, so clipping was exercised.
    expect(Math.min(...torchOut.norms)).toBeGreaterThan(maxNorm * 5);
    expect(maxRelErr(norms, torchOut.norms)).toBeLessThan(1e-6);
    for (let i = 0; i < sizes.length; i++) {
      const got = await read(device, p[i]);
      expect(maxRelErr(got, torchOut.params[i])).toBeLessThan(1e-6);
      expect(maxRelErr(got, params0[i])).toBeGreaterThan(1e-3); // it moved
    }
  });
});

describe('AdamW + clip_grad_norm_ over one arena (the LoRA layout) vs PyTorch', () => {
  // The adapter's norm workgroup (8 threads on a CPU adapter), and a GPU's 256.
  for (const workgroup of [undefined, 256])
    it(`3 tensors in one buffer: one norm, one AdamW dispatch a step (${workgroup ?? 'default'} threads)`, async () => {
      // Offsets as planMemory lays LoRA tensors out: 300 f32 at 0, 17 at 1280, 1025 at 1536 bytes;
      // the padding between them stays zero through every step.
      const offsets = [0, 1280, 1536];
      const floats = (1536 + 1025 * 4) / 4;
      const pack = (xs: Float32Array[]) => {
        const out = new Float32Array(floats);
        xs.forEach((x, i) => out.set(x, offsets[i] / 4));
        return out;
      };
      const p = upload(device, pack(params0));
      const [gr, m, v] = [0, 1, 2].map(() => zeros(device, floats));
      const partials = zeros(device, gradNormSlots(1));
      const normOut = zeros(device, 2);
      const norms: number[] = [];
      const prof = new DispatchProfiler(device, { timestamps: false });
      try {
        for (let step = 1; step <= gradSteps.length; step++) {
          device.queue.writeBuffer(gr, 0, pack(gradSteps[step - 1]));
          await runChecked(device, (enc) => {
            gradNorm(device, enc, { grads: [{ buffer: gr, n: floats }], partials, out: normOut, maxNorm, workgroup });
            adamwStep(device, enc, { param: p, grad: gr, m, v, n: floats, step, clip: normOut, ...hyper });
          });
          norms.push((await read(device, normOut))[0]);
        }
        expect(prof.dispatches).toBe(3 * gradSteps.length);
      } finally {
        prof.detach();
      }
      expect(maxRelErr(norms, torchOut.norms)).toBeLessThan(1e-6);
      const got = await read(device, p);
      for (let i = 0; i < sizes.length; i++) {
        const slice = got.subarray(offsets[i] / 4, offsets[i] / 4 + sizes[i]);
        expect(maxRelErr(slice, torchOut.params[i])).toBeLessThan(1e-6);
      }
      const padding = got.filter((_, j) => !offsets.some((o, i) => j >= o / 4 && j < o / 4 + sizes[i]));
      expect(padding.length).toBe(floats - 300 - 17 - 1025);
      expect(padding.every((x) => x === 0)).toBe(true);
    });
});

describe('RoPE frequencies and tables vs torch float32', () => {
  ropeCases.forEach((c, k) => {
    it(`dim=${c.dim} theta=${c.theta}${c.scaling ? ` llama3 factor ${c.scaling.factor}` : ''}`, () => {
      const inv = ropeInvFreq(c.dim, c.theta, c.scaling ? { rope_type: 'llama3', ...c.scaling } : null);
      const want = torchOut.rope[k];
      expect(maxRelErr(inv, want.inv)).toBeLessThan(1e-6);
      const { cos, sin } = ropeTables(positions, inv);
      expect(maxAbsErr(cos, want.cos)).toBeLessThan(1e-6);
      expect(maxAbsErr(sin, want.sin)).toBeLessThan(1e-6);
    });
  });
});

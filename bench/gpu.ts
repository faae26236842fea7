// The real-GPU benchmark (issue 18 §4): on one adapter, in one run, prints
//   1. matmul GFLOP/s per kernel variant at 4096³ and at the training shapes, vs the chip's f32 peak;
//   2. attention forward/backward at the training lengths;
//   3. a LoRA training step (r 16 on all 7 linear layers, AdamW) on SmolLM2-135M and Qwen2.5-0.5B
//      shapes with random bf16 weights at 512 and 1024 tokens: tokens/s and dispatches per step;
//   4. the same step in PyTorch (+ PEFT when it imports) in float32 and bfloat16, eager, on the
//      same GPU (bench/gpu_torch.py), and Prism's ratio to each.
// Built to travel: `npm run bench:gpu:pack` bundles it into one JS file with Node's binary and
// Dawn's dawn.node for a Linux x86-64 machine with an NVIDIA GPU, no Node and no network
// (bench/pack-gpu.mjs; bench/RESULTS.md says how to run it). Also runs here: `npm run bench:gpu`.
//
// Flags:
//   --dry-run        tiny shapes everywhere (SwiftShader in npm test: the whole path, in seconds)
//   --sections L     comma list of matmul,attention,train,torch (default all)
//   --peak-tflops X  the chip's f32 peak (default: from the adapter's name, H100/H200 SXM 66.9)
//   --budget-s S     stop starting new measurements after S seconds (default 420: 8 minutes with
//                    room for the PyTorch part, which runs last)
//   --python P       the Python with torch (default: the first of python3, /usr/bin/python3 that imports torch)
//   --json FILE      also write every number as JSON
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { nodeGPU } from '../src/cli/node-gpu.ts';
import { acquireDevice } from '../src/engine/device.ts';
import {
  attentionBackward,
  attentionFlops,
  attentionForward,
  type AttentionDims,
} from '../src/engine/attention/attention.ts';
import { uploadWeights } from '../src/engine/decoder/weights.ts';
import { GEMM_VARIANTS, gemm, gemmVariantApplies, type GemmArgs } from '../src/engine/kernels/matmul.ts';
import { fmt } from '../src/engine/plan/index.ts';
import { DispatchProfiler, storageBuffer, submit } from '../src/engine/runtime/index.ts';
import { destroyTensor, weightTensor, type DType } from '../src/engine/tensor/index.ts';
import { rng } from '../src/engine/testing/random.ts';
import { parseConfig } from '../src/model/config.ts';
import { KNOWN_CONFIGS } from '../src/model/known-models.ts';
import { tinyWeights } from '../src/model/tiny.ts';
import { defaultTrainConfig } from '../src/train/config.ts';
import { Trainer, type TrainEvent } from '../src/train/trainer.ts';

const { values } = parseArgs({
  options: {
    'dry-run': { type: 'boolean', default: false },
    sections: { type: 'string', default: 'matmul,attention,train,torch' },
    'peak-tflops': { type: 'string' },
    'budget-s': { type: 'string' },
    python: { type: 'string' },
    json: { type: 'string' },
  },
});
const dry = values['dry-run'];
const sections = new Set(values.sections.split(','));
for (const s of sections) {
  if (!['matmul', 'attention', 'train', 'torch'].includes(s))
    throw new Error(`--sections: unknown section ${s} (matmul, attention, train, torch)`);
}
const budget = Number(values['budget-s'] ?? 420);
const t0 = performance.now();
const elapsed = () => (performance.now() - t0) / 1000;
const results: Record<string, unknown[]> = { matmul: [], attention: [], train: [], torch: [], skipped: [] };

// ---------------------------------------------------------------- models (HF configs)
const TINY = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  hidden_act: 'silu',
  hidden_size: 64,
  intermediate_size: 128,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  vocab_size: 512,
  rms_norm_eps: 1e-6,
  max_position_embeddings: 2048,
  rope_theta: 10000,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
};
const MODELS = dry
  ? [{ name: 'tiny-llama', config: TINY as Record<string, unknown> }]
  : [
      {
        name: 'SmolLM2-135M',
        config: KNOWN_CONFIGS['HuggingFaceTB/SmolLM2-135M-Instruct'].config as Record<string, unknown>,
      },
      { name: 'Qwen2.5-0.5B', config: KNOWN_CONFIGS['Qwen/Qwen2.5-0.5B-Instruct'].config as Record<string, unknown> },
    ];
const SEQS = dry ? [16] : [512, 1024];
const LORA_R = dry ? 4 : 16;

// ---------------------------------------------------------------- device
const { device, adapter, features, description } = await acquireDevice(nodeGPU());
let gpuError: string | undefined;
device.addEventListener('uncapturederror', (ev) => {
  gpuError ??= (ev as GPUUncapturedErrorEvent).error.message;
});
const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
const name = [description, info?.device].filter(Boolean).join(' ');

/** Non-tensor-core f32 peak in TFLOP/s of the chips we expect (vendor datasheets). */
function f32Peak(adapterName: string): number | undefined {
  if (/H100.*PCIe/i.test(adapterName)) return 51.2;
  if (/H100|H200|GH200/i.test(adapterName)) return 66.9; // SXM5: 132 SMs × 128 FP32 lanes × 2 × 1.98 GHz
  if (/A100/i.test(adapterName)) return 19.5;
  return undefined;
}
const peak = values['peak-tflops'] ? Number(values['peak-tflops']) : f32Peak(name);

console.log('Prism GPU benchmark (issue 18 §4)' + (dry ? ' — DRY RUN, tiny shapes' : ''));
console.log(`date      ${new Date().toISOString()}`);
const vendor = info ? ` [vendor=${info.vendor || '-'} architecture=${info.architecture || '-'}]` : '';
console.log(`adapter   ${name || '(no description)'}${vendor}`);
console.log(
  `features  shader-f16=${features.f16} subgroups=${features.subgroups} timestamp-query=${features.timestamps}`,
);
const peakSource = values['peak-tflops'] ? ' (--peak-tflops)' : ' (datasheet, from the adapter name)';
console.log(`f32 peak  ${peak ? `${peak} TFLOP/s${peakSource}` : 'unknown (pass --peak-tflops)'}`);
console.log(`host      ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, node ${process.version}`);

function within(what: string): boolean {
  if (elapsed() < budget) return true;
  console.log(`  (skipped ${what}: past --budget-s ${budget})`);
  results.skipped.push(what);
  return false;
}

/** Seconds per repetition: one warm-up, then reps until ≥ minSeconds (at least 3), one submit each. */
async function time(record: (enc: GPUCommandEncoder) => void, minSeconds = dry ? 0 : 0.25): Promise<number> {
  device.pushErrorScope('validation');
  let enc = device.createCommandEncoder();
  record(enc);
  submit(device, enc);
  await device.queue.onSubmittedWorkDone();
  const err = await device.popErrorScope();
  if (err) throw new Error(`GPU validation error: ${err.message}`);
  let reps = 0;
  const start = performance.now();
  let batch = 1;
  while (reps < 3 || (performance.now() - start) / 1000 < minSeconds) {
    for (let i = 0; i < batch; i++) {
      enc = device.createCommandEncoder();
      record(enc);
      submit(device, enc);
    }
    reps += batch;
    await device.queue.onSubmittedWorkDone();
    batch = Math.min(batch * 2, 64);
  }
  if (gpuError) throw new Error(`GPU error: ${gpuError}`);
  return (performance.now() - start) / 1000 / reps;
}

const num = (x: number) => (!Number.isFinite(x) ? '-' : Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3));
const r = rng(1234);

// ---------------------------------------------------------------- 1. matmul
if (sections.has('matmul')) {
  console.log('\n1. Matmul Y = X·Wᵀ (X f32 [M, K], W [N, K]), GFLOP/s = 2·M·N·K / time');
  interface Shape {
    label: string;
    M: number;
    N: number;
    K: number;
    transB?: boolean;
  }
  const shapes: Shape[] = dry
    ? [
        { label: 'square (dry)', M: 67, N: 45, K: 33 },
        { label: 'dX (dry)', M: 16, N: 33, K: 45, transB: false },
        { label: 'decode (dry)', M: 1, N: 45, K: 33 },
      ]
    : [
        { label: 'square 4096³', M: 4096, N: 4096, K: 4096 },
        { label: 'decode Qwen2.5 gate 896→4864', M: 1, N: 4864, K: 896 },
      ];
  if (!dry) {
    for (const [model, h, i, T] of [
      ['SmolLM2', 576, 1536, 1024],
      ['Qwen2.5', 896, 4864, 1024],
    ] as const) {
      shapes.push(
        { label: `${model} q/o ${h}→${h}`, M: T, N: h, K: h },
        { label: `${model} gate/up ${h}→${i}`, M: T, N: i, K: h },
        { label: `${model} down ${i}→${h}`, M: T, N: h, K: i },
        { label: `${model} dX down (dY·W)`, M: T, N: i, K: h, transB: false },
        { label: `${model} LM head chunk 8192`, M: T, N: 8192, K: h },
      );
    }
  }
  const variants = GEMM_VARIANTS;
  const head = ['shape', 'M×N×K', 'W', ...variants.map((v) => `${v} GF/s`), 'best % peak'];
  const w = [30, 16, 4, ...variants.map(() => 12), 11];
  const line = (c: string[]) => console.log(c.map((s, i) => (i < 3 ? s.padEnd(w[i]) : s.padStart(w[i]))).join(' '));
  line(head);
  line(w.map((n) => '-'.repeat(n)));
  for (const s of shapes) {
    for (const dtype of ['f32', 'bf16'] as DType[]) {
      if (!within(`matmul ${s.label} ${dtype}`)) break;
      const x = storageBuffer(device, r.normal(s.M * s.K));
      const wt = weightTensor(
        device,
        r.normal(s.N * s.K, 0.05),
        s.transB === false ? [s.K, s.N] : [s.N, s.K],
        dtype,
        'w',
      );
      const y = storageBuffer(device, s.M * s.N * 4, 'y');
      const row: Record<string, number> = {};
      for (const v of variants) {
        const g: GemmArgs = {
          a: x,
          b: wt.chunks[0].buffer,
          c: y,
          M: s.M,
          N: s.N,
          K: s.K,
          transB: s.transB ?? true,
          bDtype: dtype,
          kernel: v,
        };
        if (!gemmVariantApplies(device, g, v)) continue;
        row[v] = (2 * s.M * s.N * s.K) / (await time((enc) => gemm(device, enc, g))) / 1e9;
      }
      const best = Math.max(...Object.values(row));
      line([
        s.label,
        `${s.M}×${s.N}×${s.K}`,
        dtype,
        ...variants.map((v) => num(row[v])),
        peak ? `${num((100 * best) / (peak * 1e3))}%` : '-',
      ]);
      results.matmul.push({ shape: s.label, M: s.M, N: s.N, K: s.K, transB: s.transB ?? true, dtype, gflops: row });
      x.destroy();
      y.destroy();
      destroyTensor(wt);
    }
  }
}

// ---------------------------------------------------------------- 2. attention
if (sections.has('attention')) {
  console.log('\n2. Attention (causal, f32), GFLOP/s over the causal pairs (attentionFlops)');
  const line = (c: string[]) => console.log([c[0].padEnd(30), ...c.slice(1).map((s) => s.padStart(12))].join(' '));
  line(['shape', 'fwd ms', 'fwd GF/s', 'bwd ms', 'bwd GF/s']);
  const dimsList: [string, AttentionDims][] = dry
    ? [['tiny T=16 h=4/2 d=16', { T: 16, nHeads: 4, nKvHeads: 2, headDim: 16 }]]
    : SEQS.flatMap(
        (T) =>
          [
            [`SmolLM2 T=${T} h=9/3 d=64`, { T, nHeads: 9, nKvHeads: 3, headDim: 64 }],
            [`Qwen2.5 T=${T} h=14/2 d=64`, { T, nHeads: 14, nKvHeads: 2, headDim: 64 }],
          ] as [string, AttentionDims][],
      );
  for (const [label, dims] of dimsList) {
    if (!within(`attention ${label}`)) break;
    const qN = dims.T * dims.nHeads * dims.headDim;
    const kvN = dims.T * dims.nKvHeads * dims.headDim;
    const buf = (n: number) => storageBuffer(device, r.normal(n));
    const empty = (n: number, l: string) => storageBuffer(device, n * 4, l);
    const fb = {
      q: buf(qN),
      k: buf(kvN),
      v: buf(kvN),
      seqIds: storageBuffer(device, new Int32Array(dims.T)),
      out: empty(qN, 'out'),
      lse: empty(dims.T * dims.nHeads, 'lse'),
    };
    const bb = {
      ...fb,
      dOut: buf(qN),
      rowStats: empty(dims.T * dims.nHeads * 2, 'rs'),
      dq: empty(qN, 'dq'),
      dk: empty(kvN, 'dk'),
      dv: empty(kvN, 'dv'),
    };
    const fl = attentionFlops(dims, (dims.T * (dims.T + 1)) / 2);
    const fwd = await time((enc) => attentionForward(device, enc, dims, fb));
    const bwd = await time((enc) => attentionBackward(device, enc, dims, bb));
    line([label, num(fwd * 1e3), num(fl.forward / fwd / 1e9), num(bwd * 1e3), num(fl.backward / bwd / 1e9)]);
    results.attention.push({
      shape: label,
      forward_s: fwd,
      backward_s: bwd,
      forward_gflops: fl.forward / fwd / 1e9,
      backward_gflops: fl.backward / bwd / 1e9,
    });
    for (const b of Object.values(bb)) b.destroy();
  }
}

// ---------------------------------------------------------------- 3. training step
const prismTps = new Map<string, number>();
if (sections.has('train')) {
  console.log(
    `\n3. LoRA training step in Prism: r=${LORA_R} on all 7 linear layers, AdamW, batch 1, random bf16 weights`,
  );
  const line = (c: string[]) => console.log([c[0].padEnd(14), ...c.slice(1).map((s) => s.padStart(12))].join(' '));
  line(['model', 'tokens', 's/step', 'tokens/s', 'dispatches', 'planned mem']);
  const steps = dry ? 1 : 3;
  for (const m of MODELS) {
    const spec = parseConfig({ ...m.config, torch_dtype: 'bfloat16' });
    let weights: Awaited<ReturnType<typeof uploadWeights>> | undefined;
    for (const seq of SEQS) {
      if (!within(`train ${m.name} ${seq}`)) break;
      weights ??= await uploadWeights(device, tinyWeights(spec, 1));
      const g = rng(7);
      const ids = Array.from(g.ints(seq, spec.vocab_size));
      const records = [{ input_ids: ids, labels: ids.map((x, t) => (t < seq / 4 ? -100 : x)) }];
      const config = defaultTrainConfig({
        model_id: m.name,
        template: 'chatml',
        max_steps: 1 + steps,
        per_device_train_batch_size: 1,
        gradient_accumulation_steps: 1,
        max_length: seq,
        lora: { r: LORA_R, lora_alpha: 2 * LORA_R, lora_dropout: 0 },
        save_steps: 1_000_000,
      });
      const stepEnds: { at: number; dispatches: number }[] = [];
      const prof = new DispatchProfiler(device, { timestamps: false });
      const trainer = new Trainer({
        device,
        spec,
        weights,
        config,
        records,
        padId: 0,
        onEvent: (e: TrainEvent) => {
          if (e.type === 'step') stepEnds.push({ at: performance.now(), dispatches: prof.dispatches });
        },
      });
      try {
        await trainer.run();
      } finally {
        prof.detach();
      }
      const timed = stepEnds.slice(1);
      const sec = (timed[timed.length - 1].at - stepEnds[0].at) / 1000 / timed.length;
      const perStep = (timed[timed.length - 1].dispatches - stepEnds[0].dispatches) / timed.length;
      prismTps.set(`${m.name}/${seq}`, seq / sec);
      line([m.name, String(seq), num(sec), num(seq / sec), String(Math.round(perStep)), fmt(trainer.plan.total)]);
      results.train.push({
        model: m.name,
        tokens: seq,
        seconds_per_step: sec,
        tokens_per_second: seq / sec,
        dispatches_per_step: perStep,
        planned_bytes: trainer.plan.total,
      });
      trainer.destroy();
    }
    if (weights) for (const t of weights.values()) destroyTensor(t);
  }
  console.log(`  (mean of ${steps} step(s) after 1 warm-up step; dispatches counted by DispatchProfiler)`);
}
device.destroy();

// ---------------------------------------------------------------- 4. PyTorch (+ PEFT)
function findPython(): string | undefined {
  const candidates = values.python ? [values.python] : ['python3', '/usr/bin/python3'];
  return candidates.find((p) => spawnSync(p, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0);
}
if (sections.has('torch') && within('PyTorch')) {
  console.log(`\n4. The same step in PyTorch, eager, float32 and bfloat16 (bench/gpu_torch.py)`);
  const here = dirname(fileURLToPath(import.meta.url));
  const script = join(here, 'gpu_torch.py');
  const python = findPython();
  if (!python || !existsSync(script)) {
    console.log(`  unavailable: ${!python ? 'no python3 with torch (--python)' : `${script} missing`}`);
  } else {
    const tmp = mkdtempSync(join(tmpdir(), 'prism-gpu-bench-'));
    const job = join(tmp, 'job.json');
    writeFileSync(
      job,
      JSON.stringify({
        models: MODELS,
        seqs: SEQS,
        dtypes: ['float32', 'bfloat16'],
        r: LORA_R,
        lora_alpha: 2 * LORA_R,
        steps: dry ? 1 : 5,
        warmup: 1,
      }),
    );
    const left = Math.max(60, 470 - elapsed());
    const p = spawnSync(python, [script, job], {
      encoding: 'utf8',
      timeout: Math.round(left * 1000),
      maxBuffer: 1 << 24,
    });
    rmSync(tmp, { recursive: true, force: true });
    const lines = (p.stdout ?? '')
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const rows = lines.filter((l) => !l.done);
    if (rows[0]?.impl)
      console.log(
        `  ${python}: torch ${rows[0].torch} on ${rows[0].device}; ${rows[0].impl}; ${rows[0].lora}; TF32 ` +
          `${rows[0].tf32 ? 'on' : 'off'}`,
      );
    const line = (c: string[]) => console.log([c[0].padEnd(14), ...c.slice(1).map((s) => s.padStart(12))].join(' '));
    line(['model', 'tokens', 'dtype', 's/step', 'tokens/s', 'Prism/torch']);
    for (const row of rows) {
      if (row.error) {
        line([String(row.model), String(row.tokens), String(row.dtype), 'error', String(row.error)]);
        continue;
      }
      const ours = prismTps.get(`${row.model}/${row.tokens}`);
      const tps = row.tokens_per_second as number;
      line([
        String(row.model),
        String(row.tokens),
        String(row.dtype),
        num(row.seconds_per_step as number),
        num(tps),
        ours ? `${num(ours / tps)}×` : '-',
      ]);
    }
    results.torch.push(...rows);
    if (!lines.some((l) => l.done)) {
      console.log(
        `  PyTorch run incomplete: ${p.error?.message ?? `exit ${p.status}`} ` +
          `${(p.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`,
      );
    }
  }
}

if (values.json)
  writeFileSync(values.json, JSON.stringify({ adapter: name, peak_tflops: peak, dry_run: dry, ...results }, null, 1));
console.log(`\ndone in ${elapsed().toFixed(0)} s`);

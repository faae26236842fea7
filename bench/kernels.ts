// Benchmark of the WebGPU engine's kernels (issue 6): GFLOP/s and GB/s of the WGSL matmul at
// Qwen2.5-0.5B's shapes (bf16 and f32 weights), attention forward/backward, the fused LM head +
// cross entropy for one vocabulary chunk, numpy's sgemm on the same matmul shapes in the same
// run, and the planned bytes of one LoRA training step for three model shapes.
//
// Run: node --import tsx --import ./src/cli/register.mjs bench/kernels.ts [flags]
//   (npm run bench:kernels -- [flags])
// Flags (defaults suit SwiftShader on 2 CPU cores, a few minutes; --full gives the shapes):
//   --tokens N        tokens of the matmuls and the cross entropy (default 128; --full 512)
//   --attn-tokens L   comma list of attention lengths (default 256,512; --full 512,1024)
//   --lm-rows N       vocabulary rows of the one LM head / cross entropy chunk timed, then
//                     extrapolated to the whole vocabulary (default 4096; --full 8192)
//   --lm-full         time the whole 151936-row LM head (split in --lm-rows chunks), no extrapolation
//   --dx              also time dX = dY·W (the input gradient through each frozen layer; in --full)
//   --dtypes L        weight dtypes of the matmuls and the LM head (default bf16,f32)
//   --reps K          timed repetitions after one warm-up (default 1; --full 5)
//   --quick           tokens 64, attention 128, LM chunk 2048 rows, bf16 only: a smoke run
//   --full            the shapes: tokens 512, attention 512,1024, reps 5 (for a real GPU)
//   --no-numpy, --no-plan, --no-attention, --no-ce, --no-decode   skip a section
//   --decode-only     only the decode table (matvec vs the tiled GEMM at 1 and 8 rows)
//   --variants-only   only the gemm variant table (each variant's time, the autotuner's pick)
//   --no-variants     skip it
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { num } from '../src/bench/report.ts';
import { nodeGPU } from '../src/cli/node-gpu.ts';
import { acquireDevice } from '../src/engine/device.ts';
import {
  attentionBackward,
  attentionFlops,
  attentionForward,
  type AttentionDims,
} from '../src/engine/attention/attention.ts';
import {
  GEMM_VARIANTS,
  gemm,
  gemmKernel,
  linearBackwardInput,
  linearForward,
  type GemmArgs,
} from '../src/engine/kernels/matmul.ts';
import { GemmTuner, shapeClass, type GemmShape } from '../src/engine/kernels/tuner.ts';
import { FusedCrossEntropy, crossEntropyFlops } from '../src/engine/loss/cross_entropy.ts';
import { fmt, planMemory, type ModelShape } from '../src/engine/plan/index.ts';
import { allLinear } from '../src/model/layout.ts';
import { dummyBuffer, readF32, storageBuffer, submit } from '../src/engine/runtime/index.ts';
import { BYTES, destroyTensor, weightTensor, type DType, type Tensor } from '../src/engine/tensor/index.ts';
import { rng } from '../src/engine/testing/random.ts';

const { values } = parseArgs({
  options: {
    tokens: { type: 'string' },
    'attn-tokens': { type: 'string' },
    'lm-rows': { type: 'string' },
    'lm-full': { type: 'boolean', default: false },
    dx: { type: 'boolean' },
    dtypes: { type: 'string' },
    reps: { type: 'string' },
    quick: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    'no-numpy': { type: 'boolean', default: false },
    'no-plan': { type: 'boolean', default: false },
    'no-attention': { type: 'boolean', default: false },
    'no-ce': { type: 'boolean', default: false },
    'no-decode': { type: 'boolean', default: false },
    'no-variants': { type: 'boolean', default: false },
    'decode-only': { type: 'boolean', default: false },
    'variants-only': { type: 'boolean', default: false },
  },
});

const preset = values.full
  ? { tokens: 512, attn: [512, 1024], lmRows: 8192, dtypes: ['bf16', 'f32'], reps: 5, dx: true }
  : values.quick
    ? { tokens: 64, attn: [128], lmRows: 2048, dtypes: ['bf16'], reps: 1, dx: false }
    : { tokens: 128, attn: [256, 512], lmRows: 4096, dtypes: ['bf16', 'f32'], reps: 1, dx: false };
const T = values.tokens ? Number(values.tokens) : preset.tokens;
const attnTs = values['attn-tokens'] ? values['attn-tokens'].split(',').map(Number) : preset.attn;
const lmRows = values['lm-rows'] ? Number(values['lm-rows']) : preset.lmRows;
const dtypes = (values.dtypes ? values.dtypes.split(',') : preset.dtypes) as DType[];
const reps = values.reps ? Number(values.reps) : preset.reps;
const withDx = values.dx ?? preset.dx;
// --decode-only skips every other section.
const only = values['decode-only'] || values['variants-only'];
for (const d of dtypes) if (!(d in BYTES)) throw new Error(`--dtypes: unknown dtype ${d}`);
for (const [flag, v] of [
  ['--tokens', T],
  ['--lm-rows', lmRows],
  ['--reps', reps],
  ...attnTs.map((t) => ['--attn-tokens', t] as const),
] as const) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${flag}: expected a positive integer, got ${v}`);
}

// Qwen2.5-0.5B.
const QWEN = { hidden: 896, intermediate: 4864, heads: 14, kvHeads: 2, headDim: 64, vocab: 151936 };

const t0 = Date.now();
const acquired = await acquireDevice(nodeGPU());
const { device, adapter, features, limits } = acquired;
let gpuError: string | undefined;
device.addEventListener('uncapturederror', (ev) => {
  gpuError ??= (ev as GPUUncapturedErrorEvent).error.message;
});
const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;

console.log('Prism kernel benchmark (issue 6)');
console.log(`date        ${new Date().toISOString()}`);
const vendor = info
  ? ` [vendor=${info.vendor || '-'} architecture=${info.architecture || '-'} device=${info.device || '-'}]`
  : '';
console.log(`adapter     ${acquired.description || '(no description)'}${vendor}`);
console.log(
  `features    shader-f16=${features.f16} subgroups=${features.subgroups} timestamp-query=${features.timestamps}`,
);
console.log(
  `limits      binding ${fmt(limits.maxStorageBufferBindingSize)}, buffer ${fmt(limits.maxBufferSize)}, workgroup ` +
    `storage ${fmt(limits.maxComputeWorkgroupStorageSize)}`,
);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
// SwiftShader runs on the CPUs: other processes on them slow every GPU number down.
console.log(
  `host        ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, node ${process.version}, load average ${load()}`,
);
console.log(
  `settings    tokens ${T}, attention T ${attnTs.join('/')}, LM head chunk ${lmRows} rows` +
    `${values['lm-full'] ? ' (full head timed)' : ''}, dtypes ${dtypes.join('/')}${withDx ? ', with dX' : ''}, 1 ` +
    `warm-up + ${reps} timed rep(s), wall time to onSubmittedWorkDone`,
);
console.log();

/** Share of all host cores this process used during the last timed region (SwiftShader's threads run here). */
let lastCpuShare = NaN;

/** Seconds per repetition of the recorded work: one warm-up, then `reps` submits and one wait. */
async function time(record: (enc: GPUCommandEncoder) => void): Promise<number> {
  device.pushErrorScope('validation');
  let enc = device.createCommandEncoder();
  record(enc);
  submit(device, enc);
  await device.queue.onSubmittedWorkDone();
  const err = await device.popErrorScope();
  if (err) throw new Error(`GPU validation error: ${err.message}`);
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) {
    enc = device.createCommandEncoder();
    record(enc);
    submit(device, enc);
  }
  await device.queue.onSubmittedWorkDone();
  const wall = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  lastCpuShare = (cpu.user + cpu.system) / 1e6 / wall / cpus().length;
  if (gpuError) throw new Error(`GPU error: ${gpuError}`);
  return wall / reps;
}

const r = rng(1234);
const f32Buffer = (n: number, scale = 1) => storageBuffer(device, r.normal(n, scale));

// ---------------------------------------------------------------- numpy first (it needs the CPUs
// SwiftShader also runs on, so the two must not overlap)
interface MatShape {
  name: string;
  /** out features (rows of W) */
  N: number;
  /** in features */
  K: number;
  /** multiply time and work by this to estimate the full layer (LM head chunks) */
  extrapolate: number;
  /** dX = dY·W instead of Y = X·Wᵀ */
  dx?: boolean;
}
const lmRowsTimed = Math.min(lmRows, QWEN.vocab);
const matShapes: MatShape[] = [
  { name: 'q/o proj 896→896', N: QWEN.hidden, K: QWEN.hidden, extrapolate: 1 },
  { name: 'gate/up 896→4864', N: QWEN.intermediate, K: QWEN.hidden, extrapolate: 1 },
  { name: 'down 4864→896', N: QWEN.hidden, K: QWEN.intermediate, extrapolate: 1 },
  values['lm-full']
    ? { name: `LM head 896→${QWEN.vocab}`, N: QWEN.vocab, K: QWEN.hidden, extrapolate: 1 }
    : {
        name: `LM head chunk 896→${lmRowsTimed}`,
        N: lmRowsTimed,
        K: QWEN.hidden,
        extrapolate: QWEN.vocab / lmRowsTimed,
      },
];
// The LM head's input gradient is part of the fused cross entropy (ce_dh), so not here.
if (withDx) {
  for (const s of matShapes.slice(0, 3))
    matShapes.push({ ...s, name: `dX ${s.name.replace(/^(\S+).* (\d+)→(\d+)$/, '$1 $3→$2')}`, dx: true });
}

interface NumpyResult {
  numpy: string;
  blas: { loaded: string[]; config: string[] };
  results: { name: string; seconds: number; best: number }[];
}
let numpy: NumpyResult | undefined;
let numpyError: string | undefined;
if (!values['no-numpy'] && !only) {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'numpy_sgemm.py');
  const req = {
    shapes: matShapes.map((s) =>
      s.dx ? { name: s.name, M: T, N: s.K, K: s.N, op: 'dyW' } : { name: s.name, M: T, N: s.N, K: s.K },
    ),
    reps: Math.max(5, reps),
  };
  const p = spawnSync('/usr/bin/python3', [script], {
    input: JSON.stringify(req),
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (p.status === 0) numpy = JSON.parse(p.stdout) as NumpyResult;
  else numpyError = (p.error?.message ?? p.stderr ?? '').trim().split('\n').slice(-1)[0] || `exit ${p.status}`;
}
if (numpy) {
  console.log(
    `numpy       ${numpy.numpy}; BLAS loaded: ${numpy.blas.loaded.join(', ') || '(none found in /proc/self/maps)'}`,
  );
  const libraries = numpy.blas.config.filter((l) => l.startsWith('libraries') || l.startsWith('library_dirs'));
  console.log(`            show_config: ${libraries.join('; ')}`);
} else if (!values['no-numpy'] && !only) {
  console.log(`numpy       unavailable: ${numpyError} (apt-get install python3-numpy libopenblas0-pthread)`);
}
console.log();

// ---------------------------------------------------------------- table
const cols = ['kernel', 'shape', 'weights', 'ms', 'GFLOP/s', 'GB/s', 'CPU', 'numpy ms', 'numpy GFLOP/s', 'ours/numpy'];
const widths = [38, 26, 7, 10, 8, 8, 4, 9, 13, 10];
const line = (cells: string[]) =>
  console.log(cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' '));
if (!only) {
  line(cols);
  line(widths.map((w) => '-'.repeat(w)));
}
const notes: string[] = [];

function row(
  kernel: string,
  shape: string,
  dtype: string,
  seconds: number,
  flops: number,
  bytes: number,
  np?: number,
  extrapolated = false,
): void {
  const gflops = flops / seconds / 1e9;
  const cpu = extrapolated ? '' : `${Math.round(lastCpuShare * 100)}%`;
  const cells = [kernel, shape, dtype, num(seconds * 1e3), num(gflops), num(bytes / seconds / 1e9), cpu];
  if (np !== undefined) {
    const npGflops = flops / np / 1e9;
    cells.push(num(np * 1e3), num(npGflops), num(gflops / npGflops));
  } else cells.push('', '', '');
  line(cells);
}

// ---------------------------------------------------------------- matmul Y = X·Wᵀ
for (const s of only ? [] : matShapes) {
  // Forward: x [T, K] → y [T, N]. dX: dy [T, N] → dx [T, K].
  const x = s.dx ? f32Buffer(T * s.N) : f32Buffer(T * s.K);
  const y = storageBuffer(device, T * (s.dx ? s.K : s.N) * 4, 'y');
  const npRes = numpy?.results.find((q) => q.name === s.name);
  for (const dtype of dtypes) {
    // LM head chunks: the weight is split by rows into buffers of at most --lm-rows rows.
    const maxBytes = s.N > lmRows ? lmRows * s.K * BYTES[dtype] : undefined;
    const w: Tensor = weightTensor(device, r.normal(s.N * s.K, 0.05), [s.N, s.K], dtype, 'w', maxBytes);
    const sec = await time((enc) =>
      s.dx ? linearBackwardInput(device, enc, x, w, y, T) : linearForward(device, enc, x, w, y, T, {}),
    );
    destroyTensor(w);
    const flops = 2 * T * s.N * s.K;
    // Least traffic: X and W read once, Y written once.
    const bytes = T * s.K * 4 + s.N * s.K * BYTES[dtype] + T * s.N * 4;
    const x1 = s.extrapolate;
    row(`matmul ${s.name}`, `T=${T} [${s.N}×${s.K}]`, dtype, sec, flops, bytes, npRes?.seconds);
    if (x1 !== 1) {
      row(
        `  → whole LM head (extrap. ×${x1.toFixed(2)})`,
        `T=${T} [${QWEN.vocab}×${s.K}]`,
        dtype,
        sec * x1,
        flops * x1,
        bytes * x1,
        npRes ? npRes.seconds * x1 : undefined,
        true,
      );
    }
  }
  x.destroy();
  y.destroy();
}
if (!values['lm-full'] && !only)
  notes.push(
    `"extrap." rows: one ${lmRowsTimed}-row chunk timed, time/work scaled by ${QWEN.vocab}/${lmRowsTimed}; ` +
      `--lm-full times the whole head.`,
  );

// ---------------------------------------------------------------- attention
if (!values['no-attention'] && !only) {
  for (const AT of attnTs) {
    const dims: AttentionDims = { T: AT, nHeads: QWEN.heads, nKvHeads: QWEN.kvHeads, headDim: QWEN.headDim };
    const qN = AT * QWEN.heads * QWEN.headDim;
    const kvN = AT * QWEN.kvHeads * QWEN.headDim;
    const q = f32Buffer(qN);
    const k = f32Buffer(kvN);
    const v = f32Buffer(kvN);
    const seqIds = storageBuffer(device, new Int32Array(AT)); // one causal sequence
    const out = storageBuffer(device, qN * 4, 'out');
    const lse = storageBuffer(device, AT * QWEN.heads * 4, 'lse');
    const dOut = f32Buffer(qN);
    const rowStats = storageBuffer(device, AT * QWEN.heads * 2 * 4, 'rowStats');
    const dq = storageBuffer(device, qN * 4, 'dq');
    const dk = storageBuffer(device, kvN * 4, 'dk');
    const dv = storageBuffer(device, kvN * 4, 'dv');
    const fb = { q, k, v, seqIds, out, lse };
    const pairs = (AT * (AT + 1)) / 2;
    const fl = attentionFlops(dims, pairs);
    const shape = `T=${AT} h=${QWEN.heads}/${QWEN.kvHeads} d=${QWEN.headDim}`;
    const fwd = await time((enc) => attentionForward(device, enc, dims, fb));
    // q, k, v, seqIds read; out, lse written.
    row('attention forward (causal)', shape, 'f32', fwd, fl.forward, (2 * qN + 2 * kvN + AT + AT * QWEN.heads) * 4);
    const bwd = await time((enc) => attentionBackward(device, enc, dims, { ...fb, dOut, rowStats, dq, dk, dv }));
    // q, k, v, out, dOut, lse, seqIds read; dq, dk, dv, rowStats written.
    row('attention backward', shape, 'f32', bwd, fl.backward, (4 * qN + 4 * kvN + AT + 3 * AT * QWEN.heads) * 4);
    for (const b of [q, k, v, seqIds, out, lse, dOut, rowStats, dq, dk, dv]) b.destroy();
  }
  notes.push(
    'attention FLOPs count only the causal (i ≥ j) pairs: forward 4·d·h per pair, backward 14·d·h (attentionFlops).',
  );
}

// ---------------------------------------------------------------- fused LM head + cross entropy
if (!values['no-ce'] && !only) {
  const V = values['lm-full'] ? QWEN.vocab : lmRowsTimed;
  const d = QWEN.hidden;
  const hidden = f32Buffer(T * d);
  // Targets in the chunk's vocabulary, one in ten ignored (-100) as prompt tokens would be.
  const tg = new Int32Array(T);
  for (let t = 0; t < T; t++) tg[t] = t % 10 === 9 ? -100 : Math.floor(r.next() * V);
  const targets = storageBuffer(device, tg);
  const loss = storageBuffer(device, T * 4, 'loss');
  const lse = storageBuffer(device, T * 4, 'lse');
  const mean = storageBuffer(device, 8, 'mean');
  const dHidden = storageBuffer(device, T * d * 4, 'dHidden');
  for (const dtype of dtypes) {
    const w = weightTensor(device, r.normal(V * d, 0.05), [V, d], dtype, 'lm_head', lmRows * d * BYTES[dtype]);
    // One vocabulary chunk = one weight buffer = one logits block of the fused kernel.
    const ce = new FusedCrossEntropy(
      device,
      { chunks: w.chunks.map((c) => ({ buffer: c.buffer, rows: c.rows })), hidden: d, dtype },
      { maxTokens: T, chunkRows: lmRows },
    );
    const fl = crossEntropyFlops(T, d, V);
    const shape = `T=${T} [${V}×${d}] block ${ce.chunkRows}`;
    const x1 = QWEN.vocab / V;
    const fwd = await time((enc) => ce.forward(enc, T, { hidden, targets, loss, lse, mean }));
    // hidden, W, targets read; loss, lse, mean written.
    const fBytes = T * d * 4 + V * d * BYTES[dtype] + T * 4 + 2 * T * 4;
    row('fused LM head+CE forward', shape, dtype, fwd, fl.forward, fBytes);
    // A timing of a kernel that did nothing would mislead: the mean must be a real loss over the kept tokens.
    const [meanLoss, count] = await readF32(device, mean, 2);
    const kept = tg.filter((t) => t >= 0).length;
    if (!Number.isFinite(meanLoss) || meanLoss <= 0 || count !== kept) {
      throw new Error(
        `cross entropy sanity check failed: mean ${meanLoss} over ${count} tokens (want > 0 over ${kept})`,
      );
    }
    const bwd = await time((enc) => ce.backward(enc, T, { hidden, targets, lse, mean, dHidden }));
    // hidden, W (twice: logits, then dH), targets, lse read; dHidden written.
    const bBytes = T * d * 4 + 2 * V * d * BYTES[dtype] + 2 * T * 4 + T * d * 4;
    row('fused LM head+CE backward', shape, dtype, bwd, fl.backward, bBytes);
    if (x1 !== 1) {
      row(
        `  → whole vocab f+b (extrap. ×${x1.toFixed(2)})`,
        `T=${T} [${QWEN.vocab}×${d}]`,
        dtype,
        (fwd + bwd) * x1,
        (fl.forward + fl.backward) * x1,
        (fBytes + bBytes) * x1,
        undefined,
        true,
      );
    }
    ce.destroy();
    destroyTensor(w);
  }
  for (const b of [hidden, targets, loss, lse, mean, dHidden]) b.destroy();
  notes.push(
    'fused LM head+CE: ' +
      (values['lm-full'] ? 'the whole vocabulary' : 'one vocabulary chunk timed (one logits block)') +
      '; backward recomputes the logits, then dH; FLOPs per crossEntropyFlops.',
  );
}

// ---------------------------------------------------------------- decode: matvec vs tiled GEMM
// A decode step multiplies 1 (or a few) rows by every weight: the tiled GEMM computes a 64-row
// tile to keep one row; matvec.wgsl reads each weight once for all rows. Both run here on the
// same weights, one after the other; "per step" sums one layer's seven products × 24 layers +
// the LM head (extrapolated from one --lm-rows chunk) — the matmul share of a Qwen2.5-0.5B step.
if (!values['no-decode'] && !values['variants-only']) {
  const layer = [
    { name: 'q', N: QWEN.hidden, K: QWEN.hidden },
    { name: 'k', N: QWEN.kvHeads * QWEN.headDim, K: QWEN.hidden },
    { name: 'v', N: QWEN.kvHeads * QWEN.headDim, K: QWEN.hidden },
    { name: 'o', N: QWEN.hidden, K: QWEN.hidden },
    { name: 'gate', N: QWEN.intermediate, K: QWEN.hidden },
    { name: 'up', N: QWEN.intermediate, K: QWEN.hidden },
    { name: 'down', N: QWEN.hidden, K: QWEN.intermediate },
  ];
  const LAYERS = 24;
  const kernels = ['tiled', 'narrow', 'wide'] as const;
  console.log();
  const decodeChoice = gemmKernel(device, {
    a: dummyBuffer(device),
    b: dummyBuffer(device),
    c: dummyBuffer(device),
    M: 1,
    N: 4,
    K: 4,
  });
  console.log(
    `Decode products (Qwen2.5-0.5B, bf16 weights): ms per product; adapter's choice for ≤ 8 rows: ${decodeChoice}`,
  );
  const dc = ['rows', 'product', 'shape', ...kernels.map((k) => `${k} ms`), 'tiled/best'];
  const dw = [4, 18, 14, 10, 10, 10, 10];
  const dline = (cells: string[]) =>
    console.log(cells.map((c, i) => (i < 3 ? c.padEnd(dw[i]) : c.padStart(dw[i]))).join(' '));
  dline(dc);
  dline(dw.map((w) => '-'.repeat(w)));
  const lmN = Math.min(lmRows, QWEN.vocab);
  const shapes = [...layer, { name: `LM head chunk`, N: lmN, K: QWEN.hidden }];
  for (const M of [1, 8]) {
    const perStep: Record<string, number> = { tiled: 0, narrow: 0, wide: 0 };
    for (const s of shapes) {
      const x = f32Buffer(M * s.K);
      const y = storageBuffer(device, M * s.N * 4, 'y');
      const w = weightTensor(device, r.normal(s.N * s.K, 0.05), [s.N, s.K], 'bf16', 'w');
      const ms: Record<string, number> = {};
      for (const k of kernels) {
        const args: GemmArgs = { a: x, b: w.chunks[0].buffer, c: y, M, N: s.N, K: s.K, bDtype: 'bf16', kernel: k };
        ms[k] = (await time((enc) => gemm(device, enc, args))) * 1e3;
        perStep[k] += ms[k] * (s.name === 'LM head chunk' ? QWEN.vocab / lmN : LAYERS);
      }
      const best = Math.min(ms.narrow, ms.wide);
      dline([String(M), s.name, `[${s.N}×${s.K}]`, ...kernels.map((k) => num(ms[k])), `${num(ms.tiled / best)}×`]);
      destroyTensor(w);
      x.destroy();
      y.destroy();
    }
    const best = Math.min(perStep.narrow, perStep.wide);
    dline([
      String(M),
      'per step (24 layers + LM head)',
      '',
      ...kernels.map((k) => num(perStep[k])),
      `${num(perStep.tiled / best)}×`,
    ]);
  }
  notes.push(
    'decode: same weights and inputs for each kernel, one after the other; "per step" = Σ layer products × 24 + LM ' +
      'head × 151936/chunk rows.',
  );
}

// ---------------------------------------------------------------- gemm variants + autotuner
// Every variant that applies, timed by the autotuner itself (GemmTuner.time: zero-filled
// scratch buffers, one warm-up) on the training shapes; "pick" is what it keeps for the class.
if (!values['no-variants'] && !values['decode-only']) {
  const tuner = await GemmTuner.attach(device);
  console.log();
  console.log(`Gemm variants at T=${T} (ms per product; GFLOP/s in brackets) and the autotuner's pick per shape class`);
  const vc = ['product', 'M×N×K', 'W', ...GEMM_VARIANTS.map((v) => v), 'pick', 'class'];
  const vw = [22, 16, 4, ...GEMM_VARIANTS.map(() => 17), 8, 27];
  const vline = (cells: string[]) =>
    console.log(cells.map((c, i) => (i < 3 || i >= cells.length - 2 ? c.padEnd(vw[i]) : c.padStart(vw[i]))).join(' '));
  vline(vc);
  vline(vw.map((w) => '-'.repeat(w)));
  const vshapes: (GemmShape & { name: string })[] = [];
  for (const dtype of dtypes) {
    vshapes.push(
      { name: 'q/o proj', M: T, N: QWEN.hidden, K: QWEN.hidden, bDtype: dtype },
      { name: 'gate/up', M: T, N: QWEN.intermediate, K: QWEN.hidden, bDtype: dtype },
      { name: 'down', M: T, N: QWEN.hidden, K: QWEN.intermediate, bDtype: dtype },
      { name: 'dX down (dY·W)', M: T, N: QWEN.intermediate, K: QWEN.hidden, transB: false, bDtype: dtype },
      // Short rows (a 32-token row; 'short' applies) and one decode step ('subgroup', matvec).
      { name: 'q/o proj, 32 rows', M: 32, N: QWEN.hidden, K: QWEN.hidden, bDtype: dtype },
      { name: 'q/o proj, decode', M: 1, N: QWEN.hidden, K: QWEN.hidden, bDtype: dtype },
    );
  }
  // LoRA's skinny products (rank 16, f32 adapter weights): x·Aᵀ and the weight gradient dA = dhᵀ·x.
  vshapes.push(
    { name: 'LoRA x·Aᵀ (r 16)', M: T, N: 16, K: QWEN.hidden },
    { name: 'LoRA dA = dhᵀ·x', M: 16, N: QWEN.hidden, K: T, transA: true, transB: false },
  );
  for (const s of vshapes) {
    const [timed] = (await tuner.tune([s], { force: true })).values();
    const ms = new Map(timed.map((t) => [t.variant, t.seconds]));
    const fl = 2 * s.M * s.N * s.K;
    const cell = (v: (typeof GEMM_VARIANTS)[number]) => {
      const sec = ms.get(v);
      return sec === undefined ? '-' : `${num(sec * 1e3)} (${num(fl / sec / 1e9)})`;
    };
    vline([
      s.name,
      `${s.M}×${s.N}×${s.K}`,
      s.bDtype ?? 'f32',
      ...GEMM_VARIANTS.map(cell),
      timed[0].variant,
      shapeClass(s),
    ]);
  }
  tuner.detach();
  notes.push(
    'variants: timed by GemmTuner.time (1 warm-up, then ≥ 2 reps) on zero-filled buffers; "-" ' +
      '= the variant does not apply.',
  );
}

console.log();
for (const n of notes) console.log(`note: ${n}`);
console.log('note: GB/s counts the least traffic (each input read once, each output written once), not cache misses.');
console.log(
  `note: CPU = share of the host's ${cpus().length} cores this process got while timing; on SwiftShader (a CPU ` +
    `driver) well under 100% usually means other processes took the rest and the GPU numbers ` +
    `are low by about that factor.`,
);

// ---------------------------------------------------------------- memory plans
if (!values['no-plan'] && !only) {
  const models: Record<string, ModelShape> = {
    'SmolLM2-135M': {
      hidden: 576,
      intermediate: 1536,
      layers: 30,
      heads: 9,
      kv_heads: 3,
      head_dim: 64,
      vocab: 49152,
      tied: true,
      dtype: 'bf16',
    },
    'Qwen2.5-0.5B': {
      hidden: 896,
      intermediate: 4864,
      layers: 24,
      heads: 14,
      kv_heads: 2,
      head_dim: 64,
      vocab: 151936,
      tied: true,
      dtype: 'bf16',
      qkv_bias: true,
    },
    'Llama-3.2-1B': {
      hidden: 2048,
      intermediate: 8192,
      layers: 16,
      heads: 32,
      kv_heads: 8,
      head_dim: 64,
      vocab: 128256,
      tied: true,
      dtype: 'bf16',
    },
  };
  console.log();
  console.log(
    'Planned bytes of one training step (planMemory): batch 1, LoRA r=16 on all 7 linear layers, bf16 base weights',
  );
  const pc = ['model', 'tokens', 'recompute', 'total', 'weights', 'LoRA p+g+opt', 'activations', 'scratch'];
  const pw = [14, 6, 9, 10, 10, 12, 11, 10];
  const pline = (cells: string[]) =>
    console.log(cells.map((c, i) => (i < 3 ? c.padEnd(pw[i]) : c.padStart(pw[i]))).join(' '));
  pline(pc);
  pline(pw.map((w) => '-'.repeat(w)));
  for (const [name, m] of Object.entries(models)) {
    for (const seq of [512, 1024, 2048]) {
      for (const recompute of [false, true]) {
        const p = planMemory(m, { batch: 1, seq_len: seq, lora: { r: 16, targets: allLinear('llama') }, recompute });
        const b = p.bytes;
        pline([
          name,
          String(seq),
          recompute ? 'yes' : 'no',
          fmt(p.total),
          fmt(b.weights),
          fmt(b.lora_params + b.lora_grads + b.optimizer),
          fmt(b.activations),
          fmt(b.scratch),
        ]);
      }
    }
  }
}

console.log();
console.log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s (load average now ${load()})`);
device.destroy();

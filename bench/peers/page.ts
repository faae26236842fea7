// The peers benchmark's page (issue 18 §3), bundled by run.ts with esbuild and served on localhost:
// Prism's gemm (every variant that applies, f32 and bf16 weights), onnxruntime-web's WebGPU execution
// provider (one-node Gemm and MatMul models, onnx.ts) and tfjs-backend-webgpu (tf.matMul) on the same
// WebGPU adapter, each on the device it creates for itself, in interleaved rounds.
//
// What is timed, for every implementation alike: `reps` products queued back to back, then one wait
// until the device's queue is idle (queue.onSubmittedWorkDone) — wall time / reps. Inputs live on the
// GPU before timing; outputs stay there (ORT writes into a pre-bound GPU buffer, tfjs into a tensor it
// allocates from its buffer pool, Prism into its buffer); nothing is downloaded inside a timed region.
//   prism: gemm() records one dispatch into a command encoder, submitted per product.
//   ort:   await session.run(feeds, fetches) per product (its API runs one at a time), GPU tensors in and out.
//   tfjs:  tf.matMul(a, b, false, transB) per product, then backend.submitQueue() (tfjs batches submits).
// Round 0 is a warm-up (pipelines compiled, buffers pooled); its output is checked against float64.
import * as ort from 'onnxruntime-web/webgpu';
import * as tf from '@tensorflow/tfjs-core';
// Imported for its side effect: it registers the 'webgpu' backend and its flags.
import '@tensorflow/tfjs-backend-webgpu';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { acquireDevice } from '../../src/engine/device.ts';
import { GEMM_VARIANTS, gemm, gemmVariantApplies, type GemmArgs } from '../../src/engine/kernels/matmul.ts';
import { readF32, storageBuffer, submit } from '../../src/engine/runtime/index.ts';
import { destroyTensor, roundTo, weightTensor } from '../../src/engine/tensor/index.ts';
import { rng } from '../../src/engine/testing/random.ts';
import { gemmModel, matmulModel } from './onnx.ts';
import type { CpuSample, ImplResult, PeerShape, PeersConfig, PeersReport, ShapeResult } from './protocol.ts';

declare global {
  interface Window {
    /** Set by Node (page.exposeFunction): a CPU sample of the Chromium processes. */
    __peersCpu(): Promise<CpuSample>;
    peers(cfg: PeersConfig): Promise<PeersReport>;
  }
}

/** One implementation at one shape: queue `reps` products and wait; read the output back. */
interface Impl {
  name: string;
  library: ImplResult['library'];
  dtype: ImplResult['dtype'];
  run(reps: number): Promise<void>;
  read(): Promise<Float32Array>;
  destroy(): void;
}

/** Host data of one shape: A [M, K] and B as laid out for op(B), f32 and rounded to bf16. */
interface Inputs {
  a: Float32Array;
  b: Float32Array;
  bBf16: Float32Array;
  /** B pre-transposed to [K, N] (MatMul's layout) when the shape has transB. */
  bKN: Float32Array;
}

function transpose(x: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j];
  return out;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// ------------------------------------------------------------------------------------------ Prism
async function prismImpls(device: GPUDevice, s: PeerShape, x: Inputs, cfg: PeersConfig, skipped: string[]) {
  const impls: Impl[] = [];
  const a = storageBuffer(device, x.a, 'A');
  const owned: (() => void)[] = [() => a.destroy()];
  const dtypes = cfg.bf16 ? (['f32', 'bf16'] as const) : (['f32'] as const);
  for (const dtype of dtypes) {
    const rows = s.transB ? s.N : s.K;
    const cols = s.transB ? s.K : s.N;
    const w = weightTensor(device, x.b, [rows, cols], dtype, `B ${dtype}`);
    const c = storageBuffer(device, s.M * s.N * 4, 'C');
    owned.push(
      () => destroyTensor(w),
      () => c.destroy(),
    );
    if (w.chunks.length !== 1) throw new Error(`peers: B [${rows}, ${cols}] is split in chunks; use smaller shapes`);
    const base: GemmArgs = { a, b: w.chunks[0].buffer, c, M: s.M, N: s.N, K: s.K, transB: s.transB, bDtype: dtype };
    for (const variant of GEMM_VARIANTS) {
      const args: GemmArgs = { ...base, kernel: variant };
      if (!gemmVariantApplies(device, args, variant)) {
        skipped.push(`prism ${variant} ${dtype} (does not apply)`);
        continue;
      }
      impls.push({
        name: `prism ${variant}`,
        library: 'prism',
        dtype,
        async run(reps) {
          for (let i = 0; i < reps; i++) {
            const enc = device.createCommandEncoder();
            gemm(device, enc, args);
            submit(device, enc);
          }
          await device.queue.onSubmittedWorkDone();
        },
        async read() {
          const out = await readF32(device, c, s.M * s.N);
          // The next variant must write its own result, not inherit this one's.
          device.queue.writeBuffer(c, 0, new Float32Array(s.M * s.N));
          return out;
        },
        destroy() {},
      });
    }
  }
  return { impls, destroy: () => owned.forEach((f) => f()) };
}

// ------------------------------------------------------------------------------------------ ORT
let ortDevice: GPUDevice | undefined;
let ortProbe: ort.InferenceSession | undefined;

async function ortImpl(s: PeerShape, x: Inputs, op: 'Gemm' | 'MatMul'): Promise<Impl> {
  const model = op === 'Gemm' ? gemmModel(s.M, s.N, s.K, s.transB) : matmulModel(s.M, s.N, s.K);
  // 'webgpu' alone: no wasm (CPU) provider to fall back to — session creation fails without WebGPU.
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['webgpu'],
    preferredOutputLocation: 'gpu-buffer',
    graphOptimizationLevel: 'all',
  });
  const device = (await ort.env.webgpu.device) as GPUDevice;
  ortDevice ??= device;
  if (device !== ortDevice) throw new Error('peers: ORT changed its WebGPU device between sessions');
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const upload = (data: Float32Array) => {
    const buf = device.createBuffer({ size: data.byteLength, usage });
    device.queue.writeBuffer(buf, 0, data);
    return buf;
  };
  const bData = op === 'MatMul' ? x.bKN : x.b;
  const bDims = op === 'MatMul' || !s.transB ? [s.K, s.N] : [s.N, s.K];
  const aBuf = upload(x.a);
  const bBuf = upload(bData);
  const yBuf = device.createBuffer({ size: s.M * s.N * 4, usage });
  const feeds = {
    A: ort.Tensor.fromGpuBuffer(aBuf, { dataType: 'float32', dims: [s.M, s.K] }),
    B: ort.Tensor.fromGpuBuffer(bBuf, { dataType: 'float32', dims: bDims }),
  };
  const fetches = { Y: ort.Tensor.fromGpuBuffer(yBuf, { dataType: 'float32', dims: [s.M, s.N] }) };
  return {
    name: `ort ${op}${op === 'MatMul' && s.transB ? ' (Bᵀ pre-transposed)' : ''}`,
    library: 'ort',
    dtype: 'f32',
    async run(reps) {
      for (let i = 0; i < reps; i++) await session.run(feeds, fetches);
      await device.queue.onSubmittedWorkDone();
    },
    async read() {
      const out = await readF32(device, yBuf, s.M * s.N);
      device.queue.writeBuffer(yBuf, 0, new Float32Array(s.M * s.N));
      return out;
    },
    destroy() {
      void session.release();
      for (const b of [aBuf, bBuf, yBuf]) b.destroy();
    },
  };
}

/**
 * Where ORT placed a probe Gemm's node, from its verbose log ("All nodes placed on [<EP>]" at session
 * creation, onnxruntime/core/framework/session_state.cc): the benchmark fails unless it is the WebGPU EP.
 */
async function ortPlacement(): Promise<string> {
  const seen: string[] = [];
  const orig = { log: console.log, warn: console.warn, error: console.error, info: console.info };
  // The verbose log goes to the console (as errors): keep it, don't print it.
  const capture = (...a: unknown[]) => void seen.push(a.map(String).join(' '));
  Object.assign(console, { log: capture, warn: capture, error: capture, info: capture });
  try {
    // Kept open to the end: ORT's WebGPU context (and its device) lives while a session does.
    ortProbe = await ort.InferenceSession.create(gemmModel(2, 3, 4, true), {
      executionProviders: ['webgpu'],
      logSeverityLevel: 0,
      logVerbosityLevel: 0,
    });
  } finally {
    Object.assign(console, orig);
  }
  const placed = seen.map((l) => /All nodes placed on \[(\w+)\]/.exec(l)?.[1]).find(Boolean);
  if (placed !== 'WebGpuExecutionProvider') {
    throw new Error(
      `peers: ORT placed the Gemm node on ${placed ?? '(no placement logged)'}, not WebGpuExecutionProvider`,
    );
  }
  return `ORT node placement: ${placed}`;
}

// ------------------------------------------------------------------------------------------ tfjs
function tfjsImpl(s: PeerShape, x: Inputs): Impl {
  const backend = tf.backend() as WebGPUBackend;
  const a = tf.tensor2d(x.a, [s.M, s.K]);
  const b = s.transB ? tf.tensor2d(x.b, [s.N, s.K]) : tf.tensor2d(x.b, [s.K, s.N]);
  let last: tf.Tensor | undefined;
  return {
    name: `tfjs matMul(a, b, false, ${s.transB})`,
    library: 'tfjs',
    dtype: 'f32',
    async run(reps) {
      for (let i = 0; i < reps; i++) {
        last?.dispose();
        last = tf.matMul(a, b, false, s.transB);
      }
      // tfjs keeps a compute pass open and batches submits: close and submit what is recorded.
      backend.ensureCommandEncoderReady();
      backend.endComputePassEncoder();
      backend.submitQueue();
      await backend.device.queue.onSubmittedWorkDone();
    },
    async read() {
      if (!last) throw new Error('tfjs: read before run');
      return (await last.data()) as Float32Array;
    },
    destroy() {
      last?.dispose();
      a.dispose();
      b.dispose();
    },
  };
}

// ------------------------------------------------------------------------------------------ check
/**
 * Largest |y − ref| / tol over `samples` entries (all when fewer), ref in float64 from the same (rounded)
 * inputs; tol = 1e-4·Σₖ|a·b| + 1e-6 — f32 accumulation over K terms errs by at most ~K·2⁻²⁴·Σ|a·b| in the
 * worst case and ~√K·2⁻²⁴·Σ|a·b| typically, both under this for K ≤ 4864.
 */
function check(y: Float32Array, s: PeerShape, a: Float32Array, b: Float32Array, idx: number[]): number {
  let worst = 0;
  for (const e of idx) {
    const i = Math.floor(e / s.N);
    const j = e % s.N;
    let ref = 0;
    let mag = 0;
    for (let k = 0; k < s.K; k++) {
      const p = a[i * s.K + k] * (s.transB ? b[j * s.K + k] : b[k * s.N + j]);
      ref += p;
      mag += Math.abs(p);
    }
    const err = Math.abs(y[e] - ref) / (1e-4 * mag + 1e-6);
    worst = Math.max(worst, Number.isNaN(err) ? Infinity : err);
  }
  return worst;
}

function sampleIndices(n: number, samples: number, next: () => number): number[] {
  if (n <= samples) return Array.from({ length: n }, (_, i) => i);
  // The corners (tile edges) and random interior entries.
  const idx = new Set([0, n - 1]);
  while (idx.size < samples) idx.add(Math.floor(next() * n));
  return [...idx];
}

// ------------------------------------------------------------------------------------------ main
async function runShape(device: GPUDevice, s: PeerShape, cfg: PeersConfig, seed: number): Promise<ShapeResult> {
  const r = rng(seed);
  const a = r.normal(s.M * s.K);
  const b = r.normal(s.N * s.K, 0.05);
  const x: Inputs = { a, b, bBf16: roundTo('bf16', b), bKN: s.transB ? transpose(b, s.N, s.K) : b };
  const skipped: string[] = [];
  const prism = await prismImpls(device, s, x, cfg, skipped);
  const o0 = performance.now();
  const impls: Impl[] = [...prism.impls, await ortImpl(s, x, 'Gemm'), await ortImpl(s, x, 'MatMul'), tfjsImpl(s, x)];
  console.log(`peers: ORT sessions created in ${((performance.now() - o0) / 1000).toFixed(1)} s`);
  const idx = sampleIndices(s.M * s.N, cfg.samples, r.next);
  const results: ImplResult[] = impls.map((im) => ({
    name: im.name,
    library: im.library,
    dtype: im.dtype,
    ms: [],
    warmMs: NaN,
    medianMs: NaN,
    cpu: NaN,
    checked: 0,
    worst: NaN,
  }));
  // Warm-up, then the check: a wrong result fails the run.
  for (const [i, im] of impls.entries()) {
    const w0 = performance.now();
    await im.run(1);
    results[i].warmMs = performance.now() - w0;
    const y = await im.read();
    const res = results[i];
    res.worst = check(y, s, a, im.dtype === 'bf16' ? x.bBf16 : b, idx);
    res.checked = idx.length;
    if (!(res.worst <= 1)) {
      throw new Error(
        `peers: ${im.name} (${im.dtype}) at ${s.name} [${s.M}×${s.N}×${s.K}] is wrong: ` +
          `worst |error| is ${res.worst.toFixed(2)}× the tolerance`,
      );
    }
  }
  const cpuTicks = impls.map(() => 0);
  const cpuMs = impls.map(() => 0);
  for (let round = 0; round < cfg.rounds; round++) {
    // Round r starts at implementation r (mod n): each one goes first, middle and last in turn.
    for (let k = 0; k < impls.length; k++) {
      const i = (round + k) % impls.length;
      const c0 = await window.__peersCpu();
      const t0 = performance.now();
      await impls[i].run(cfg.reps);
      const t1 = performance.now();
      const c1 = await window.__peersCpu();
      results[i].ms.push((t1 - t0) / cfg.reps);
      cpuTicks[i] += c1.ticks - c0.ticks;
      cpuMs[i] += c1.ms - c0.ms;
    }
  }
  const tick = await cpuTickInfo();
  results.forEach((res, i) => {
    res.medianMs = median(res.ms);
    res.cpu = cpuTicks[i] / tick.hz / (cpuMs[i] / 1000) / tick.cores;
  });
  for (const im of impls) im.destroy();
  prism.destroy();
  return { shape: s, impls: results, skipped };
}

let tickInfo: { hz: number; cores: number } | undefined;
async function cpuTickInfo() {
  tickInfo ??= JSON.parse(document.body.dataset.cpu ?? '{"hz":100,"cores":1}') as { hz: number; cores: number };
  return tickInfo;
}

const elapsed = () => `${(performance.now() / 1000).toFixed(1)} s`;

window.peers = async (cfg: PeersConfig): Promise<PeersReport> => {
  if (!navigator.gpu) throw new Error('peers: navigator.gpu is missing (WebGPU disabled, or not a secure context)');
  // Prism: the device its app would use (the adapter's limits and optional features).
  const acquired = await acquireDevice(navigator.gpu);
  // ORT: its WebGPU EP only; the wasm it needs for the graph runtime from run.ts's /ort/ route, one thread.
  ort.env.wasm.wasmPaths = `${location.origin}/ort/`;
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'warning';
  // tfjs: its WebGPU backend, with no CPU forwarding of small ops (every product runs on the GPU).
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  if (!(await tf.setBackend('webgpu'))) throw new Error('peers: tfjs could not start its webgpu backend');
  await tf.ready();
  console.log(`peers: ${elapsed()}: ready`);
  const checks = [`tfjs backend: ${tf.getBackend()}`, await ortPlacement()];
  const shapes: ShapeResult[] = [];
  for (const [i, s] of cfg.shapes.entries()) {
    console.log(`peers: ${elapsed()}: ${s.name} [${s.M}×${s.N}×${s.K}${s.transB ? ', transB' : ''}]`);
    shapes.push(await runShape(acquired.device, s, cfg, cfg.seed + i));
  }
  if (tf.getBackend() !== 'webgpu') throw new Error(`peers: tfjs ran on ${tf.getBackend()}, not webgpu`);
  await ortProbe?.release();
  acquired.device.destroy();
  return {
    adapter: acquired.description || '(no description)',
    features: [...acquired.device.features].sort(),
    versions: { 'onnxruntime-web': ort.env.versions.web ?? '?', '@tensorflow/tfjs-core': tf.version_core },
    checks,
    prismVariants: [...GEMM_VARIANTS],
    shapes,
  };
};

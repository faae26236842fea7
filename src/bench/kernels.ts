// The kernel half of "Benchmark this GPU": each gemm variant at the training shapes, timed by the
// autotuner itself (GemmTuner.time/tune, as bench/kernels.ts's variant table), and flash attention
// forward/backward. Wall time to onSubmittedWorkDone, after one warm-up: what a user waits for.
import {
  attentionBackward,
  attentionFlops,
  attentionForward,
  type AttentionDims,
} from '../engine/attention/attention.ts';
import { GEMM_VARIANTS, gemmKernel } from '../engine/kernels/matmul.ts';
import { shapeClass, type GemmTuner } from '../engine/kernels/tuner.ts';
import { deviceIsCpu, dummyBuffer, storageBuffer, submit } from '../engine/runtime/index.ts';
import type { AttentionResult, GemmResult } from './protocol.ts';
import type { GemmBenchShape } from './shapes.ts';

/** The least time a measurement runs (a GPU's product takes microseconds; a CPU's, long enough). */
export const minSecondsFor = (device: GPUDevice) => (deviceIsCpu(device) ? 0 : 0.05);

/**
 * Every gemm variant on `s`. A class the tuner has no pick for yet (or every class with
 * `retune`) is tuned here — the same timings, and the pick saved to the tuner's store.
 */
export async function measureGemm(tuner: GemmTuner, s: GemmBenchShape, retune = false): Promise<GemmResult> {
  const device = tuner.device;
  const cls = shapeClass(s);
  const minSeconds = minSecondsFor(device);
  const tuned = retune || !tuner.all[cls] ? (await tuner.tune([s], { force: true, minSeconds })).get(cls) : undefined;
  const timings = tuned ?? (await tuner.time(s, minSeconds));
  const d = dummyBuffer(device);
  const pick = gemmKernel(device, { a: d, b: d, c: d, M: s.M, N: s.N, K: s.K, transB: s.transB, bDtype: s.bDtype });
  return {
    name: s.name,
    M: s.M,
    N: s.N,
    K: s.K,
    transB: s.transB,
    bDtype: s.bDtype,
    flops: 2 * s.M * s.N * s.K,
    variants: GEMM_VARIANTS.map((variant) => ({
      variant,
      seconds: timings.find((t) => t.variant === variant)?.seconds ?? null,
    })),
    pick,
    shapeClass: cls,
    tunedNow: tuned !== undefined,
  };
}

/** Seconds per repetition of `record`: one checked warm-up, then ≥ 2 reps and ≥ minSeconds. */
export async function timeWork(
  device: GPUDevice,
  record: (enc: GPUCommandEncoder) => void,
  minSeconds: number,
): Promise<number> {
  const run = async (n: number) => {
    const enc = device.createCommandEncoder({ label: 'gpu bench' });
    for (let i = 0; i < n; i++) record(enc);
    submit(device, enc);
    await device.queue.onSubmittedWorkDone();
  };
  device.pushErrorScope('validation');
  await run(1);
  const err = await device.popErrorScope();
  if (err) throw new Error(`GPU validation error: ${err.message}`);
  let reps = 0;
  const t0 = performance.now();
  for (let n = 1; reps < 2 || (performance.now() - t0) / 1000 < minSeconds; n = Math.min(2 * n, 32)) {
    await run(n);
    reps += n;
  }
  return (performance.now() - t0) / 1000 / reps;
}

/** Causal flash attention forward and backward at `dims` (one sequence of dims.T tokens). */
export async function measureAttention(device: GPUDevice, dims: AttentionDims): Promise<AttentionResult[]> {
  const { T, nHeads, nKvHeads, headDim } = dims;
  const qN = T * nHeads * headDim;
  const kvN = T * nKvHeads * headDim;
  // Contents barely change the time; a pattern spares a random generator and stays finite.
  const filled = (n: number) =>
    storageBuffer(
      device,
      Float32Array.from({ length: n }, (_, i) => ((i % 17) - 8) / 16),
    );
  const bufs = {
    q: filled(qN),
    k: filled(kvN),
    v: filled(kvN),
    seqIds: storageBuffer(device, new Int32Array(T)),
    out: storageBuffer(device, qN * 4, 'out'),
    lse: storageBuffer(device, T * nHeads * 4, 'lse'),
    dOut: filled(qN),
    rowStats: storageBuffer(device, T * nHeads * 8, 'rowStats'),
    dq: storageBuffer(device, qN * 4, 'dq'),
    dk: storageBuffer(device, kvN * 4, 'dk'),
    dv: storageBuffer(device, kvN * 4, 'dv'),
  };
  try {
    const fl = attentionFlops(dims, (T * (T + 1)) / 2);
    const shape = `T=${T} h=${nHeads}/${nKvHeads} d=${headDim}`;
    const min = minSecondsFor(device);
    const fwd = await timeWork(device, (enc) => attentionForward(device, enc, dims, bufs), min);
    const bwd = await timeWork(device, (enc) => attentionBackward(device, enc, dims, bufs), min);
    return [
      { name: 'attention forward (causal)', shape, flops: fl.forward, seconds: fwd },
      { name: 'attention backward', shape, flops: fl.backward, seconds: bwd },
    ];
  } finally {
    for (const b of Object.values(bufs)) b.destroy();
  }
}

// RMSNorm (HF semantics, f32) forward and input backward; also Qwen3's per-head q/k norm
// (rows = T·heads, cols = head_dim). Norm weights are f32 (they are tiny; convert on load).
// `offset: 1` is Gemma's RMSNorm, which scales by (1 + weight): in f32, exactly as
// `output * (1.0 + self.weight.float())`.
import src from '../../../shaders/rmsnorm.wgsl?raw';
import { kernelSpec, runKernel } from '../runtime/spec.ts';
import { gridRows } from '../runtime/grid.ts';
import { deviceIsCpu } from '../runtime/adapter.ts';

const UNIFORM = [
  ['rows', 'u32'],
  ['cols', 'u32'],
  ['eps', 'f32'],
  ['accumulate', 'u32'],
  ['offset', 'f32'],
] as const;
const FORWARD = kernelSpec({
  file: 'rmsnorm.wgsl',
  source: src,
  entryPoint: 'rmsnorm_forward',
  bindings: ['x', 'w', 'y', 'rstd'],
  uniform: UNIFORM,
});
const BACKWARD = kernelSpec({
  file: 'rmsnorm.wgsl',
  source: src,
  entryPoint: 'rmsnorm_backward',
  bindings: ['bx', 'bw', 'bdy', 'brstd', 'bdx'],
  uniform: UNIFORM,
});

/**
 * Threads per row's workgroup. A GPU: about four columns each, 32 to 128 (a 64-wide row or a
 * head_dim of 128 takes 32; hidden 576 and up take 128). A CPU adapter: 8 whatever the width,
 * since SwiftShader's cost grows with the invocations of a workgroup far more than with its
 * loop trips (bench:train's 64 rows of 64, the kernel timed alone on a loaded SwiftShader: 57 ms
 * a dispatch at 128 threads, 0.4 ms at 8; bench/RESULTS.md has the training step).
 */
export function rmsnormWorkgroup(device: GPUDevice, cols: number): number {
  if (deviceIsCpu(device)) return 8;
  return Math.min(128, Math.max(32, 2 ** Math.ceil(Math.log2(Math.ceil(cols / 4)))));
}

/** y = x·rsqrt(mean(x²)+eps)·w per row; rstd[rows] saved for backward. y must not alias x. */
export function rmsnormForward(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  a: {
    x: GPUBuffer;
    w: GPUBuffer;
    y: GPUBuffer;
    rstd: GPUBuffer;
    rows: number;
    cols: number;
    eps: number;
    offset?: number;
    /** Threads per row (tests run the GPU's sizes on any adapter); default rmsnormWorkgroup's. */
    workgroup?: number;
  },
): void {
  runKernel(
    device,
    enc,
    FORWARD,
    a,
    { rows: a.rows, cols: a.cols, eps: a.eps, accumulate: 0, offset: a.offset ?? 0 },
    gridRows(device, a.rows),
    { constants: { WG: a.workgroup ?? rmsnormWorkgroup(device, a.cols) } },
  );
}

/** dx (+)= ∂(rmsnorm)/∂x · dy, using the saved rstd. The weight is frozen (no dw). */
export function rmsnormBackward(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  a: {
    x: GPUBuffer;
    w: GPUBuffer;
    dy: GPUBuffer;
    rstd: GPUBuffer;
    dx: GPUBuffer;
    rows: number;
    cols: number;
    accumulate?: boolean;
    offset?: number;
    workgroup?: number;
  },
): void {
  const u = { rows: a.rows, cols: a.cols, eps: 0, accumulate: a.accumulate ? 1 : 0, offset: a.offset ?? 0 };
  runKernel(
    device,
    enc,
    BACKWARD,
    { bx: a.x, bw: a.w, bdy: a.dy, brstd: a.rstd, bdx: a.dx },
    u,
    gridRows(device, a.rows),
    { constants: { WG: a.workgroup ?? rmsnormWorkgroup(device, a.cols) } },
  );
}

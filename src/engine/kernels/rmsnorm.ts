// RMSNorm (HF semantics, f32) forward and input backward; also Qwen3's per-head q/k norm
// (rows = T·heads, cols = head_dim). Norm weights are f32 (they are tiny; convert on load).
// `offset: 1` is Gemma's RMSNorm, which scales by (1 + weight): in f32, exactly as
// `output * (1.0 + self.weight.float())`.
import src from '../../../shaders/rmsnorm.wgsl?raw';
import { Kernel, params } from '../runtime/kernel.ts';
import { gridRows } from '../runtime/grid.ts';

/** y = x·rsqrt(mean(x²)+eps)·w per row; rstd[rows] saved for backward. y must not alias x. */
export function rmsnormForward(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  a: { x: GPUBuffer; w: GPUBuffer; y: GPUBuffer; rstd: GPUBuffer; rows: number; cols: number; eps: number; offset?: number },
): void {
  new Kernel(device, src, 'rmsnorm_forward').dispatch(
    enc,
    [a.x, a.w, a.y, a.rstd],
    params([['u32', a.rows], ['u32', a.cols], ['f32', a.eps], ['u32', 0], ['f32', a.offset ?? 0]]),
    gridRows(device, a.rows),
  );
}

/** dx (+)= ∂(rmsnorm)/∂x · dy, using the saved rstd. The weight is frozen (no dw). */
export function rmsnormBackward(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  a: {
    x: GPUBuffer; w: GPUBuffer; dy: GPUBuffer; rstd: GPUBuffer; dx: GPUBuffer; rows: number; cols: number; accumulate?: boolean;
    offset?: number;
  },
): void {
  new Kernel(device, src, 'rmsnorm_backward').dispatch(
    enc,
    [a.x, a.w, a.dy, a.rstd, a.dx],
    params([['u32', a.rows], ['u32', a.cols], ['f32', 0], ['u32', a.accumulate ? 1 : 0], ['f32', a.offset ?? 0]]),
    gridRows(device, a.rows),
  );
}

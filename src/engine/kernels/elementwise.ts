// Small element-wise kernels: residual adds, the gated MLP activation (SwiGLU, or Gemma's GeGLU
// with act 'gelu_pytorch_tanh').
import residualSrc from '../../../shaders/residual.wgsl?raw';
import swigluSrc from '../../../shaders/swiglu.wgsl?raw';
import { Kernel, params } from '../runtime/kernel.ts';
import { grid1d } from '../runtime/grid.ts';

/** x[i] += y[i] for i < n (the residual stream, forward and backward). */
export function addInPlace(device: GPUDevice, enc: GPUCommandEncoder, x: GPUBuffer, y: GPUBuffer, n: number): void {
  new Kernel(device, residualSrc, 'add_inplace').dispatch(enc, [x, y], params([['u32', n]]), grid1d(device, n));
}

/** out[i] = a[i] + b[i]. */
export function add(device: GPUDevice, enc: GPUCommandEncoder, a: GPUBuffer, b: GPUBuffer, out: GPUBuffer, n: number): void {
  new Kernel(device, residualSrc, 'add').dispatch(enc, [a, b, out], params([['u32', n]]), grid1d(device, n));
}

export type GateAct = 'silu' | 'gelu_pytorch_tanh';
const ACT_CODE: Record<GateAct, number> = { silu: 0, gelu_pytorch_tanh: 1 };

/** out = act(gate)·up over n elements (act: silu unless given). */
export function swigluForward(
  device: GPUDevice, enc: GPUCommandEncoder, gate: GPUBuffer, up: GPUBuffer, out: GPUBuffer, n: number, act: GateAct = 'silu',
): void {
  new Kernel(device, swigluSrc, 'swiglu_forward', { constants: { ACT: ACT_CODE[act] } })
    .dispatch(enc, [gate, up, out], params([['u32', n]]), grid1d(device, n));
}

/** dgate, dup from dout (dgate/dup may not alias gate/up/dout). */
export function swigluBackward(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  gate: GPUBuffer,
  up: GPUBuffer,
  dout: GPUBuffer,
  dgate: GPUBuffer,
  dup: GPUBuffer,
  n: number,
  act: GateAct = 'silu',
): void {
  new Kernel(device, swigluSrc, 'swiglu_backward', { constants: { ACT: ACT_CODE[act] } }).dispatch(
    enc, [gate, up, dout, dgate, dup], params([['u32', n]]), grid1d(device, n),
  );
}

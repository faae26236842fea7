// Small element-wise kernels: residual adds, the gated MLP activation (SwiGLU, or Gemma's GeGLU
// with act 'gelu_pytorch_tanh').
import residualSrc from '../../../shaders/residual.wgsl?raw';
import swigluSrc from '../../../shaders/swiglu.wgsl?raw';
import { kernelSpec, runKernel } from '../runtime/spec.ts';
import { grid1d } from '../runtime/grid.ts';

const ADD_INPLACE = kernelSpec({
  file: 'residual.wgsl',
  source: residualSrc,
  entryPoint: 'add_inplace',
  bindings: ['x', 'y'],
  uniform: [['n', 'u32']],
});
const SWIGLU_FORWARD = kernelSpec({
  file: 'swiglu.wgsl',
  source: swigluSrc,
  entryPoint: 'swiglu_forward',
  bindings: ['gate', 'up', 'out'],
  uniform: [['n', 'u32']],
});
const SWIGLU_BACKWARD = kernelSpec({
  file: 'swiglu.wgsl',
  source: swigluSrc,
  entryPoint: 'swiglu_backward',
  bindings: ['bgate', 'bup', 'dout', 'dgate', 'dup'],
  uniform: [['n', 'u32']],
});

/** x[i] += y[i] for i < n (the residual stream, forward and backward). */
export function addInPlace(device: GPUDevice, enc: GPUCommandEncoder, x: GPUBuffer, y: GPUBuffer, n: number): void {
  runKernel(device, enc, ADD_INPLACE, { x, y }, { n }, grid1d(device, n));
}

export type GateAct = 'silu' | 'gelu_pytorch_tanh';
const ACT_CODE: Record<GateAct, number> = { silu: 0, gelu_pytorch_tanh: 1 };

/** out = act(gate)·up over n elements (act: silu unless given). */
export function swigluForward(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  gate: GPUBuffer,
  up: GPUBuffer,
  out: GPUBuffer,
  n: number,
  act: GateAct = 'silu',
): void {
  runKernel(device, enc, SWIGLU_FORWARD, { gate, up, out }, { n }, grid1d(device, n), {
    constants: { ACT: ACT_CODE[act] },
  });
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
  runKernel(device, enc, SWIGLU_BACKWARD, { bgate: gate, bup: up, dout, dgate, dup }, { n }, grid1d(device, n), {
    constants: { ACT: ACT_CODE[act] },
  });
}

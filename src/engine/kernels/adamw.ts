// AdamW (torch.optim.AdamW semantics) and the global gradient norm / clipping that feeds it.
import adamSrc from '../../../shaders/adamw.wgsl?raw';
import normSrc from '../../../shaders/grad_norm.wgsl?raw';
import { kernelSpec, runKernel } from '../runtime/spec.ts';
import { dummyBuffer, grid1d } from '../runtime/grid.ts';
import { deviceIsCpu } from '../runtime/adapter.ts';
import { PARTIALS_PER_BUFFER } from './grad_norm_layout.ts';

const ADAMW = kernelSpec({
  file: 'adamw.wgsl',
  source: adamSrc,
  entryPoint: 'adamw',
  bindings: ['param', 'grad', 'm', 'v', 'clip'],
  uniform: [
    ['n', 'u32'],
    ['use_clip', 'u32'],
    ['decay', 'f32'],
    ['beta1', 'f32'],
    ['beta2', 'f32'],
    ['eps', 'f32'],
    ['step_size', 'f32'],
    ['bc2_sqrt', 'f32'],
  ],
});
const SUMSQ_PARTIAL = kernelSpec({
  file: 'grad_norm.wgsl',
  source: normSrc,
  entryPoint: 'sumsq_partial',
  bindings: ['x', 'partials'],
  uniform: [
    ['n', 'u32'],
    ['slot', 'u32'],
  ],
});
const NORM_FINALIZE = kernelSpec({
  file: 'grad_norm.wgsl',
  source: normSrc,
  entryPoint: 'finalize',
  bindings: ['fpartials', 'out'],
  uniform: [
    ['count', 'u32'],
    ['max_norm', 'f32'],
  ],
});

export interface AdamWHyper {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weight_decay?: number;
}

/**
 * One AdamW step on n f32 values: a parameter buffer, or a whole LoRA arena chunk at once (its
 * zero padding stays zero: p = 0·decay − 0/(0 + eps)). `step` counts from 1. With `clip` (the
 * [norm, coef] buffer of gradNorm) the gradient is scaled by coef first, as after
 * torch.nn.utils.clip_grad_norm_. The gradient buffer itself is left unchanged.
 */
export function adamwStep(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  a: {
    param: GPUBuffer;
    grad: GPUBuffer;
    m: GPUBuffer;
    v: GPUBuffer;
    n: number;
    step: number;
    clip?: GPUBuffer;
  } & AdamWHyper,
): void {
  const beta1 = a.beta1 ?? 0.9;
  const beta2 = a.beta2 ?? 0.999;
  const eps = a.eps ?? 1e-8;
  const wd = a.weight_decay ?? 0.01;
  const bc1 = 1 - beta1 ** a.step;
  const bc2 = 1 - beta2 ** a.step;
  runKernel(
    device,
    enc,
    ADAMW,
    { ...a, clip: a.clip ?? dummyBuffer(device) },
    {
      n: a.n,
      use_clip: a.clip ? 1 : 0,
      decay: 1 - a.lr * wd,
      beta1,
      beta2,
      eps,
      step_size: a.lr / bc1,
      bc2_sqrt: Math.sqrt(bc2),
    },
    grid1d(device, a.n),
  );
}

export { gradNormSlots } from './grad_norm_layout.ts';

/**
 * Global L2 norm over many gradient buffers (one sumsq_partial dispatch each: the LoRA arena
 * chunks, usually one) into out = [norm, clipCoef] (f32 ×2), with
 * clipCoef = min(1, maxNorm/(norm + 1e-6)) as torch.nn.utils.clip_grad_norm_.
 * `partials` holds gradNormSlots(grads.length) f32.
 */
export function gradNorm(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  a: {
    grads: { buffer: GPUBuffer; n: number }[];
    partials: GPUBuffer;
    out: GPUBuffer;
    maxNorm: number;
    /** Threads per workgroup, a power of two (tests run a GPU's 256 anywhere); default 8 on a CPU adapter, else 256. */
    workgroup?: number;
  },
): void {
  const wg = a.workgroup ?? (deviceIsCpu(device) ? 8 : 256);
  const constants = { constants: { WG: wg } };
  let slot = 0;
  for (const g of a.grads) {
    // Unused slots of a small buffer's range stay untouched, so every slot is written.
    const groups = Math.max(1, Math.min(PARTIALS_PER_BUFFER, Math.ceil(g.n / wg)));
    runKernel(device, enc, SUMSQ_PARTIAL, { x: g.buffer, partials: a.partials }, { n: g.n, slot }, [groups], constants);
    slot += groups;
  }
  runKernel(
    device,
    enc,
    NORM_FINALIZE,
    { fpartials: a.partials, out: a.out },
    { count: slot, max_norm: a.maxNorm },
    [1],
    constants,
  );
}

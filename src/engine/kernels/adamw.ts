// AdamW (torch.optim.AdamW semantics) and the global gradient norm / clipping that feeds it.
import adamSrc from '../../../shaders/adamw.wgsl?raw';
import normSrc from '../../../shaders/grad_norm.wgsl?raw';
import { Kernel, params } from '../runtime/kernel.ts';
import { dummyBuffer, grid1d } from '../runtime/grid.ts';

export interface AdamWHyper {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weight_decay?: number;
}

/**
 * One AdamW step on a parameter buffer of n f32 values. `step` counts from 1. With `clip` (the
 * [norm, coef] buffer of gradNorm) the gradient is scaled by coef first, as after
 * torch.nn.utils.clip_grad_norm_. The gradient buffer itself is left unchanged.
 */
export function adamwStep(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  a: { param: GPUBuffer; grad: GPUBuffer; m: GPUBuffer; v: GPUBuffer; n: number; step: number; clip?: GPUBuffer } & AdamWHyper,
): void {
  const beta1 = a.beta1 ?? 0.9;
  const beta2 = a.beta2 ?? 0.999;
  const eps = a.eps ?? 1e-8;
  const wd = a.weight_decay ?? 0.01;
  const bc1 = 1 - beta1 ** a.step;
  const bc2 = 1 - beta2 ** a.step;
  new Kernel(device, adamSrc, 'adamw').dispatch(
    enc,
    [a.param, a.grad, a.m, a.v, a.clip ?? dummyBuffer(device)],
    params([
      ['u32', a.n],
      ['u32', a.clip ? 1 : 0],
      ['f32', 1 - a.lr * wd],
      ['f32', beta1],
      ['f32', beta2],
      ['f32', eps],
      ['f32', a.lr / bc1],
      ['f32', Math.sqrt(bc2)],
    ]),
    grid1d(device, a.n),
  );
}

const PARTIALS_PER_BUFFER = 64;

/** Partial-sum slots gradNorm needs for these buffers (size its `partials` buffer: 4 bytes each). */
export function gradNormSlots(count: number): number {
  return count * PARTIALS_PER_BUFFER;
}

/**
 * Global L2 norm over many gradient buffers into out = [norm, clipCoef] (f32 ×2), with
 * clipCoef = min(1, maxNorm/(norm + 1e-6)) as torch.nn.utils.clip_grad_norm_.
 * `partials` holds gradNormSlots(grads.length) f32.
 */
export function gradNorm(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  a: { grads: { buffer: GPUBuffer; n: number }[]; partials: GPUBuffer; out: GPUBuffer; maxNorm: number },
): void {
  const partial = new Kernel(device, normSrc, 'sumsq_partial');
  let slot = 0;
  for (const g of a.grads) {
    // Unused slots of a small buffer's range stay untouched, so every slot is written.
    const groups = Math.max(1, Math.min(PARTIALS_PER_BUFFER, Math.ceil(g.n / 256)));
    partial.dispatch(enc, [g.buffer, a.partials], params([['u32', g.n], ['u32', slot]]), [groups]);
    slot += groups;
  }
  new Kernel(device, normSrc, 'finalize').dispatch(
    enc, [a.partials, a.out], params([['u32', slot], ['f32', a.maxNorm]]), [1],
  );
}

/** grad *= clipCoef (out[1] of gradNorm), in place. */
export function clipGrad(device: GPUDevice, enc: GPUCommandEncoder, grad: GPUBuffer, n: number, normOut: GPUBuffer): void {
  new Kernel(device, normSrc, 'scale_by').dispatch(enc, [grad, normOut], params([['u32', n]]), grid1d(device, n));
}

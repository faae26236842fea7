// AdamW over every LoRA tensor of a decoder, as torch.optim.AdamW after
// torch.nn.utils.clip_grad_norm_: the global gradient norm is computed on the GPU, read back
// (for the events and the NaN/Inf guard), and each parameter steps with the clip coefficient
// applied on the GPU. A step whose gradient norm is not finite is skipped: nothing changes,
// not even Adam's step counter (as torch.amp's GradScaler skips optimizer.step()).
import type { LoraParam } from '../engine/decoder/decoder.ts';
import { adamwStep, gradNorm, gradNormSlots } from '../engine/kernels/adamw.ts';
import { readF32, storageBuffer } from '../engine/runtime/buffers.ts';

export interface AdamWSettings {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weight_decay: number;
  /** ≤ 0 disables clipping (HF: max_grad_norm 0). */
  max_grad_norm: number;
}

export interface StepResult {
  /** Global L2 norm of the gradients before clipping (NaN/Inf when they are). */
  grad_norm: number;
  skipped: boolean;
}

export interface OptimizerState {
  /** Updates applied so far (AdamW's t). */
  t: number;
  exp_avg: Float32Array[];
  exp_avg_sq: Float32Array[];
}

export class LoraAdamW {
  private readonly m: GPUBuffer[];
  private readonly v: GPUBuffer[];
  private readonly partials: GPUBuffer;
  private readonly normOut: GPUBuffer;
  /** Updates applied so far. */
  t = 0;

  constructor(
    private readonly device: GPUDevice,
    readonly params: readonly LoraParam[],
  ) {
    const bytes = (p: LoraParam) => p.shape[0] * p.shape[1] * 4;
    this.m = params.map((p) => storageBuffer(device, bytes(p), `${p.key}.exp_avg`));
    this.v = params.map((p) => storageBuffer(device, bytes(p), `${p.key}.exp_avg_sq`));
    this.partials = storageBuffer(device, gradNormSlots(params.length) * 4, 'grad_norm.partials');
    this.normOut = storageBuffer(device, 8, 'grad_norm.out');
  }

  /** Bytes of optimizer state on the GPU (m and v). */
  get bytes(): number {
    return this.params.reduce((s, p) => s + 8 * p.shape[0] * p.shape[1], 0);
  }

  async step(h: AdamWSettings): Promise<StepResult> {
    const { device, params } = this;
    const n = (p: LoraParam) => p.shape[0] * p.shape[1];
    let enc = device.createCommandEncoder({ label: 'grad norm' });
    gradNorm(device, enc, {
      grads: params.map((p) => ({ buffer: p.grad, n: n(p) })),
      partials: this.partials,
      out: this.normOut,
      maxNorm: h.max_grad_norm > 0 ? h.max_grad_norm : Infinity,
    });
    device.queue.submit([enc.finish()]);
    const [grad_norm] = await readF32(device, this.normOut, 2);
    if (!Number.isFinite(grad_norm)) return { grad_norm, skipped: true };
    this.t++;
    enc = device.createCommandEncoder({ label: 'adamw' });
    params.forEach((p, i) => {
      adamwStep(device, enc, {
        param: p.param,
        grad: p.grad,
        m: this.m[i],
        v: this.v[i],
        n: n(p),
        step: this.t,
        clip: h.max_grad_norm > 0 ? this.normOut : undefined,
        lr: h.lr,
        beta1: h.beta1,
        beta2: h.beta2,
        eps: h.eps,
        weight_decay: h.weight_decay,
      });
    });
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    return { grad_norm, skipped: false };
  }

  async state(): Promise<OptimizerState> {
    const n = (p: LoraParam) => p.shape[0] * p.shape[1];
    const exp_avg = await Promise.all(this.params.map((p, i) => readF32(this.device, this.m[i], n(p))));
    const exp_avg_sq = await Promise.all(this.params.map((p, i) => readF32(this.device, this.v[i], n(p))));
    return { t: this.t, exp_avg, exp_avg_sq };
  }

  load(s: OptimizerState): void {
    this.t = s.t;
    this.params.forEach((_, i) => {
      this.device.queue.writeBuffer(this.m[i], 0, s.exp_avg[i]);
      this.device.queue.writeBuffer(this.v[i], 0, s.exp_avg_sq[i]);
    });
  }

  destroy(): void {
    for (const b of [...this.m, ...this.v, this.partials, this.normOut]) b.destroy();
  }
}

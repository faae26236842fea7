// AdamW over every LoRA tensor of a decoder, as torch.optim.AdamW after
// torch.nn.utils.clip_grad_norm_: the global gradient norm is computed on the GPU, read back
// (for the events and the NaN/Inf guard), and the parameters step with the clip coefficient
// applied on the GPU. A step whose gradient norm is not finite is skipped: nothing changes,
// not even Adam's step counter (as torch.amp's GradScaler skips optimizer.step()).
// The tensors, their gradients and both moments are ranges of the memory plan's LoRA arenas
// (one buffer each per chunk, laid out alike), so the norm is one sumsq dispatch per chunk plus
// a finalize, and AdamW one dispatch per chunk: every hyperparameter is shared by all tensors.
import type { LoraParam, OptimizerBuffers } from '../engine/decoder/decoder.ts';
import { adamwStep, gradNorm } from '../engine/kernels/adamw.ts';
import { readF32, writeF32 } from '../engine/runtime/buffers.ts';

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
  /** Updates applied so far. */
  t = 0;

  constructor(
    private readonly device: GPUDevice,
    readonly params: readonly LoraParam[],
    private readonly bufs: OptimizerBuffers,
  ) {}

  /** Bytes of optimizer state on the GPU (m and v, arena padding included). */
  get bytes(): number {
    return this.bufs.arenas.reduce((s, a) => s + a.exp_avg.size + a.exp_avg_sq.size, 0);
  }

  async step(h: AdamWSettings): Promise<StepResult> {
    const { device, bufs } = this;
    let enc = device.createCommandEncoder({ label: 'grad norm' });
    gradNorm(device, enc, {
      grads: bufs.arenas.map((a) => ({ buffer: a.grads, n: a.floats })),
      partials: bufs.partials,
      out: bufs.normOut,
      maxNorm: h.max_grad_norm > 0 ? h.max_grad_norm : Infinity,
    });
    device.queue.submit([enc.finish()]);
    const [grad_norm] = await readF32(device, bufs.normOut, 2);
    if (!Number.isFinite(grad_norm)) return { grad_norm, skipped: true };
    this.t++;
    enc = device.createCommandEncoder({ label: 'adamw' });
    for (const a of bufs.arenas) {
      adamwStep(device, enc, {
        param: a.params,
        grad: a.grads,
        m: a.exp_avg,
        v: a.exp_avg_sq,
        n: a.floats,
        step: this.t,
        clip: h.max_grad_norm > 0 ? bufs.normOut : undefined,
        lr: h.lr,
        beta1: h.beta1,
        beta2: h.beta2,
        eps: h.eps,
        weight_decay: h.weight_decay,
      });
    }
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    return { grad_norm, skipped: false };
  }

  async state(): Promise<OptimizerState> {
    const n = (p: LoraParam) => p.shape[0] * p.shape[1];
    const exp_avg = await Promise.all(this.params.map((p) => readF32(this.device, p.exp_avg, n(p))));
    const exp_avg_sq = await Promise.all(this.params.map((p) => readF32(this.device, p.exp_avg_sq, n(p))));
    return { t: this.t, exp_avg, exp_avg_sq };
  }

  load(s: OptimizerState): void {
    this.t = s.t;
    this.params.forEach((p, i) => {
      writeF32(this.device, p.exp_avg, s.exp_avg[i]);
      writeF32(this.device, p.exp_avg_sq, s.exp_avg_sq[i]);
    });
  }

  /** The buffers belong to the decoder's plan (it frees them); nothing of the optimizer's own. */
  destroy(): void {}
}

// Learning-rate schedules with Hugging Face transformers' semantics (optimization.py):
// get_cosine_schedule_with_warmup, get_linear_schedule_with_warmup and
// get_constant_schedule_with_warmup. The optimizer step with 0-based index k uses lr · λ(k):
// HF calls scheduler.step() after each optimizer step, so the first step sees λ(0).
import type { LrSchedulerType } from './config.ts';

/** HF's warmup steps from a ratio: ceil(ratio · total) (TrainingArguments.get_warmup_steps). */
export function warmupSteps(total: number, ratio: number): number {
  return Math.ceil(total * ratio);
}

/** λ(step) of the schedule: the multiplier of the peak learning rate. */
export function lrLambda(type: LrSchedulerType, step: number, total: number, warmup: number): number {
  if (step < warmup) return step / Math.max(1, warmup);
  if (type === 'constant') return 1;
  if (type === 'linear') return Math.max(0, (total - step) / Math.max(1, total - warmup));
  const progress = (step - warmup) / Math.max(1, total - warmup);
  // num_cycles 0.5: one half cosine from 1 down to 0.
  return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * 0.5 * 2 * progress)));
}

export function learningRate(peak: number, type: LrSchedulerType, step: number, total: number, warmup: number): number {
  return peak * lrLambda(type, step, total, warmup);
}

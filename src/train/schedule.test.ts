// Learning-rate schedules against values worked out by hand from transformers'
// optimization.py formulas (get_{cosine,linear,constant}_schedule_with_warmup), and the
// step counts against HF Trainer's rule.
import { describe, expect, it } from 'vitest';
import { defaultTrainConfig } from './config.ts';
import { lrLambda, warmupSteps } from './schedule.ts';
import { stepCounts } from './trainer.ts';

describe('lr schedules (HF semantics)', () => {
  it('warmup is linear from 0 and takes ceil(ratio · total) steps', () => {
    expect(warmupSteps(100, 0.05)).toBe(5);
    expect(warmupSteps(10, 0.01)).toBe(1);
    expect(warmupSteps(10, 0)).toBe(0);
    for (const t of ['cosine', 'linear', 'constant'] as const) {
      expect(lrLambda(t, 0, 100, 4)).toBe(0);
      expect(lrLambda(t, 1, 100, 4)).toBe(0.25);
      expect(lrLambda(t, 3, 100, 4)).toBe(0.75);
      expect(lrLambda(t, 4, 100, 4)).toBe(1);
    }
  });
  it('cosine: 1 at the end of warmup, 0.5 half way, cos² shape, 0 at the end', () => {
    // progress = (s − 10) / 90; λ = 0.5 (1 + cos(π·progress))
    expect(lrLambda('cosine', 55, 100, 10)).toBeCloseTo(0.5, 12);
    expect(lrLambda('cosine', 25, 100, 10)).toBeCloseTo(0.5 * (1 + Math.cos(Math.PI / 6)), 12);
    expect(lrLambda('cosine', 100, 100, 10)).toBeCloseTo(0, 12);
    expect(lrLambda('cosine', 0, 10, 0)).toBe(1);
  });
  it('linear decays to 0; constant stays', () => {
    expect(lrLambda('linear', 55, 100, 10)).toBeCloseTo(0.5, 12);
    expect(lrLambda('linear', 100, 100, 10)).toBe(0);
    expect(lrLambda('constant', 99, 100, 10)).toBe(1);
  });
  it('step counts: len(dataloader) // accumulation per epoch, epochs rounded up, or max_steps', () => {
    const cfg = defaultTrainConfig({
      model_id: 'm',
      template: 'chatml',
      per_device_train_batch_size: 2,
      gradient_accumulation_steps: 4,
    });
    expect(stepCounts(cfg, 10)).toEqual({ stepsPerEpoch: 2, total: 6 });
    expect(stepCounts({ ...cfg, num_train_epochs: 1.5 }, 10)).toEqual({ stepsPerEpoch: 2, total: 3 });
    expect(stepCounts({ ...cfg, max_steps: 7 }, 10)).toEqual({ stepsPerEpoch: 2, total: 7 });
    expect(stepCounts(cfg, 3)).toEqual({ stepsPerEpoch: 1, total: 3 });
  });
});

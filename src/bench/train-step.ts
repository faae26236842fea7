// A LoRA training step as the studio runs it (the Trainer: forward, backward, grad norm, AdamW),
// on a random-weight model of a given shape: tokens/s over the timed steps, dispatches per step,
// and the last step's timeline — GPU time per kernel with timestamp-query (DispatchProfiler, one
// pass per dispatch, as bench/train.ts prints it), else wall time per queue submit.
import { uploadWeights } from '../engine/decoder/weights.ts';
import { DispatchProfiler, kernelTotals } from '../engine/runtime/index.ts';
import { destroyTensor } from '../engine/tensor/index.ts';
import { rng } from '../engine/testing/random.ts';
import { parseConfig } from '../model/config.ts';
import { tinyWeights } from '../model/tiny.ts';
import { defaultTrainConfig } from '../train/config.ts';
import { Trainer } from '../train/trainer.ts';
import type { TrainStepResult } from './protocol.ts';
import type { TrainBenchShape } from './shapes.ts';
import { SubmitTimer } from './submit-timer.ts';

export interface TrainStepOptions {
  /** Called after each step (warm-up included). */
  onStep?(step: number, total: number): void;
  /** Aborting cancels the run after the current step; the result is then null. */
  signal?: AbortSignal;
}

export async function measureTrainStep(
  device: GPUDevice,
  shape: TrainBenchShape,
  opts: TrainStepOptions = {},
): Promise<TrainStepResult | null> {
  const spec = parseConfig(shape.config);
  const weights = await uploadWeights(device, tinyWeights(spec, 1));
  const g = rng(7);
  // A quarter of each row is prompt (label -100), as in bench/train.ts.
  const records = Array.from({ length: shape.batch }, () => {
    const input_ids = Array.from(g.ints(shape.seq, spec.vocab_size));
    return { input_ids, labels: input_ids.map((x, t) => (t < shape.seq / 4 ? -100 : x)) };
  });
  const total = shape.warmup + shape.steps;
  const config = defaultTrainConfig({
    model_id: 'gpu-bench',
    template: 'chatml',
    max_steps: total,
    per_device_train_batch_size: shape.batch,
    gradient_accumulation_steps: 1,
    lora: { r: shape.r, lora_alpha: 2 * shape.r, lora_dropout: 0 },
    save_steps: 1_000_000,
  });
  // Every step's dispatches are counted; only the last is timed (a timestamp per pass may slow
  // the steps it times), or, without timestamps, its submits are.
  const prof = new DispatchProfiler(device);
  prof.timing = total === 1;
  let timer: SubmitTimer | undefined;
  const startTimer = () => {
    if (!prof.canTime) timer = new SubmitTimer(device, () => prof.dispatches);
  };
  if (total === 1) startTimer();
  const bounds: number[] = [];
  const seconds: number[] = [];
  let trainer: Trainer | undefined;
  const onAbort = () => trainer?.cancel();
  opts.signal?.addEventListener('abort', onAbort);
  try {
    trainer = new Trainer({
      device,
      spec,
      weights,
      config,
      records,
      padId: 0,
      onEvent: (e) => {
        if (e.type !== 'step') return;
        bounds.push(prof.dispatches);
        seconds.push(e.tokens / e.tokens_per_second);
        opts.onStep?.(e.step, total);
        if (e.step === total - 1) {
          prof.timing = true;
          startTimer();
        }
      },
    });
    const res = await trainer.run();
    if (res.status !== 'completed') {
      if (res.status === 'cancelled') return null;
      throw new Error(`the training step failed: ${res.message ?? res.status}`);
    }
    const last = bounds.length - 1;
    const from = last > 0 ? bounds[last - 1] : 0;
    const recs = await prof.records();
    const submits = timer ? await timer.submits(from, (i) => recs[i].kernel) : [];
    const timed = seconds.slice(shape.warmup);
    const secondsPerStep = timed.reduce((a, b) => a + b, 0) / timed.length;
    return {
      model: shape.model,
      batch: shape.batch,
      seq: shape.seq,
      r: shape.r,
      steps: timed.length,
      warmup: shape.warmup,
      secondsPerStep,
      tokensPerSecond: (shape.batch * shape.seq) / secondsPerStep,
      dispatchesPerStep: bounds[last] - from,
      timing: prof.canTime ? 'gpu' : 'wall',
      kernels: kernelTotals(recs, from, bounds[last]).map((k) => ({
        kernel: k.kernel,
        dispatches: k.dispatches,
        ms: k.ns / 1e6,
      })),
      submits,
      note: shape.note,
    };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    timer?.detach();
    prof.detach();
    trainer?.destroy();
    for (const t of weights.values()) destroyTensor(t);
  }
}

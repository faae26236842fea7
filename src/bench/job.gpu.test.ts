// The benchmark worker's job on this adapter, quick size: every message the page renders comes,
// in order, with finite positive times; the chip-independent work is 2·M·N·K of Qwen2.5-0.5B's
// products (its config.json: hidden 896, intermediate 4864); the tuner saves its picks to the store
// and a second run reads them back (nothing re-timed as a tuning) unless asked to re-tune; the
// step's dispatch count agrees with its per-kernel and per-submit breakdowns; a cancel stops it.
import { describe, expect, it } from 'vitest';
import { nodeGPU } from '../cli/node-gpu.ts';
import { memoryTunerStore } from '../engine/kernels/tuner.ts';
import { createBenchHandler } from './job.ts';
import type { FromBenchWorker, StartBench } from './protocol.ts';

const store = memoryTunerStore();

async function runJob(
  job: Omit<StartBench, 'type'>,
  cancelAfter?: FromBenchWorker['type'],
): Promise<FromBenchWorker[]> {
  const got: FromBenchWorker[] = [];
  let handle: ReturnType<typeof createBenchHandler>;
  const done = new Promise<void>((resolve) => {
    handle = createBenchHandler({
      gpu: nodeGPU(),
      tunerStore: () => store,
      post: (m) => {
        got.push(m);
        if (m.type === cancelAfter) void handle({ type: 'cancel' });
        if (m.type === 'done' || m.type === 'error') resolve();
      },
    });
  });
  await handle!({ type: 'start', ...job });
  await done;
  return got;
}

const of = <T extends FromBenchWorker['type']>(ms: FromBenchWorker[], t: T) =>
  ms.filter((m): m is Extract<FromBenchWorker, { type: T }> => m.type === t);
const positive = (x: number) => Number.isFinite(x) && x > 0;

describe('gpu bench job (quick)', () => {
  it('measures the adapter, gemm variants, attention and a training step, and saves the picks', async () => {
    const ms = await runJob({ size: 'quick' });
    expect(of(ms, 'error')).toEqual([]);
    const [adapter] = of(ms, 'adapter');
    expect(adapter.facts.limits.maxBufferSize).toBeGreaterThan(0);

    // The quick size says it is not the training shapes.
    expect(of(ms, 'plan')[0].note).toMatch(/^the quick size is a smoke run/);
    const gemm = of(ms, 'gemm').map((m) => m.result);
    // A quarter of Qwen2.5-0.5B at T=16: q/o 224×224 and down 224×1216 (W [out, in]).
    expect(gemm.map((g) => [g.M, g.N, g.K, g.flops])).toEqual([
      [16, 224, 224, 1605632],
      [16, 224, 1216, 8716288],
    ]);
    for (const g of gemm) {
      expect(g.tunedNow).toBe(true);
      // 'tiled' takes any operands; the matrix-vector kernels only ≤ 8 rows.
      expect(positive(g.variants.find((v) => v.variant === 'tiled')!.seconds!)).toBe(true);
      expect(g.variants.find((v) => v.variant === 'wide')!.seconds).toBeNull();
      for (const v of g.variants) if (v.seconds !== null) expect(positive(v.seconds)).toBe(true);
      expect(g.variants.find((v) => v.variant === g.pick)!.seconds).not.toBeNull();
    }
    const [{ picks: tuner }] = of(ms, 'tuner');
    expect(tuner.picks).toEqual(await store.get(tuner.adapter));
    for (const g of gemm) expect(tuner.picks[g.shapeClass]).toBe(g.pick);

    const attention = of(ms, 'attention').map((m) => m.result);
    expect(attention.map((a) => a.name)).toEqual(['attention forward (causal)', 'attention backward']);
    // attentionFlops: 4·d·h per causal pair forward, 14·d·h backward; T=32 → 528 pairs, h=14, d=64.
    expect(attention.map((a) => a.flops)).toEqual([4 * 64 * 14 * 528, 14 * 64 * 14 * 528]);
    for (const a of attention) expect(positive(a.seconds)).toBe(true);

    const [{ result: train }] = of(ms, 'train');
    expect(positive(train.tokensPerSecond)).toBe(true);
    expect(train.tokensPerSecond).toBeCloseTo((train.batch * train.seq) / train.secondsPerStep, 6);
    expect(train.dispatchesPerStep).toBeGreaterThan(10);
    expect(train.kernels.reduce((a, k) => a + k.dispatches, 0)).toBe(train.dispatchesPerStep);
    if (train.timing === 'wall') {
      expect(train.submits.reduce((a, s) => a + s.dispatches, 0)).toBe(train.dispatchesPerStep);
      for (const s of train.submits) expect(Number.isFinite(s.ms) && s.ms >= 0).toBe(true);
    } else {
      for (const k of train.kernels) expect(positive(k.ms)).toBe(true);
    }
    const progress = of(ms, 'progress');
    expect(progress.length).toBeGreaterThan(4);
    for (const p of progress) expect(p.done).toBeLessThanOrEqual(p.total);
    expect(ms.at(-1)).toMatchObject({ type: 'done', cancelled: false, size: 'quick', retune: false });

    // A second run reads the picks back (nothing tuned anew); cancelled after its first product:
    // no more products, no training step, and the run says so.
    const again = await runJob({ size: 'quick' }, 'gemm');
    expect(of(again, 'gemm').map((m) => m.result.tunedNow)).toEqual([false]);
    expect(of(again, 'tuner')[0].picks.stored).toEqual(tuner.picks);
    expect(of(again, 'train')).toEqual([]);
    expect(again.at(-1)).toMatchObject({ type: 'done', cancelled: true });

    // Re-tune: the class is timed again although it has a pick; only kernels and picks.
    const re = await runJob({ size: 'quick', retune: true }, 'gemm');
    expect(of(re, 'gemm').map((m) => m.result.tunedNow)).toEqual([true]);
    expect(of(re, 'attention')).toEqual([]);
    expect(re.at(-1)).toMatchObject({ type: 'done', cancelled: true, retune: true });
  }, 600_000);
});

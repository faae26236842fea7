// The autotuner on this adapter: it times every variant that applies to a shape (and only
// those), keeps the fastest of its own timings, saves the choice under the adapter's key, and
// gemm's 'auto' then runs that variant — its result still equal to the float64 reference.
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeDevice } from '../../cli/node-gpu.ts';
import { linearRef } from '../testing/reference.ts';
import { maxRelErr, rng } from '../testing/random.ts';
import { read, runChecked, upload, zeros } from '../testing/gpu.ts';
import { GEMM_VARIANTS, gemm, gemmKernel, gemmVariantApplies } from './matmul.ts';
import { GemmTuner, adapterKey, memoryTunerStore, shapeClass } from './tuner.ts';
import { autotune } from './autotune.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = await nodeDevice();
});

describe('GemmTuner', () => {
  it('times the applicable variants, keeps the fastest, and gemm auto uses it', async () => {
    const store = memoryTunerStore();
    const tuner = await GemmTuner.attach(device, store);
    try {
      // Every layout the tuner's float64 check reads (a transposed A, B as [K, N], 16-bit B): a
      // variant whose product disagrees would be missing from the timings and listed as rejected.
      const shapes = [
        { M: 3, N: 40, K: 24 },
        { M: 70, N: 33, K: 17 },
        { M: 20, N: 40, K: 24, transA: true, transB: false },
        { M: 9, N: 48, K: 32, bDtype: 'bf16' as const },
        { M: 130, N: 24, K: 40, transB: false, bDtype: 'f16' as const },
      ];
      const timings = await tuner.tune(shapes, { minSeconds: 0 });
      for (const s of shapes) {
        const t = timings.get(shapeClass(s))!;
        const dummy = zeros(device, 4);
        const g = { a: dummy, b: dummy, c: dummy, ...s };
        const applicable = GEMM_VARIANTS.filter((v) => gemmVariantApplies(device, g, v));
        expect(t.map((x) => x.variant).sort()).toEqual([...applicable].sort());
        for (const x of t) expect(x.seconds).toBeGreaterThan(0);
        expect(tuner.choice(g)).toBe(t[0].variant);
        expect(t[0].seconds).toBe(Math.min(...t.map((x) => x.seconds)));
        expect(gemmKernel(device, g)).toBe(t[0].variant);
      }
      expect(tuner.rejected).toEqual([]);
      expect(await store.get(adapterKey(device))).toEqual(tuner.all);
      // A second tune of known classes measures nothing.
      expect((await tuner.tune(shapes)).size).toBe(0);

      const [M, N, K] = [70, 33, 17];
      const r = rng(9);
      const x = r.normal(M * K);
      const w = r.normal(N * K);
      const c = zeros(device, M * N);
      await runChecked(device, (enc) => gemm(device, enc, { a: upload(device, x), b: upload(device, w), c, M, N, K }));
      expect(maxRelErr(await read(device, c), linearRef(x, w, M, N, K))).toBeLessThan(1e-5);
    } finally {
      tuner.detach();
    }
    const dummy = zeros(device, 4);
    expect(gemmKernel(device, { a: dummy, b: dummy, c: dummy, M: 70, N: 33, K: 17 })).toBe('tiled');
  });

  it('a new tuner on the same store starts from the saved choices', async () => {
    const store = memoryTunerStore();
    await store.set(adapterKey(device), { [shapeClass({ M: 100, N: 50, K: 50 })]: 'tile8x8', bogus: 'nope' as never });
    const tuner = await GemmTuner.attach(device, store);
    try {
      const dummy = zeros(device, 4);
      expect(gemmKernel(device, { a: dummy, b: dummy, c: dummy, M: 100, N: 50, K: 50 })).toBe('tile8x8');
      // A transposed A is another class, with no choice: the built-in rule.
      expect(gemmKernel(device, { a: dummy, b: dummy, c: dummy, M: 100, N: 50, K: 50, transA: true })).toBe('tiled');
      expect(tuner.all).toEqual({ [shapeClass({ M: 100, N: 50, K: 50 })]: 'tile8x8' });
    } finally {
      tuner.detach();
    }
  });

  it('autotune: auto and off leave a CPU adapter alone; on tunes, saves, and measures nothing twice', async () => {
    const dummy = zeros(device, 4);
    const g = { a: dummy, b: dummy, c: dummy, M: 3, N: 40, K: 24 };
    const store = memoryTunerStore();
    // A choice the built-in rule would never make: seen only if a tuner is attached.
    await store.set(adapterKey(device), { [shapeClass({ M: 70, N: 33, K: 17 })]: 'tile8x8' });
    const g70 = { ...g, M: 70, N: 33, K: 17 };
    for (const mode of ['auto', 'off'] as const) {
      const r = await autotune(device, [g], mode, store);
      expect(r.tuner).toBeUndefined();
      expect(r.skipped).toMatch(mode === 'off' ? /^off$/ : /CPU adapter/);
      expect(gemmKernel(device, g70)).toBe('tiled');
    }
    // The shape of the first test (its pipelines are compiled already).
    const on = await autotune(device, [{ M: 3, N: 40, K: 24 }], 'on', store);
    try {
      expect(on.measured).toBe(1);
      expect(gemmKernel(device, g70)).toBe('tile8x8');
      expect(Object.keys((await store.get(adapterKey(device)))!).sort()).toEqual(
        [shapeClass(g), shapeClass(g70)].sort(),
      );
      const again = await autotune(device, [{ M: 3, N: 40, K: 24 }], 'on', store);
      again.tuner?.detach();
      expect(again.measured).toBe(0);
    } finally {
      on.tuner?.detach();
    }
  });
});

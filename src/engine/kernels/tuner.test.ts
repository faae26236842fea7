// The tuner's stores and shape classes: choices survive a new store on the same IndexedDB
// (fake-indexeddb) or file, adapters never share choices, a corrupt file is reported and replaced.
import 'fake-indexeddb/auto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileTunerStore } from '../../cli/tuner-file.ts';
import { idbTunerStore } from './tuner-idb.ts';
import { GemmCheck, shapeClass } from './tuner.ts';

const dir = mkdtempSync(join(tmpdir(), 'prism-tuner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('shapeClass', () => {
  it('separates decode rows, layouts and dtypes; groups nearby sizes', () => {
    expect(shapeClass({ M: 1, N: 896, K: 896, bDtype: 'bf16' })).toBe('NT bf16 M:vec N:s K:s');
    expect(shapeClass({ M: 512, N: 4864, K: 896, bDtype: 'bf16' })).toBe('NT bf16 M:mid N:l K:s');
    expect(shapeClass({ M: 1024, N: 896, K: 4864, transB: false })).toBe('NN f32 M:long N:s K:l');
    expect(shapeClass({ M: 16, N: 65, K: 2048, transA: true, transB: false })).toBe('TN f32 M:short N:s K:m');
    expect(shapeClass({ M: 600, N: 1000, K: 100 })).toBe(shapeClass({ M: 1000, N: 100, K: 1000 }));
    // A LoRA rank (≤ 64) is its own bucket: x·Aᵀ is not q_proj's class.
    expect(shapeClass({ M: 128, N: 16, K: 896 })).toBe('NT f32 M:mid N:xs K:s');
    expect(shapeClass({ M: 128, N: 896, K: 64 })).toBe('NT f32 M:mid N:s K:xs');
  });
});

describe('stores', () => {
  it('IndexedDB: choices persist per adapter', async () => {
    await idbTunerStore('t1').set('nvidia|hopper', { 'NT bf16 M:mid N:l K:s': 'tile8x8' });
    const again = idbTunerStore('t1');
    expect(await again.get('nvidia|hopper')).toEqual({ 'NT bf16 M:mid N:l K:s': 'tile8x8' });
    expect(await again.get('google|swiftshader')).toBeUndefined();
  });

  it('file: choices persist per adapter; a corrupt file is reported, then rewritten', async () => {
    const path = join(dir, 'sub', 'tuning.json');
    const s = fileTunerStore(path);
    expect(await s.get('a')).toBeUndefined();
    await s.set('a', { x: 'tiled' });
    await s.set('b', { y: 'narrow' });
    expect(await fileTunerStore(path).get('a')).toEqual({ x: 'tiled' });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ a: { x: 'tiled' }, b: { y: 'narrow' } });
    writeFileSync(path, '{"a": {');
    const warnings: string[] = [];
    const bad = fileTunerStore(path, (m) => warnings.push(m));
    expect(await bad.get('a')).toBeUndefined();
    expect(warnings[0]).toMatch(/tuning\.json: unreadable gemm tuning cache/);
    await bad.set('c', { z: 'wide' });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ c: { z: 'wide' } });
  });
});

describe('GemmCheck (the tuner refuses a variant whose product is wrong)', () => {
  // C = A·Bᵀ for A [3, 2], B [2, 2] by hand: rows [1·5 + 2·6, 1·7 + 2·8] = [17, 23], [39, 53], [61, 83].
  const a = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const b = Float32Array.from([5, 6, 7, 8]);
  const check = new GemmCheck({ M: 3, N: 2, K: 2 }, a, b);
  const want: Record<number, number[]> = { 0: [17, 23], 1: [39, 53], 2: [61, 83] };
  const rowsOf = (f: (m: number, j: number) => number) =>
    Float32Array.from(check.rows.flatMap((m) => [0, 1].map((j) => f(m, j))));

  it('checks the first, last and middle rows and passes the exact product', () => {
    expect([...check.rows].sort()).toEqual([0, 1, 2]);
    expect(check.worst(rowsOf((m, j) => want[m][j]))).toBe(0);
  });
  it('fails one entry off by more than 1e-4 of Σ|a·b|, and NaN', () => {
    expect(check.worst(rowsOf((m, j) => want[m][j] + (m === 2 && j === 1 ? 0.01 : 0)))).toBeGreaterThan(1);
    expect(check.worst(rowsOf((m, j) => (m === 0 && j === 0 ? NaN : want[m][j])))).toBe(Infinity);
  });
  it('reads a transposed A and B stored [K, N]', () => {
    // Aᵀ stored [K=2, M=3] and B stored [K=2, N=2]: the same product.
    const t = new GemmCheck(
      { M: 3, N: 2, K: 2, transA: true, transB: false },
      Float32Array.from([1, 3, 5, 2, 4, 6]),
      Float32Array.from([5, 7, 6, 8]),
    );
    expect(t.worst(Float32Array.from(t.rows.flatMap((m) => want[m])))).toBe(0);
  });
});

// bench:gpu's dry run, through the package it travels in (bench/pack-gpu.mjs: the esbuild bundle
// with the WGSL inlined, `webgpu` beside it, run.sh), on this machine's adapter with tiny shapes:
// every section must print real numbers, the PyTorch step must run, and the whole path must work
// before anyone spends GPU-machine time on it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'prism-bench-gpu-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('packs bench/gpu.ts and runs its --dry-run from the package', () => {
  const pack = spawnSync(
    'node',
    ['bench/pack-gpu.mjs', '--out', join(dir, 'pkg'), '--no-node', '--no-vulkan', '--no-xz'],
    {
      encoding: 'utf8',
    },
  );
  expect(pack.status, pack.stderr).toBe(0);
  expect(pack.stdout).toMatch(/of the 64\.0 MiB carry limit/);
  const json = join(dir, 'out.json');
  const run = spawnSync('bash', [join(dir, 'pkg', 'run.sh'), '--dry-run', '--json', json], {
    encoding: 'utf8',
    env: { ...process.env, PRISM_BENCH_TMP: join(dir, 'work') },
  });
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  const r = JSON.parse(readFileSync(json, 'utf8'));
  expect(r.dry_run).toBe(true);
  expect(r.skipped).toEqual([]);
  // Matmul: every shape in both weight dtypes, each variant where its precondition holds
  // (gemmVariantApplies): the 64- and 128-row tiles everywhere (no shape has a transposed A), the
  // 32-row tiles for M ≤ 64, the matrix-vector layouts for M ≤ 8 (the subgroup one only where the
  // adapter has subgroups); vec4 nowhere (K = 33 or 45 is no multiple of 4, or B is not transposed).
  expect(r.matmul.length).toBe(6);
  for (const m of r.matmul) {
    expect(m.gflops.tiled).toBeGreaterThan(0);
    const want = [
      'double',
      'tile8x8',
      'tiled',
      ...(m.M <= 64 ? ['short'] : []),
      ...(m.M <= 8 ? ['narrow', 'wide'] : []),
    ];
    const got = Object.keys(m.gflops).filter((v) => v !== 'subgroup');
    expect(got.sort()).toEqual(want.sort());
    if ('subgroup' in m.gflops) expect(m.M).toBeLessThanOrEqual(8);
  }
  expect(r.attention[0].forward_gflops).toBeGreaterThan(0);
  expect(r.attention[0].backward_gflops).toBeGreaterThan(0);
  expect(r.train).toHaveLength(1);
  expect(r.train[0].tokens_per_second).toBeGreaterThan(0);
  expect(r.train[0].dispatches_per_step).toBeGreaterThan(50);
  // PyTorch (Debian's /usr/bin/python3 here): float32 and bfloat16, a finite loss near ln(512).
  expect(r.torch.map((t: { dtype: string }) => t.dtype)).toEqual(['float32', 'bfloat16']);
  for (const t of r.torch) {
    expect(t.error).toBeUndefined();
    expect(t.tokens_per_second).toBeGreaterThan(0);
    expect(Math.abs(t.loss - Math.log(512))).toBeLessThan(0.5);
  }
  expect(run.stdout).toMatch(/Prism\/torch/);
});

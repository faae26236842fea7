// `npm run bench:peers -- --dry-run` (issue 18 §3) as the CLI runs it: tiny shapes, one round, in one
// Chromium page. Every implementation — each Prism gemm variant that applies (f32 and bf16 weights),
// onnxruntime-web's Gemm and MatMul on its WebGPU EP, tfjs-backend-webgpu's matMul — must have run and
// matched the float64 reference (the page throws otherwise), and the Prism-vs-best-peer ratios must print.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT_DIR, ROOT } from './harness.ts';
import type { PeersReport } from '../bench/peers/protocol.ts';

test('bench:peers --dry-run checks every implementation against float64 and prints the ratios', () => {
  mkdirSync(OUT_DIR, { recursive: true });
  const json = join(OUT_DIR, 'bench-peers.json');
  const p = spawnSync('node', ['--import', 'tsx', 'bench/peers/main.ts', '--dry-run', '--json', json], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 300_000,
  });
  assert.equal(p.status, 0, `bench:peers --dry-run failed:\n${p.stdout}\n${p.stderr}`);
  const report = JSON.parse(readFileSync(json, 'utf8')) as PeersReport & { ratios: { f32: number; bf16?: number }[] };

  assert.ok(report.checks.includes('ORT node placement: WebGpuExecutionProvider'), report.checks.join('; '));
  assert.ok(report.checks.includes('tfjs backend: webgpu'), report.checks.join('; '));
  assert.ok(report.prismVariants.includes('tiled'));
  assert.equal(report.shapes.length, 2);
  for (const s of report.shapes) {
    const names = s.impls.map((i) => `${i.name} ${i.dtype}`);
    for (const peer of ['ort Gemm', 'ort MatMul', 'tfjs matMul']) {
      assert.ok(
        names.some((n) => n.startsWith(peer)),
        `${s.shape.name}: no ${peer} row in ${names.join(', ')}`,
      );
    }
    // Each Prism variant, for each weight dtype, ran or was skipped as not applicable.
    for (const v of report.prismVariants) {
      for (const d of ['f32', 'bf16']) {
        const ran = names.includes(`prism ${v} ${d}`);
        assert.ok(ran || s.skipped.some((k) => k.startsWith(`prism ${v} ${d}`)), `${s.shape.name}: prism ${v} ${d}`);
      }
    }
    for (const i of s.impls) {
      assert.equal(i.checked, s.shape.M * s.shape.N, `${s.shape.name} ${i.name}: every entry checked`);
      assert.ok(i.worst <= 1, `${s.shape.name} ${i.name}: worst error ${i.worst}× the tolerance`);
      assert.ok(i.medianMs > 0 && Number.isFinite(i.medianMs), `${s.shape.name} ${i.name}: time ${i.medianMs}`);
    }
  }
  // X·Wᵀ with M = 3: the tiled GEMM and the matrix-vector kernels all ran.
  const decode = report.shapes[0].impls.map((i) => i.name);
  for (const v of ['prism tiled', 'prism narrow', 'prism wide']) assert.ok(decode.includes(v), v);

  assert.equal(report.ratios.length, 2);
  for (const r of report.ratios) assert.ok(r.f32 > 0 && (r.bf16 ?? 0) > 0);
  const printed = p.stdout.split('\n').filter((l) => /^ {2}dry .* f32 \d+\.\d\d× {3}bf16 \d+\.\d\d×$/.test(l));
  assert.equal(printed.length, 2, p.stdout);
});

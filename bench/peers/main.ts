// Prism's matmul vs onnxruntime-web (WebGPU EP) and tfjs-backend-webgpu in one Chromium page (issue 18 §3).
//
// Run: npm run bench:peers -- [flags]   (node --import tsx bench/peers/main.ts)
// Flags (defaults suit SwiftShader on 2 CPU cores, a few minutes; --full is for a real GPU):
//   --tokens T     rows of every product (default 64; --full 512)
//   --rounds R     timed rounds after the warm-up (default 3; --full 10)
//   --reps K       products queued per timed region (default 1; --full 10)
//   --models L     qwen (Qwen2.5-0.5B), smollm2 (SmolLM2-135M) or both (default qwen; --full both)
//   --dx           every layer's input gradient dY·W too (default: only the down projection's)
//   --no-bf16      skip Prism's bf16-weight rows
//   --samples S    output entries checked per implementation (default 512)
//   --dry-run      tiny shapes, 1 round, 1 rep: checks that every implementation runs and is right
//   --full         tokens 512, both models, every dX, 10 rounds of 10 reps
//   --json FILE    also write the report (PeersReport + ratios) as JSON (e2e/bench-peers.e2e.ts reads it)
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { PeerShape, PeersConfig } from './protocol.ts';
import { formatReport, runPeers } from './run.ts';

const { values } = parseArgs({
  options: {
    tokens: { type: 'string' },
    rounds: { type: 'string' },
    reps: { type: 'string' },
    models: { type: 'string' },
    dx: { type: 'boolean' },
    'no-bf16': { type: 'boolean', default: false },
    samples: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});

/** hidden → hidden (q/o), hidden → intermediate (gate/up), intermediate → hidden (down). */
const MODELS: Record<string, { label: string; hidden: number; intermediate: number }> = {
  qwen: { label: 'Qwen2.5-0.5B', hidden: 896, intermediate: 4864 },
  smollm2: { label: 'SmolLM2-135M', hidden: 576, intermediate: 1536 },
};

const int = (flag: string, v: string | undefined, dflt: number) => {
  const n = v === undefined ? dflt : Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: expected a positive integer, got ${v}`);
  return n;
};

const dry = values['dry-run'];
const full = values.full;
const T = int('--tokens', values.tokens, full ? 512 : 64);
const models = (values.models ?? (full ? 'qwen,smollm2' : 'qwen')).split(',');
const allDx = values.dx ?? full;
for (const m of models) if (!MODELS[m]) throw new Error(`--models: unknown model ${m} (qwen, smollm2)`);

/** Forward X·Wᵀ for the three projections, and dY·W (input gradient, transB = false). */
function trainingShapes(): PeerShape[] {
  const shapes: PeerShape[] = [];
  for (const m of models) {
    const { label, hidden: h, intermediate: i } = MODELS[m];
    const layers = [
      { name: 'q/o', out: h, in: h },
      { name: 'gate/up', out: i, in: h },
      { name: 'down', out: h, in: i },
    ];
    for (const l of layers) {
      shapes.push({ name: `${label} ${l.name} ${l.in}→${l.out}`, M: T, N: l.out, K: l.in, transB: true });
    }
    for (const l of layers) {
      if (!allDx && l.name !== 'down') continue;
      // dX[T, in] = dY[T, out]·W[out, in]
      shapes.push({ name: `${label} dX ${l.name} dY·W`, M: T, N: l.in, K: l.out, transB: false });
    }
  }
  return shapes;
}

// Dry run: odd sizes (partial tiles); M = 3 in X·Wᵀ so the matrix-vector variants apply too, and dY·W.
// Two shapes only: on SwiftShader each new pipeline takes seconds to compile.
const DRY: PeerShape[] = [
  { name: 'dry X·Wᵀ', M: 3, N: 50, K: 24, transB: true },
  { name: 'dry dY·W', M: 37, N: 40, K: 72, transB: false },
];

const config: PeersConfig = {
  shapes: dry ? DRY : trainingShapes(),
  rounds: dry ? 1 : int('--rounds', values.rounds, full ? 10 : 3),
  reps: dry ? 1 : int('--reps', values.reps, full ? 10 : 1),
  bf16: !values['no-bf16'],
  seed: 1234,
  // The dry run checks every entry.
  samples: dry ? Number.MAX_SAFE_INTEGER : int('--samples', values.samples, 512),
};

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const t0 = Date.now();
console.log('Prism peers benchmark (issue 18 §3): Prism gemm vs onnxruntime-web (WebGPU EP) and tfjs-backend-webgpu');
console.log(`date        ${new Date().toISOString()}`);
console.log(`host        ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, node ${process.version}, load ${load()}`);
const report = await runPeers({ config, log: (l) => console.log(l) });
console.log(`adapter     ${report.adapter} (one Chromium page; each library on its own device from it)`);
console.log(`features    ${report.features.join(' ')}`);
console.log(
  `versions    ${Object.entries(report.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}`,
);
for (const c of report.checks) console.log(`check       ${c}`);
const { lines, ratios } = formatReport(report, config);
for (const l of lines) console.log(l);
console.log();
console.log('Prism best / best peer (speed, > 1 = Prism faster):');
for (const r of ratios) {
  console.log(
    `  ${r.shape.padEnd(34)} f32 ${r.f32.toFixed(2)}×${r.bf16 !== undefined ? `   bf16 ${r.bf16.toFixed(2)}×` : ''}`,
  );
}
if (values.json) writeFileSync(values.json, JSON.stringify({ ...report, ratios }, null, 1));
console.log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s (load average now ${load()})`);

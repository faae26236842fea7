// Benchmark of LoRA training steps (issue 8): tokens/s of the Trainer's optimizer steps
// (forward + backward + grad norm + AdamW, LoRA r on every linear layer) and the planned GPU
// memory, for a tiny model and a SmolLM2-135M-shaped model (random weights), against a PyTorch
// CPU LoRA training step on the same shape and batch (bench/train_torch.py, Debian's
// /usr/bin/python3) in the same run; prints the ratio, the dispatches per step and (timestamp-query)
// the GPU time per kernel of the last step.
//
// Run: node --import tsx --import ./src/cli/register.mjs bench/train.ts [flags]
// Flags (defaults suit SwiftShader on 2 CPU cores: a few minutes):
//   --models L       comma list of tiny, smollm2 (default both)
//   --seq N          tokens per row (default: tiny 64, smollm2 16; a real GPU: --seq 512)
//   --batch N        rows per step (default 1)
//   --steps N        timed steps after --warmup (default: tiny 3, smollm2 1)
//   --warmup N       untimed steps first (pipeline compilation, ~4 s here; default: tiny 1,
//                    smollm2 0: its minutes-long step dwarfs the compilation)
//   --r N            LoRA rank (default 8, alpha 2r)
//   --recompute      recompute activations in backward
//   --torch-dtype D  float32 (default) or bfloat16 base weights on the CPU side
//   --no-torch       skip the PyTorch baseline
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { nodeGPU } from '../src/cli/node-gpu.ts';
import { TINY_LLAMA } from '../src/bench/shapes.ts';
import { acquireDevice } from '../src/engine/device.ts';
import { uploadWeights } from '../src/engine/decoder/weights.ts';
import { fmt } from '../src/engine/plan/index.ts';
import { DispatchProfiler, kernelTotals } from '../src/engine/runtime/index.ts';
import { destroyTensor } from '../src/engine/tensor/index.ts';
import { rng } from '../src/engine/testing/random.ts';
import { parseConfig } from '../src/model/config.ts';
import { KNOWN_CONFIGS } from '../src/model/known-models.ts';
import { tinyWeights } from '../src/model/tiny.ts';
import { defaultTrainConfig } from '../src/train/config.ts';
import { Trainer, type TrainEvent } from '../src/train/trainer.ts';

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'tiny,smollm2' },
    seq: { type: 'string' },
    batch: { type: 'string', default: '1' },
    steps: { type: 'string' },
    warmup: { type: 'string' },
    r: { type: 'string', default: '8' },
    recompute: { type: 'boolean', default: false },
    'torch-dtype': { type: 'string', default: 'float32' },
    'no-torch': { type: 'boolean', default: false },
  },
});

const HERE = dirname(fileURLToPath(import.meta.url));
// The tiny llama of the in-app GPU benchmark too (src/bench/shapes.ts).
const TINY = TINY_LLAMA;
const MODELS: Record<
  string,
  { label: string; config: Record<string, unknown>; seq: number; steps: number; warmup: number }
> = {
  tiny: { label: 'tiny llama (hidden 64, 2 layers, vocab 512, f32)', config: TINY, seq: 64, steps: 3, warmup: 1 },
  smollm2: {
    label: 'SmolLM2-135M shape (hidden 576, 30 layers, vocab 49152, bf16)',
    config: KNOWN_CONFIGS['HuggingFaceTB/SmolLM2-135M-Instruct'].config as Record<string, unknown>,
    seq: 16,
    steps: 1,
    warmup: 0,
  },
};

const { device, description } = await acquireDevice(nodeGPU());
console.log(`device: ${description || 'unknown adapter'}; CPU: ${cpus().length}× ${cpus()[0]?.model ?? '?'}`);
const r = Number(values.r);
const batch = Number(values.batch);
const rows: string[][] = [];
const tmp = mkdtempSync(join(tmpdir(), 'prism-bench-train-'));

for (const name of values.models!.split(',')) {
  const m = MODELS[name];
  if (!m) throw new Error(`unknown model ${name} (tiny, smollm2)`);
  const seq = Number(values.seq ?? m.seq);
  const steps = Number(values.steps ?? m.steps);
  const warmup = Number(values.warmup ?? m.warmup);
  const spec = parseConfig(m.config);
  const t0 = performance.now();
  const weights = await uploadWeights(device, tinyWeights(spec, 1));
  const g = rng(7);
  const records = Array.from({ length: batch }, () => {
    const input_ids = Array.from(g.ints(seq, spec.vocab_size));
    return { input_ids, labels: input_ids.map((x, t) => (t < seq / 4 ? -100 : x)) };
  });
  const config = defaultTrainConfig({
    model_id: name,
    template: 'chatml',
    max_steps: warmup + steps,
    per_device_train_batch_size: batch,
    gradient_accumulation_steps: 1,
    lora: { r, lora_alpha: 2 * r, lora_dropout: 0 },
    save_steps: 1_000_000,
  });
  const stepTimes: number[] = [];
  // Dispatches are counted over every step; the last step's are also timed on the GPU
  // (timestamp-query), since a timestamp per pass may itself slow the timed steps down.
  const prof = new DispatchProfiler(device);
  const total = warmup + steps;
  prof.timing = total === 1;
  const bounds: number[] = [];
  const trainer = new Trainer({
    device,
    spec,
    weights,
    config,
    records,
    padId: 0,
    recompute: values.recompute,
    onEvent: (e: TrainEvent) => {
      if (e.type === 'step') {
        bounds.push(prof.dispatches);
        prof.timing = e.step === total - 1;
        stepTimes.push(e.tokens / e.tokens_per_second);
        process.stderr.write(
          `  ${name} step ${e.step}: ${(e.tokens / e.tokens_per_second).toFixed(2)} s, loss ${e.loss.toFixed(3)}\n`,
        );
      }
    },
  });
  const plan = trainer.plan;
  console.log(
    `\n${m.label}: batch ${batch} × ${seq} tokens, LoRA r=${r} on all 7 linear layers, setup ` +
      `${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  console.log(
    `  planned GPU memory ${fmt(plan.total)}: ` +
      Object.entries(plan.bytes)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(', '),
  );
  let recs;
  try {
    await trainer.run();
    recs = await prof.records();
  } finally {
    prof.detach();
  }
  const timed = stepTimes.slice(warmup);
  const perStep = bounds.map((b, i) => b - (i > 0 ? bounds[i - 1] : 0));
  const setupNote = warmup === 0 ? " (the first step also counts the run's setup)" : '';
  console.log(`  dispatches per step: ${perStep.join(', ')}${setupNote}`);
  const lastFrom = bounds.length > 1 ? bounds[bounds.length - 2] : 0;
  if (!prof.canTime) {
    console.log('  GPU time per kernel: unavailable (this adapter has no timestamp-query)');
  } else {
    const totals = kernelTotals(recs, lastFrom, bounds[bounds.length - 1]);
    const gpuNs = totals.reduce((a, t) => a + (Number.isFinite(t.ns) ? t.ns : 0), 0);
    const wall = stepTimes[stepTimes.length - 1];
    console.log(
      `  GPU time per kernel, step ${bounds.length} (timestamp-query, one pass per dispatch): Σ ` +
        `${(gpuNs / 1e6).toFixed(1)} ms of a ${(wall * 1e3).toFixed(0)} ms step`,
    );
    console.log(
      `    ${'kernel'.padEnd(28)} ${'dispatches'.padStart(10)} ${'GPU ms'.padStart(10)} ${'share'.padStart(6)}`,
    );
    for (const t of totals) {
      console.log(
        `    ${t.kernel.padEnd(28)} ${String(t.dispatches).padStart(10)} ${(t.ns / 1e6).toFixed(2).padStart(10)} ` +
          `${((100 * t.ns) / gpuNs).toFixed(1).padStart(5)}%`,
      );
    }
  }
  const sec = timed.reduce((a, b) => a + b, 0) / timed.length;
  const ours = (batch * seq) / sec;
  trainer.destroy();
  for (const t of weights.values()) destroyTensor(t);

  let torchTps = NaN;
  let torchNote = 'skipped';
  if (!values['no-torch']) {
    const job = join(tmp, `${name}.json`);
    writeFileSync(
      job,
      JSON.stringify({
        config: m.config,
        r,
        lora_alpha: 2 * r,
        batch,
        seq_len: seq,
        steps,
        warmup,
        dtype: values['torch-dtype'],
      }),
    );
    const p = spawnSync('/usr/bin/python3', [join(HERE, 'train_torch.py'), job], { encoding: 'utf8' });
    if (p.status === 0) {
      const res = JSON.parse(p.stdout.trim().split('\n').pop()!);
      torchTps = res.tokens_per_second;
      torchNote = `torch ${res.torch}, ${res.threads} threads, ${values['torch-dtype']} base weights`;
    } else {
      torchNote = `failed (apt-get install python3-torch): ${p.stderr.trim().split('\n').pop()}`;
    }
  }
  console.log(
    `  Prism (WebGPU): ${sec.toFixed(2)} s/step, ${ours.toPrecision(3)} tokens/s (mean of ${timed.length} ` +
      `step(s) after ${warmup} warm-up)`,
  );
  const torchStep = Number.isFinite(torchTps)
    ? `${((batch * seq) / torchTps).toFixed(2)} s/step, ${torchTps.toFixed(1)} tokens/s`
    : '-';
  console.log(`  PyTorch CPU:    ${torchStep} (${torchNote})`);
  const ratio = ours / torchTps;
  console.log(`  ratio Prism / PyTorch CPU: ${Number.isFinite(ratio) ? ratio.toPrecision(3) : '-'}×`);
  rows.push([
    name,
    `${batch}×${seq}`,
    String(perStep[perStep.length - 1]),
    fmt(plan.total),
    ours.toPrecision(3),
    Number.isFinite(torchTps) ? torchTps.toPrecision(3) : '-',
    Number.isFinite(ratio) ? ratio.toPrecision(3) : '-',
  ]);
}
rmSync(tmp, { recursive: true, force: true });

console.log(
  '\n| model | tokens/step | dispatches/step | planned GPU memory | Prism tok/s | PyTorch CPU tok/s | ratio |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
device.destroy();

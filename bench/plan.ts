// Planned GPU memory of one LoRA training step (the engine's memory planner, planMemory in
// src/engine/plan/) for the curated Hub models, from the same specs the studio's picker uses
// (src/model/known-models.ts, the models' config.json facts) and the same LoRA targets the
// trainer adapts (every linear layer under the checkpoint's names: PEFT's all-linear).
// No GPU needed: it prints the plan, it does not run it.
//
// Run: node --import tsx --import ./src/cli/register.mjs bench/plan.ts [flags]
//   (npm run bench:plan -- [flags])
//   --models L    comma list of Hub ids or unique substrings
//                 (default: gemma-3-1b-it, Phi-4-mini, internlm2_5-1_8b)
//   --all         every trainable curated model
//   --tokens L    comma list of sequence lengths (default 1024)
//   --batch N     rows per step (default 1)
//   --r N         LoRA rank (default 16)
import { parseArgs } from 'node:util';
import { fits, fmt, planMemory, modelShape } from '../src/engine/plan/plan.ts';
import { KNOWN_MODELS } from '../src/model/known-models.ts';
import { allLinear } from '../src/model/layout.ts';

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'gemma-3-1b-it,Phi-4-mini,internlm2_5-1_8b' },
    all: { type: 'boolean', default: false },
    tokens: { type: 'string', default: '1024' },
    batch: { type: 'string', default: '1' },
    r: { type: 'string', default: '16' },
  },
});

const wanted = values.all
  ? KNOWN_MODELS
  : values.models!.split(',').map((q) => {
      const hits = KNOWN_MODELS.filter((m) => m.id === q || m.id.includes(q));
      if (hits.length !== 1) {
        const ids = KNOWN_MODELS.map((m) => m.id).join(', ');
        throw new Error(`--models ${q}: ${hits.length ? 'ambiguous' : 'no'} curated model (${ids})`);
      }
      return hits[0];
    });
const batch = Number(values.batch);
const r = Number(values.r);
// WebGPU's default limits (what any adapter grants without asking): 128 MiB per binding, 256 MiB per buffer.
const DEFAULT_LIMITS = { maxStorageBufferBindingSize: 128 * 2 ** 20, maxBufferSize: 256 * 2 ** 20 };

console.log(
  `Planned bytes of one training step (planMemory): batch ${batch}, LoRA r=${r} on every linear layer ` +
    "(the checkpoint's names), base weights in the checkpoint dtype, AdamW",
);
const head = [
  'model',
  'tokens',
  'recompute',
  'total',
  'weights',
  'LoRA p+g+opt',
  'activations',
  'scratch',
  'default limits',
];
const w = [36, 6, 9, 10, 10, 12, 11, 10, 15];
const line = (cells: string[]) =>
  console.log(cells.map((c, i) => (i === 8 ? c : i < 3 ? c.padEnd(w[i]) : c.padStart(w[i]))).join(' '));
line(head);
line(w.map((n) => '-'.repeat(n)));
for (const m of wanted) {
  const dtype = m.spec.torch_dtype === 'float32' ? 'f32' : m.spec.torch_dtype === 'float16' ? 'f16' : 'bf16';
  for (const seq of values.tokens!.split(',').map(Number)) {
    for (const recompute of [false, true]) {
      const lora = { r, targets: allLinear(m.arch) };
      const plan = planMemory(modelShape(m.spec, dtype), { batch, seq_len: seq, lora, recompute });
      const b = plan.bytes;
      const fit = fits(plan, DEFAULT_LIMITS);
      line([
        m.id,
        String(seq),
        recompute ? 'yes' : 'no',
        fmt(plan.total),
        fmt(b.weights),
        fmt(b.lora_params + b.lora_grads + b.optimizer),
        fmt(b.activations),
        fmt(b.scratch),
        fit.ok ? 'bind' : 'too big to bind',
      ]);
      if (!fit.ok) console.log(`  ${fit.reason}`);
    }
  }
}

// The decoder against PyTorch autograd (hf_reference.py, Hugging Face semantics): tiny random
// Llama (GQA, llama3 rope scaling, attention_bias), Qwen2 (q/k/v bias, tied embeddings, weights split by rows)
// and Qwen3 (per-head q/k norm, head_dim·heads ≠ hidden) models, 1 and 2 layers, bf16 and f32
// weight files, packed rows (position ids restarting, sequence ids). Checked: the loss and
// every LoRA gradient (max |Δ| / max |ref| ≤ 1e-4), the logits (≤ 1e-4 · max |logit|),
// recompute on = off bit for bit, and seeded dropout deterministic.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeDevice } from '../../cli/node-gpu.ts';
import { parseConfig } from '../../model/config.ts';
import { expectedTensors } from '../../model/tensors.ts';
import { fromFloat32, toFloat32 } from '../../model/safetensors/float.ts';
import { writeSafetensors } from '../../model/safetensors/writer.ts';
import { openSafetensors } from '../../model/safetensors/reader.ts';
import { bytesSource } from '../../model/sources/byte-source.ts';
import type { ModelSpec } from '../../model/types.ts';
import { maxAbsErr, maxRelErr, rng } from '../testing/random.ts';
import type { TargetModule } from '../../model/layout.ts';
import { createDecoder, type Decoder } from './decoder.ts';
import type { DecoderBatch } from './batch.ts';
import { uploadWeights } from './weights.ts';

const PY = '/usr/bin/python3';
const SCRIPT = join(__dirname, 'hf_reference.py');
const ALL: TargetModule[] = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];

interface Case {
  name: string;
  config: Record<string, unknown>;
  dtype: 'F32' | 'BF16';
  lora: { r: number; alpha: number; rslora: boolean; targets: TargetModule[] };
  batch: DecoderBatch;
  /** Split weights into buffers of at most this many bytes (row chunks). */
  maxBytes?: number;
}

function config(arch: 'llama' | 'qwen2' | 'qwen3', layers: number, extra: Record<string, unknown>) {
  const cls = { llama: 'LlamaForCausalLM', qwen2: 'Qwen2ForCausalLM', qwen3: 'Qwen3ForCausalLM' }[arch];
  return {
    architectures: [cls],
    model_type: arch,
    num_hidden_layers: layers,
    vocab_size: 300,
    rms_norm_eps: 1e-6,
    hidden_act: 'silu',
    max_position_embeddings: 128,
    rope_theta: 10000,
    tie_word_embeddings: false,
    ...extra,
  };
}

/** Two rows of T tokens: row 0 one sequence, row 1 two packed sequences (lengths a, T−a). */
function packedBatch(seed: number, B: number, T: number, split: number): DecoderBatch {
  const g = rng(seed);
  const input_ids: number[][] = [];
  const position_ids: number[][] = [];
  const seq_ids: number[][] = [];
  const labels: number[][] = [];
  for (let b = 0; b < B; b++) {
    const ids = Array.from(g.ints(T, 300));
    const packed = b === B - 1;
    const pos = ids.map((_, t) => (packed && t >= split ? t - split : t));
    const seq = ids.map((_, t) => (packed && t >= split ? 1 : 0));
    // Prompt tokens are not trained: the first 3 of each sequence.
    const lab = ids.map((id, t) => (pos[t] < 3 ? -100 : id));
    input_ids.push(ids);
    position_ids.push(pos);
    seq_ids.push(seq);
    labels.push(lab);
  }
  return { input_ids, position_ids, seq_ids, labels };
}

const CASES: Case[] = [
  {
    name: 'llama 1 layer, GQA 4/2, llama3 rope scaling, attention_bias (q/k/v/o), f32',
    config: config('llama', 1, {
      hidden_size: 32,
      intermediate_size: 48,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      rope_theta: 500,
      attention_bias: true,
      rope_scaling: {
        rope_type: 'llama3',
        factor: 8,
        low_freq_factor: 1,
        high_freq_factor: 4,
        original_max_position_embeddings: 32,
      },
    }),
    dtype: 'F32',
    lora: { r: 4, alpha: 8, rslora: false, targets: ALL },
    batch: packedBatch(11, 1, 28, 12),
  },
  {
    name: 'llama 2 layers, GQA 4/2, llama3 rope scaling, bf16, 2 rows',
    config: config('llama', 2, {
      hidden_size: 32,
      intermediate_size: 48,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      rope_theta: 500,
      rope_scaling: {
        rope_type: 'llama3',
        factor: 8,
        low_freq_factor: 1,
        high_freq_factor: 4,
        original_max_position_embeddings: 32,
      },
      torch_dtype: 'bfloat16',
    }),
    dtype: 'BF16',
    lora: { r: 4, alpha: 8, rslora: false, targets: ALL },
    batch: packedBatch(12, 2, 24, 10),
  },
  {
    name: 'qwen2 1 layer, q/k/v bias, tied, MQA 4/1, f32 split by rows',
    config: config('qwen2', 1, {
      hidden_size: 48,
      intermediate_size: 80,
      num_attention_heads: 4,
      num_key_value_heads: 1,
      tie_word_embeddings: true,
    }),
    dtype: 'F32',
    // rsLoRA scale 8/√4 = 4. (At alpha 16 the q/k B gradients, through very peaked attention,
    // sit at 5e-5: PyTorch's own f32 error there is 8e-6 against f64.)
    lora: { r: 4, alpha: 8, rslora: true, targets: ALL },
    batch: packedBatch(13, 1, 30, 17),
    maxBytes: 4096,
  },
  {
    name: 'qwen2 2 layers, q/k/v bias, tied, bf16, 2 rows, subset of targets',
    config: config('qwen2', 2, {
      hidden_size: 48,
      intermediate_size: 80,
      num_attention_heads: 4,
      num_key_value_heads: 1,
      tie_word_embeddings: true,
    }),
    dtype: 'BF16',
    lora: { r: 3, alpha: 6, rslora: false, targets: ['q_proj', 'v_proj', 'o_proj', 'down_proj'] },
    batch: packedBatch(14, 2, 24, 9),
  },
  {
    name: 'qwen3 1 layer, q/k norm, head_dim 16 (q width 64 ≠ hidden 32), bf16',
    config: config('qwen3', 1, {
      hidden_size: 32,
      intermediate_size: 64,
      num_attention_heads: 4,
      num_key_value_heads: 4,
      head_dim: 16,
      torch_dtype: 'bfloat16',
    }),
    dtype: 'BF16',
    lora: { r: 4, alpha: 8, rslora: false, targets: ALL },
    batch: packedBatch(15, 1, 32, 14),
  },
  {
    name: 'qwen3 2 layers, q/k norm, GQA 4/2, f32, 2 rows',
    config: config('qwen3', 2, {
      hidden_size: 32,
      intermediate_size: 64,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      head_dim: 16,
    }),
    dtype: 'F32',
    lora: { r: 4, alpha: 8, rslora: false, targets: ALL },
    batch: packedBatch(16, 2, 20, 8),
  },
  {
    name: 'qwen3 2 layers, f32, 2 rows, loss_scale 0 / 0.5 / 2 / 3 (ms-swift weighted loss)',
    config: config('qwen3', 2, {
      hidden_size: 32,
      intermediate_size: 64,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      head_dim: 16,
    }),
    dtype: 'F32',
    lora: { r: 4, alpha: 8, rslora: false, targets: ALL },
    batch: weighted(packedBatch(17, 2, 20, 8)),
  },
];

/** The batch with per-token weights: 0 where not trained, else 0.5, 2, 3 in turn (one trained token at 0). */
function weighted(b: DecoderBatch): DecoderBatch {
  const loss_scale = b.labels!.map((row) => Array.from(row, (y, t) => (y === -100 ? 0 : [0.5, 2, 3][t % 3])));
  loss_scale[0][5] = 0;
  return { ...b, loss_scale };
}

interface Ref {
  loss: number;
  logits: Float32Array;
  tensors: Map<string, Float32Array>;
}

let device: GPUDevice;
let dir: string;
const specs: ModelSpec[] = [];
const refs: Ref[] = [];

/** Random weights: matrices ~N(0, 0.15²), embedding ~N(0, 0.5²), norms 1 + N(0, 0.1²), biases N(0, 0.1²). */
function writeModel(c: Case, folder: string, seed: number): ModelSpec {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'config.json'), JSON.stringify(c.config));
  const spec = parseConfig(c.config);
  const g = rng(seed);
  const tensors = expectedTensors(spec).map((t) => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    let v: Float32Array;
    if (t.name.endsWith('norm.weight')) v = g.normal(n, 0.1).map((x) => 1 + x);
    else if (t.name.endsWith('.bias')) v = g.normal(n, 0.1);
    else if (t.name.includes('embed_tokens')) v = g.normal(n, 0.5);
    else v = g.normal(n, 0.15);
    return { name: t.name, dtype: c.dtype, shape: t.shape, data: fromFloat32(c.dtype, v) };
  });
  writeFileSync(join(folder, 'model.safetensors'), writeSafetensors(tensors));
  return spec;
}

/** A PEFT adapter folder with random non-zero A and B (B = 0 would make every dA zero). */
function writeAdapter(c: Case, spec: ModelSpec, folder: string, seed: number): void {
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    join(folder, 'adapter_config.json'),
    JSON.stringify({
      peft_type: 'LORA',
      r: c.lora.r,
      lora_alpha: c.lora.alpha,
      use_rslora: c.lora.rslora,
      target_modules: c.lora.targets,
      lora_dropout: 0,
    }),
  );
  const dec = loraShapes(spec, c);
  const g = rng(seed);
  const tensors = dec.map(({ key, shape }) => ({
    name: key,
    dtype: 'F32' as const,
    shape,
    data: fromFloat32('F32', g.normal(shape[0] * shape[1], 0.2)),
  }));
  writeFileSync(join(folder, 'adapter_model.safetensors'), writeSafetensors(tensors));
}

function loraShapes(spec: ModelSpec, c: Case): { key: string; shape: [number, number] }[] {
  const q = spec.num_attention_heads * spec.head_dim;
  const kv = spec.num_key_value_heads * spec.head_dim;
  const H = spec.hidden_size;
  const I = spec.intermediate_size;
  const dims: Partial<Record<TargetModule, [number, number]>> = {
    q_proj: [q, H],
    k_proj: [kv, H],
    v_proj: [kv, H],
    o_proj: [H, q],
    gate_proj: [I, H],
    up_proj: [I, H],
    down_proj: [H, I],
  };
  const out: { key: string; shape: [number, number] }[] = [];
  for (let l = 0; l < spec.num_hidden_layers; l++) {
    for (const t of c.lora.targets) {
      const grp = ['q_proj', 'k_proj', 'v_proj', 'o_proj'].includes(t) ? 'self_attn' : 'mlp';
      const base = `base_model.model.model.layers.${l}.${grp}.${t}`;
      out.push({ key: `${base}.lora_A.weight`, shape: [c.lora.r, dims[t]![1]] });
      out.push({ key: `${base}.lora_B.weight`, shape: [dims[t]![0], c.lora.r] });
    }
  }
  return out;
}

async function readST(path: string): Promise<Map<string, Float32Array>> {
  const f = await openSafetensors(bytesSource(new Uint8Array(readFileSync(path))));
  const out = new Map<string, Float32Array>();
  for await (const t of f.stream()) out.set(t.name, toFloat32(t.dtype, t.data));
  return out;
}

async function makeDecoder(
  i: number,
  opts: { recompute?: boolean; dropout?: number; seed?: number; syncEachLayer?: boolean } = {},
): Promise<Decoder> {
  const c = CASES[i];
  const folder = join(dir, `case${i}`);
  const f = await openSafetensors(
    bytesSource(new Uint8Array(readFileSync(join(folder, 'model', 'model.safetensors')))),
  );
  const weights = await uploadWeights(device, f.stream(), c.maxBytes);
  const B = c.batch.input_ids.length;
  const T = c.batch.input_ids[0].length;
  const dec = createDecoder(device, specs[i], weights, {
    batch: B,
    seqLen: T,
    recompute: opts.recompute,
    syncEachLayer: opts.syncEachLayer,
    lora: {
      r: c.lora.r,
      alpha: c.lora.alpha,
      rslora: c.lora.rslora,
      targets: c.lora.targets,
      dropout: opts.dropout,
      seed: opts.seed,
    },
  });
  const adapter = await readST(join(folder, 'adapter', 'adapter_model.safetensors'));
  for (const p of dec.lora) dec.writeLora(p.key, adapter.get(p.key)!);
  return dec;
}

beforeAll(async () => {
  if (!existsSync(PY)) throw new Error(`${PY} is missing: apt-get install python3-torch python3-numpy`);
  device = await nodeDevice();
  dir = mkdtempSync(join(tmpdir(), 'prism-decoder-'));
  const jobs = CASES.map((c, i) => {
    const folder = join(dir, `case${i}`);
    specs.push(writeModel(c, join(folder, 'model'), 100 + i));
    writeAdapter(c, specs[i], join(folder, 'adapter'), 200 + i);
    return {
      model: join(folder, 'model'),
      adapter: join(folder, 'adapter'),
      input_ids: c.batch.input_ids,
      position_ids: c.batch.position_ids,
      seq_ids: c.batch.seq_ids,
      labels: c.batch.labels,
      loss_scale: c.batch.loss_scale ?? null,
      out: join(folder, 'ref.safetensors'),
    };
  });
  writeFileSync(join(dir, 'jobs.json'), JSON.stringify(jobs));
  try {
    execFileSync(PY, [SCRIPT, join(dir, 'jobs.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(
      `hf_reference.py failed (needs apt-get install python3-torch): ` +
        `${(e as { stderr?: Buffer }).stderr?.toString() ?? e}`,
    );
  }
  for (const j of jobs) {
    const t = await readST(j.out);
    refs.push({ loss: t.get('loss')![0], logits: t.get('logits')!, tensors: t });
  }
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('decoder vs PyTorch autograd (HF semantics)', () => {
  CASES.forEach((c, i) => {
    it(`${c.name}: loss, every LoRA gradient, logits`, async () => {
      const dec = await makeDecoder(i);
      const ref = refs[i];
      const loss = await dec.forward(c.batch);
      await dec.backward();
      const lossErr = Math.abs(loss - ref.loss) / Math.abs(ref.loss);
      const errs: Record<string, number> = {};
      for (const p of dec.lora) {
        const want = ref.tensors.get(`grad.${p.key}`);
        expect(want, p.key).toBeDefined();
        errs[p.key.replace('base_model.model.model.', '')] = maxRelErr(await dec.readLoraGrad(p.key), want!);
      }
      expect(Object.keys(errs).length).toBe(loraShapes(specs[i], c).length);
      const logits = await dec.logits(c.batch);
      const scale = ref.logits.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      const logitErr = maxAbsErr(logits, ref.logits) / scale;
      const worst = Math.max(...Object.values(errs));
      console.log(
        `${c.name}: loss ${loss.toFixed(6)} (ref ${ref.loss.toFixed(6)}, rel ${lossErr.toExponential(2)}), ` +
          `worst LoRA grad rel ${worst.toExponential(2)}, logits rel ${logitErr.toExponential(2)}`,
      );
      expect(lossErr).toBeLessThan(1e-4);
      for (const [k, e] of Object.entries(errs)) expect(e, k).toBeLessThan(1e-4);
      expect(logitErr).toBeLessThan(1e-4);
      dec.destroy();
    });
  });

  it('recompute on and off give identical gradients (qwen3, 2 layers)', async () => {
    const i = 5;
    const grads: Float32Array[][] = [];
    const allocatedActs: number[] = [];
    for (const recompute of [false, true]) {
      const dec = await makeDecoder(i, { recompute, syncEachLayer: recompute });
      await dec.forward(CASES[i].batch);
      await dec.backward();
      grads.push(await Promise.all(dec.lora.map((p) => dec.readLoraGrad(p.key))));
      // What the decoder allocated is what the plan lists, and recompute keeps one layer's set.
      const names = new Set(dec.plan.buffers.map((b) => b.name));
      for (const a of dec.allocated()) expect(names.has(a.name) || !a.planned, a.name).toBe(true);
      const acts = dec
        .allocated()
        .filter((a) => a.category === 'activations')
        .reduce((n, a) => n + a.bytes, 0);
      allocatedActs.push(acts);
      const sum = (c: string) =>
        dec
          .allocated()
          .filter((a) => a.category === c)
          .reduce((n, a) => n + a.bytes, 0);
      expect(acts).toBe(dec.plan.bytes.activations);
      expect(sum('lora_params')).toBe(dec.plan.bytes.lora_params);
      expect(sum('lora_grads')).toBe(dec.plan.bytes.lora_grads);
      expect(dec.allocated().some((a) => a.name === 'layers.1.ln1')).toBe(!recompute);
      expect(dec.allocated().some((a) => a.name === 'recompute.ln1')).toBe(recompute);
      dec.destroy();
    }
    grads[0].forEach((g, j) => expect(Array.from(grads[1][j])).toEqual(Array.from(g)));
    expect(allocatedActs[1]).toBeLessThan(allocatedActs[0]);
  });

  it('a batch smaller than planned, last-position logits (qwen3, 2 layers, row 1 of 2)', async () => {
    const i = 5;
    const c = CASES[i];
    const dec = await makeDecoder(i);
    const pick = <X>(rows: X[] | null | undefined) => (rows ? [rows[1]] : null);
    const got = await dec.logits(
      { input_ids: [c.batch.input_ids[1]], position_ids: pick(c.batch.position_ids), seq_ids: pick(c.batch.seq_ids) },
      { last: true },
    );
    const V = specs[i].vocab_size;
    const T = c.batch.input_ids[0].length;
    const want = refs[i].logits.subarray((2 * T - 1) * V, 2 * T * V);
    expect(got.length).toBe(V);
    expect(maxRelErr(got, want)).toBeLessThan(1e-4);
    dec.destroy();
  });

  it('accumulate adds a second backward to the gradients (qwen2, 2 layers)', async () => {
    const i = 3;
    const dec = await makeDecoder(i);
    await dec.forward(CASES[i].batch);
    await dec.backward();
    const once = await Promise.all(dec.lora.map((p) => dec.readLoraGrad(p.key)));
    await dec.forward(CASES[i].batch);
    await dec.backward({ accumulate: true, gradScale: 0.5 });
    const twice = await Promise.all(dec.lora.map((p) => dec.readLoraGrad(p.key)));
    once.forEach((g, j) =>
      expect(
        maxRelErr(
          twice[j],
          g.map((x) => 1.5 * x),
        ),
      ).toBeLessThan(1e-6),
    );
    dec.destroy();
  });

  it('LoRA dropout: same seed gives the same gradients, and they differ from p = 0', async () => {
    const i = 1;
    const run = async (dropout: number, recompute = false) => {
      const dec = await makeDecoder(i, { dropout, seed: 7, recompute });
      const loss = await dec.forward(CASES[i].batch);
      await dec.backward();
      const g = await Promise.all(dec.lora.map((p) => dec.readLoraGrad(p.key)));
      dec.destroy();
      return { loss, g };
    };
    const a = await run(0.25);
    const b = await run(0.25, true);
    const z = await run(0);
    expect(b.loss).toBe(a.loss);
    a.g.forEach((g, j) => expect(Array.from(b.g[j])).toEqual(Array.from(g)));
    expect(a.loss).not.toBe(z.loss);
    expect(maxRelErr(a.g[0], z.g[0])).toBeGreaterThan(1e-3);
  });
});

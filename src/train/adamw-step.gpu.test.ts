// One optimizer step of the trainer against PyTorch (adamw_reference.py: hf_reference.py's
// autograd gradients, torch.nn.utils.clip_grad_norm_, torch.optim.AdamW) from the same random
// LoRA start on the same batch, for Llama, Qwen2 and Qwen3 variants: packed rows, gradient
// accumulation over two micro-batches (HF: loss normalized by the step's trained tokens),
// clipping on and off, rsLoRA, bf16 weights. Checked: the LoRA weights after the step
// (max |Δ| / max |ref| ≤ 1e-4), and the update itself, the loss and the gradient norm.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeDevice } from '../cli/node-gpu.ts';
import { maxRelErr, rng } from '../engine/testing/random.ts';
import { defaultTrainConfig, type TrainConfigInit } from './config.ts';
import { collate } from './data.ts';
import { Trainer, type TrainEvent } from './trainer.ts';
import {
  archConfig,
  loadWeights,
  randomRecords,
  readST,
  requirePython,
  runPython,
  writeFiles,
  writeRandomModel,
} from './testing.ts';

const SCRIPT = join(__dirname, 'adamw_reference.py');

interface Case {
  name: string;
  config: Record<string, unknown>;
  dtype: 'F32' | 'BF16';
  records: ReturnType<typeof randomRecords>;
  train: Omit<TrainConfigInit, 'model_id' | 'template'>;
}

const CASES: Case[] = [
  {
    name: 'llama 2 layers GQA 4/2, packed rows (max_length 40), clipped at 0.5',
    config: archConfig('llama', {
      hidden_size: 32,
      intermediate_size: 48,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
    }),
    dtype: 'F32',
    records: randomRecords(1, 4, 12, 20, 300),
    train: {
      lora: { r: 4, lora_alpha: 8, lora_dropout: 0, target_modules: 'all-linear', use_rslora: false },
      packing: true,
      max_length: 40,
      per_device_train_batch_size: 4,
      gradient_accumulation_steps: 1,
      max_grad_norm: 0.5,
    },
  },
  {
    name: 'qwen2 1 layer, q/k/v bias, tied, rsLoRA, 2 micro-batches accumulated, no clipping',
    config: archConfig('qwen2', {
      hidden_size: 48,
      intermediate_size: 80,
      num_hidden_layers: 1,
      num_attention_heads: 4,
      num_key_value_heads: 1,
      tie_word_embeddings: true,
    }),
    dtype: 'F32',
    records: randomRecords(2, 2, 14, 22, 300),
    train: {
      lora: { r: 4, lora_alpha: 8, lora_dropout: 0, target_modules: 'all-linear', use_rslora: true },
      per_device_train_batch_size: 1,
      gradient_accumulation_steps: 2,
      max_grad_norm: 0,
    },
  },
  {
    name: 'qwen3 2 layers, q/k norm, head_dim 16, bf16 weights, q/v/down only, clipped at 1',
    config: archConfig('qwen3', {
      hidden_size: 32,
      intermediate_size: 64,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      head_dim: 16,
      torch_dtype: 'bfloat16',
    }),
    dtype: 'BF16',
    records: randomRecords(3, 2, 16, 24, 300),
    train: {
      lora: {
        r: 3,
        lora_alpha: 6,
        lora_dropout: 0,
        target_modules: ['q_proj', 'v_proj', 'down_proj'],
        use_rslora: false,
      },
      per_device_train_batch_size: 2,
      gradient_accumulation_steps: 1,
      max_grad_norm: 1,
    },
  },
];

const HYPER = { learning_rate: 1e-3, adam_beta1: 0.9, adam_beta2: 0.95, adam_epsilon: 1e-8, weight_decay: 0.1 };

let device: GPUDevice;
let dir: string;
const trainers: Trainer[] = [];
const starts: Map<string, Float32Array>[] = [];
const refs: Map<string, Float32Array>[] = [];

beforeAll(async () => {
  requirePython();
  device = await nodeDevice();
  dir = mkdtempSync(join(tmpdir(), 'prism-adamw-step-'));
  const jobs = [];
  for (const [i, c] of CASES.entries()) {
    const folder = join(dir, `case${i}`);
    const spec = writeRandomModel(join(folder, 'model'), c.config, c.dtype, 100 + i);
    const config = defaultTrainConfig({
      model_id: 'test/tiny',
      template: 'chatml',
      ...HYPER,
      lr_scheduler_type: 'constant',
      warmup_ratio: 0,
      max_steps: 1,
      split_dataset_ratio: 0,
      ...c.train,
    });
    const trainer = new Trainer({
      device,
      spec,
      weights: await loadWeights(device, join(folder, 'model')),
      config,
      records: c.records,
      padId: 0,
    });
    const g = rng(200 + i);
    const start = new Map<string, Float32Array>();
    for (const p of trainer.model.lora) {
      const v = g.normal(p.shape[0] * p.shape[1], 0.2);
      trainer.model.writeLora(p.key, v);
      start.set(p.key, v);
    }
    starts.push(start);
    writeFiles(join(folder, 'adapter'), await trainer.adapterFiles());
    trainers.push(trainer);
    const batch = collate(trainer.trainRows, 0);
    jobs.push({
      model: join(folder, 'model'),
      adapter: join(folder, 'adapter'),
      input_ids: batch.input_ids.map((r) => Array.from(r)),
      position_ids: batch.position_ids!.map((r) => Array.from(r)),
      seq_ids: batch.seq_ids!.map((r) => Array.from(r)),
      labels: batch.labels!.map((r) => Array.from(r)),
      lr: HYPER.learning_rate,
      beta1: HYPER.adam_beta1,
      beta2: HYPER.adam_beta2,
      eps: HYPER.adam_epsilon,
      weight_decay: HYPER.weight_decay,
      max_grad_norm: config.max_grad_norm,
      out: join(folder, 'ref.safetensors'),
    });
  }
  runPython(SCRIPT, jobs, join(dir, 'jobs.json'));
  for (const j of jobs) refs.push(await readST(j.out));
}, 300_000);

afterAll(() => {
  for (const t of trainers) t.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('one trainer step = torch clip_grad_norm_ + AdamW on PyTorch autograd gradients', () => {
  CASES.forEach((c, i) => {
    it(c.name, async () => {
      const trainer = trainers[i];
      const ref = refs[i];
      const events: TrainEvent[] = [];
      trainer.onEvent = (e) => events.push(e);
      const res = await trainer.run();
      expect(res.status).toBe('completed');
      const step = events.find((e) => e.type === 'step') as Extract<TrainEvent, { type: 'step' }>;
      const lossErr = Math.abs(step.loss - ref.get('loss')![0]) / ref.get('loss')![0];
      const normErr = Math.abs(step.grad_norm - ref.get('grad_norm')![0]) / ref.get('grad_norm')![0];
      let worstW = 0;
      let worstD = 0;
      for (const p of trainer.model.lora) {
        const got = await trainer.model.readLora(p.key);
        const want = ref.get(p.key);
        expect(want, p.key).toBeDefined();
        worstW = Math.max(worstW, maxRelErr(got, want!));
        const s0 = starts[i].get(p.key)!;
        worstD = Math.max(
          worstD,
          maxRelErr(
            got.map((x, k) => x - s0[k]),
            want!.map((x, k) => x - s0[k]),
          ),
        );
      }
      console.log(
        `${c.name}: loss ${step.loss.toFixed(6)} (rel ${lossErr.toExponential(2)}), ` +
          `grad_norm ${step.grad_norm.toFixed(4)} ` +
          `(ref ${ref.get('grad_norm')![0].toFixed(4)}, rel ${normErr.toExponential(2)}), weights ` +
          `rel ${worstW.toExponential(2)}, update rel ${worstD.toExponential(2)}`,
      );
      expect(lossErr).toBeLessThan(1e-4);
      expect(normErr).toBeLessThan(1e-4);
      expect(worstW).toBeLessThan(1e-4);
      expect(worstD).toBeLessThan(1e-2);
    });
  });
});

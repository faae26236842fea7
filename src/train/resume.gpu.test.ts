// Checkpoint and resume: a run interrupted after step 3 (last checkpoint at step 2) and resumed
// by a fresh Trainer from its storage ends with bit-identical LoRA weights, AdamW state and
// loss curve to the uninterrupted run (dropout, eval split, gradient accumulation, cosine
// warmup all on). Also: pause/resume, the NaN/Inf guard, and the memory refusal.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeDevice } from '../cli/node-gpu.ts';
import type { Tensor } from '../engine/tensor/tensor.ts';
import type { ModelSpec } from '../model/types.ts';
import { defaultTrainConfig, type TrainConfig } from './config.ts';
import { MemoryCheckpoints, decodeTensors } from './checkpoint.ts';
import { archConfig, loadWeights, randomRecords, writeRandomModel } from './testing.ts';
import { Trainer, TrainRefusal, type TrainEvent, type TrainerInit } from './trainer.ts';

let device: GPUDevice;
let dir: string;
let spec: ModelSpec;
let weights: Map<string, Tensor>;
const records = randomRecords(7, 10, 10, 18, 300);
const config: TrainConfig = defaultTrainConfig({
  model_id: 'test/tiny',
  template: 'chatml',
  learning_rate: 5e-3,
  lr_scheduler_type: 'cosine',
  warmup_ratio: 0.2,
  max_steps: 5,
  per_device_train_batch_size: 2,
  gradient_accumulation_steps: 2,
  split_dataset_ratio: 0.2,
  eval_steps: 2,
  save_steps: 2,
  seed: 11,
  data_seed: 12,
  lora: { r: 4, lora_alpha: 8, lora_dropout: 0.1, target_modules: ['q_proj', 'v_proj', 'up_proj'] },
});

beforeAll(async () => {
  device = await nodeDevice();
  dir = mkdtempSync(join(tmpdir(), 'prism-resume-'));
  spec = writeRandomModel(
    join(dir, 'model'),
    archConfig('llama', {
      hidden_size: 32,
      intermediate_size: 48,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
    }),
    'F32',
    3,
  );
  weights = await loadWeights(device, join(dir, 'model'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const base = (): TrainerInit => ({ device, spec, weights, config, records, padId: 0 });

async function finalState(t: Trainer) {
  const cp = await t.checkpoint();
  return {
    lora: (await decodeTensors(cp.lora)).tensors,
    opt: await decodeTensors(cp.optimizer),
    curve: cp.trainer_state.loss_curve,
  };
}

describe('trainer checkpoints, resume, controls', () => {
  it('resume after interruption equals the uninterrupted run, bit for bit', async () => {
    const full = new Trainer({ ...base(), storage: new MemoryCheckpoints() });
    expect((await full.run()).status).toBe('completed');
    const want = await finalState(full);
    full.destroy();

    const storage = new MemoryCheckpoints();
    const first = new Trainer({ ...base(), storage });
    first.onEvent = (e) => e.type === 'step' && e.step === 3 && first.cancel();
    const r1 = await first.run();
    expect(r1.status).toBe('cancelled');
    expect(r1.step).toBe(3);
    first.destroy();
    expect(storage.saved.map((c) => c.step)).toEqual([2]);

    const events: TrainEvent[] = [];
    const second = new Trainer({ ...base(), storage, resume: true, onEvent: (e) => events.push(e) });
    const r2 = await second.run();
    expect(r2.status).toBe('completed');
    expect(events[0]).toMatchObject({ type: 'start', resumed_from: 2 });
    expect(events.filter((e) => e.type === 'step').map((e) => (e as { step: number }).step)).toEqual([3, 4, 5]);
    const got = await finalState(second);
    second.destroy();

    expect(got.curve).toEqual(want.curve);
    expect(got.curve.some((p) => p.eval_loss !== undefined)).toBe(true);
    expect(got.opt.metadata.t).toBe('5');
    expect([...got.lora.keys()]).toEqual([...want.lora.keys()]);
    for (const [k, v] of want.lora) expect(Array.from(got.lora.get(k)!), k).toEqual(Array.from(v));
    for (const [k, v] of want.opt.tensors) expect(Array.from(got.opt.tensors.get(k)!), k).toEqual(Array.from(v));
    // It trained: the weights moved and the loss is finite.
    expect(want.curve.every((p) => Number.isFinite(p.loss))).toBe(true);
  }, 300_000);

  it('pause holds the loop between steps until resume', async () => {
    const events: string[] = [];
    const t = new Trainer({ ...base(), config: { ...config, max_steps: 2, split_dataset_ratio: 0 } });
    t.onEvent = (e) => {
      events.push(e.type === 'step' ? `step${e.step}` : e.type);
      if (e.type === 'step' && e.step === 1) {
        t.pause();
        setTimeout(() => t.resume(), 50);
      }
    };
    expect((await t.run()).status).toBe('completed');
    expect(events).toEqual(['start', 'step1', 'paused', 'resumed', 'step2', 'done']);
    t.destroy();
  }, 240_000);

  it('NaN guard: steps with a non-finite gradient are skipped and the run stops after maxBadSteps', async () => {
    const events: TrainEvent[] = [];
    const t = new Trainer({
      ...base(),
      config: { ...config, split_dataset_ratio: 0 },
      maxBadSteps: 2,
      onEvent: (e) => events.push(e),
    });
    const key = t.model.lora.find((p) => p.which === 'B')!;
    t.model.writeLora(key.key, new Float32Array(key.shape[0] * key.shape[1]).fill(NaN));
    const before = await t.model.readLora(t.model.lora[0].key);
    const res = await t.run();
    expect(res.status).toBe('failed');
    expect(res.message).toMatch(/2 steps in a row/);
    expect(events.filter((e) => e.type === 'skipped').length).toBe(2);
    expect(Array.from(await t.model.readLora(t.model.lora[0].key))).toEqual(Array.from(before));
    t.destroy();
  }, 240_000);

  it('a run where every step was skipped fails (no adapter), even when maxBadSteps is never reached', async () => {
    const t = new Trainer({ ...base(), config: { ...config, max_steps: 2, split_dataset_ratio: 0 } });
    const key = t.model.lora.find((p) => p.which === 'B')!;
    t.model.writeLora(key.key, new Float32Array(key.shape[0] * key.shape[1]).fill(NaN));
    const res = await t.run();
    expect(res.status).toBe('failed');
    expect(res.message).toMatch(/^no optimizer step was applied: all 2 steps were skipped \(loss is NaN\)/);
    expect(res.state.skipped_total).toBe(2);
    t.destroy();
  }, 240_000);

  it("LoRA init is PEFT's, seeded: A ~ kaiming_uniform_(a=√5) = U(±1/√in), B = 0", async () => {
    const read = async (seed: number) => {
      const t = new Trainer({ ...base(), config: { ...config, seed } });
      const out = new Map<string, Float32Array>();
      for (const p of t.model.lora) out.set(p.key, await t.model.readLora(p.key));
      const shapes = new Map(t.model.lora.map((p) => [p.key, p.shape]));
      t.destroy();
      return { out, shapes };
    };
    const a = await read(1);
    const again = await read(1);
    const other = await read(2);
    for (const [k, v] of a.out) {
      const [, inF] = a.shapes.get(k)!;
      expect(Array.from(again.out.get(k)!)).toEqual(Array.from(v));
      if (k.includes('lora_B')) {
        expect(
          v.every((x) => x === 0),
          k,
        ).toBe(true);
        continue;
      }
      // torch.nn.init.kaiming_uniform_: bound = gain·√(3/fan_in), gain = √(2/(1+a²)), a = √5.
      const bound = Math.sqrt(2 / (1 + 5)) * Math.sqrt(3 / inF);
      const max = v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      expect(max, k).toBeLessThanOrEqual(bound);
      expect(max, k).toBeGreaterThan(0.8 * bound);
      const mean = v.reduce((s, x) => s + x, 0) / v.length;
      expect(Math.abs(mean), k).toBeLessThan(0.2 * bound);
      expect(Array.from(other.out.get(k)!)).not.toEqual(Array.from(v));
    }
  });

  it('refuses a run that does not fit, saying what to change', () => {
    let err: unknown;
    try {
      new Trainer({ ...base(), memoryBudgetBytes: 10_000 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TrainRefusal);
    expect((err as Error).message).toMatch(/per_device_train_batch_size \(now 2\)/);
    expect((err as Error).message).toMatch(/max_length/);
  });
});

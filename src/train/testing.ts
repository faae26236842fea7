// Test support for the trainer's GPU tests (Node only, never imported by the core): random
// model folders, PEFT adapter folders, weights on the GPU, and one spawn of a Python reference.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../model/config.ts';
import { expectedTensors } from '../model/tensors.ts';
import { modelTensorNames } from '../model/layout.ts';
import { fromFloat32, toFloat32 } from '../model/safetensors/float.ts';
import { writeSafetensors } from '../model/safetensors/writer.ts';
import { openSafetensors } from '../model/safetensors/reader.ts';
import { bytesSource } from '../model/sources/byte-source.ts';
import type { ModelSpec } from '../model/types.ts';
import { mulberry32 } from '../model/random.ts';
import { uploadWeights } from '../engine/decoder/weights.ts';
import type { Tensor } from '../engine/tensor/tensor.ts';
import { rng } from '../engine/testing/random.ts';
import { openAdapterStore } from '../adapters/store.ts';
import type { TrainConfig } from './config.ts';

export const PY = '/usr/bin/python3';

export function requirePython(): void {
  if (!existsSync(PY)) throw new Error(`${PY} is missing: apt-get install python3-torch python3-numpy`);
}

export function archConfig(arch: 'llama' | 'qwen2' | 'qwen3', extra: Record<string, unknown>): Record<string, unknown> {
  const cls = { llama: 'LlamaForCausalLM', qwen2: 'Qwen2ForCausalLM', qwen3: 'Qwen3ForCausalLM' }[arch];
  return {
    architectures: [cls],
    model_type: arch,
    vocab_size: 300,
    rms_norm_eps: 1e-6,
    hidden_act: 'silu',
    max_position_embeddings: 256,
    rope_theta: 10000,
    tie_word_embeddings: false,
    ...extra,
  };
}

/**
 * Random weights large enough to give non-trivial gradients and confident logits; `nan` names tensors filled with NaN.
 */
export function randomWeights(
  spec: ModelSpec,
  dtype: 'F32' | 'BF16',
  seed: number,
  nan: readonly string[] = [],
): Uint8Array {
  const g = rng(seed);
  const embed = modelTensorNames(spec).embed;
  const tensors = expectedTensors(spec).map((t) => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    let v: Float32Array;
    if (t.name.endsWith('norm.weight')) v = g.normal(n, 0.1).map((x) => 1 + x);
    else if (t.name.endsWith('.bias')) v = g.normal(n, 0.1);
    else if (t.name === embed) v = g.normal(n, 0.5);
    else v = g.normal(n, 0.15);
    if (nan.includes(t.name)) v.fill(NaN);
    return { name: t.name, dtype, shape: t.shape, data: fromFloat32(dtype, v) };
  });
  return writeSafetensors(tensors);
}

/** A model folder (config.json + model.safetensors) with randomWeights. */
export function writeRandomModel(
  folder: string,
  config: Record<string, unknown>,
  dtype: 'F32' | 'BF16',
  seed: number,
): ModelSpec {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'config.json'), JSON.stringify(config));
  const spec = parseConfig(config);
  writeFileSync(join(folder, 'model.safetensors'), randomWeights(spec, dtype, seed));
  return spec;
}

export async function readST(path: string): Promise<Map<string, Float32Array>> {
  const f = await openSafetensors(bytesSource(new Uint8Array(readFileSync(path))));
  const out = new Map<string, Float32Array>();
  for await (const t of f.stream()) out.set(t.name, toFloat32(t.dtype, t.data));
  return out;
}

export async function loadWeights(device: GPUDevice, folder: string): Promise<Map<string, Tensor>> {
  const f = await openSafetensors(bytesSource(new Uint8Array(readFileSync(join(folder, 'model.safetensors')))));
  return uploadWeights(device, f.stream());
}

export function writeFiles(folder: string, files: Map<string, Uint8Array> | Record<string, Uint8Array>): void {
  mkdirSync(folder, { recursive: true });
  for (const [name, bytes] of files instanceof Map ? files : Object.entries(files))
    writeFileSync(join(folder, name), bytes);
}

/** Runs a reference script once on a list of jobs. */
export function runPython(script: string, jobs: unknown[], jobsFile: string): void {
  writeFileSync(jobsFile, JSON.stringify(jobs));
  try {
    execFileSync(PY, [script, jobsFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(
      `${script} failed (needs apt-get install python3-torch): ${(e as { stderr?: Buffer }).stderr?.toString() ?? e}`,
    );
  }
}

/** Random records: `n` sequences of random ids, the first `prompt` tokens not trained. */
export function randomRecords(seed: number, n: number, minLen: number, maxLen: number, vocab: number, prompt = 4) {
  const g = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const len = minLen + Math.floor(g.next() * (maxLen - minLen + 1));
    const input_ids = Array.from(g.ints(len, vocab));
    const labels = input_ids.map((id, t) => (t < prompt ? -100 : id));
    return { line: i + 1, input_ids, labels };
  });
}

/** A run record in the adapter store (IndexedDB: fake-indexeddb in Node), as the page creates one before training. */
export async function newStoredRun(dbName: string, hyperparameters: TrainConfig): Promise<string> {
  const store = await openAdapterStore({ name: dbName });
  try {
    const run = await store.createRun({
      name: 'r',
      base_model: 'test/tiny',
      template: 'chatml',
      loss_policy: 'all_assistant',
      dataset: null,
      hyperparameters,
      loss_curve: [],
      step: 0,
      total_steps: null,
      status: 'running',
      final_loss: null,
    });
    return run.id;
  } finally {
    store.close();
  }
}

/**
 * A small chat dataset as a JSONL file and the DatasetRef a training worker takes (the file
 * itself, its SHA-256): `n` short two-turn conversations, different per seed.
 */
export async function chatDataset(
  n: number,
  seed: number,
  name = 'chats.jsonl',
): Promise<{ sha256: string; name: string; file: Blob }> {
  const rnd = mulberry32(seed);
  const words = ['red', 'blue', 'cat', 'sun', 'tea', 'map', 'ink', 'owl', 'fig', 'sky'];
  const phrase = (k: number) => Array.from({ length: k }, () => words[Math.floor(rnd() * words.length)]).join(' ');
  const lines = Array.from({ length: n }, () =>
    JSON.stringify({
      messages: [
        { role: 'user', content: phrase(2 + Math.floor(rnd() * 3)) },
        { role: 'assistant', content: phrase(2 + Math.floor(rnd() * 4)) },
      ],
    }),
  );
  const bytes = new TextEncoder().encode(lines.join('\n') + '\n');
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return { sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join(''), name, file: new Blob([bytes]) };
}

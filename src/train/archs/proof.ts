// The proof every architecture passes (test support, Node only), against independent ground truth:
// - decoder: each layer kind alone and a 2-layer stack, a packed batch, forward and backward vs
//   PyTorch autograd with Hugging Face semantics (src/engine/decoder/hf_reference.py): the loss,
//   every LoRA gradient (worst max|Δ|/max|ref| ≤ 1e-4) and the logits;
// - `prism make-tiny-model --arch A` then `prism forward`: logits within 1e-5 (max|Δ|/max|ref|) of
//   the reference, without and with a PEFT adapter that Prism exported, whose tensor names and
//   shapes are exactly the ones PEFT creates for its adapter_config.json on that checkpoint
//   (src/adapters/peft_names_reference.py) and which the reference applies PEFT-style;
// - learning: LoRA on three conversations, the loss falls near zero and greedy decoding
//   reproduces every answer (ground truth: the answers in the data); the run's exported adapter
//   holds PEFT's tensors and, applied PEFT-style by the reference, gives the trained logits.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportAdapter, type LoraTensor } from '../../adapters/peft.ts';
import { fsModelSource } from '../../cli/fs-source.ts';
import { nodeDevice } from '../../cli/node-gpu.ts';
import { loadAdapter, loadModel } from '../../infer/load.ts';
import { createKvRunner } from '../../infer/runner.ts';
import type { Conversation } from '../../data/types.ts';
import { createDecoder, type Decoder } from '../../engine/decoder/decoder.ts';
import type { DecoderBatch } from '../../engine/decoder/batch.ts';
import { uploadWeights } from '../../engine/decoder/weights.ts';
import { modelShape, projShapes } from '../../engine/plan/plan.ts';
import { maxAbsErr, maxRelErr, rng } from '../../engine/testing/random.ts';
import { openSafetensors } from '../../model/safetensors/reader.ts';
import { bytesSource } from '../../model/sources/byte-source.ts';
import { allLinear, layersPath, peftKey, type TargetModule } from '../../model/layout.ts';
import { makeTinyModel, type TinyModelOptions } from '../../model/tiny.ts';
import type { Arch, ModelSpec } from '../../model/types.ts';
import { tokenizerFromFiles } from '../../tokenize/load.ts';
import { TokenizePipeline } from '../../tokenize/pipeline.ts';
import { defaultTrainConfig } from '../config.ts';
import { collate } from '../data.ts';
import { PY, randomWeights, readST, requirePython, runPython, writeRandomModel } from '../testing.ts';
import { Trainer, type TrainEvent } from '../trainer.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const HF_REFERENCE = join(ROOT, 'src', 'engine', 'decoder', 'hf_reference.py');
const PEFT_NAMES = join(ROOT, 'src', 'adapters', 'peft_names_reference.py');

export interface DecoderCase {
  name: string;
  /** config.json of a tiny model of the architecture (1 layer: one layer kind; 2: a stack). */
  config: Record<string, unknown>;
  dtype: 'F32' | 'BF16';
  lora: { r: number; alpha: number; rslora: boolean; targets: TargetModule[] };
  batch: DecoderBatch;
}

export interface ArchProof {
  arch: Arch;
  /** Decoder cases against autograd. */
  cases: DecoderCase[];
  /** `prism make-tiny-model` flags (after --arch … --tokenizer bytes). */
  tinyFlags: string[];
  /** Token ids for `prism forward` (long enough to pass the tiny models' windows). */
  ids: number[];
  /** The learning test's tiny model. */
  learn: Omit<TinyModelOptions, 'tokenizer' | 'arch'>;
  /** Optimizer steps of the learning test (default 24). */
  learnSteps?: number;
  /**
   * Tokens the KV-cache check decodes (default all of `ids`). Phi-3 stops at its trained length:
   * past it transformers' generate rotates each new token with LongRoPE's long factors while the
   * cached keys keep the short ones, which one full forward (the reference) never does.
   */
  kvLength?: number;
}

/**
 * B rows of T random ids; the last row packs two sequences (lengths split, T − split); the first 3 of each untrained.
 */
export function packedBatch(seed: number, B: number, T: number, split: number, vocab = 300): DecoderBatch {
  const g = rng(seed);
  const input_ids: number[][] = [];
  const position_ids: number[][] = [];
  const seq_ids: number[][] = [];
  const labels: number[][] = [];
  for (let b = 0; b < B; b++) {
    const ids = Array.from(g.ints(T, vocab));
    const packed = b === B - 1;
    const pos = ids.map((_, t) => (packed && t >= split ? t - split : t));
    input_ids.push(ids);
    position_ids.push(pos);
    seq_ids.push(ids.map((_, t) => (packed && t >= split ? 1 : 0)));
    labels.push(ids.map((id, t) => (pos[t] < 3 ? -100 : id)));
  }
  return { input_ids, position_ids, seq_ids, labels };
}

/** Random LoRA tensors for every layer and target of a spec (B ≠ 0, so every gradient is non-trivial). */
export function randomLora(
  spec: ModelSpec,
  targets: readonly TargetModule[],
  r: number,
  seed: number,
  std = 0.2,
): LoraTensor[] {
  const g = rng(seed);
  const shapes = projShapes(modelShape(spec, 'f32'));
  const out: LoraTensor[] = [];
  for (let layer = 0; layer < spec.num_hidden_layers; layer++) {
    for (const module of targets) {
      const [outF, inF] = shapes[module];
      out.push({
        layer,
        module,
        in_features: inF,
        out_features: outF,
        A: g.normal(r * inF, std),
        B: g.normal(outF * r, std),
      });
    }
  }
  return out;
}

function writeFolder(folder: string, files: Map<string, Uint8Array> | Record<string, Uint8Array>) {
  mkdirSync(folder, { recursive: true });
  for (const [k, v] of files instanceof Map ? files : Object.entries(files)) writeFileSync(join(folder, k), v);
}

function prism(args: string[]): string {
  return execFileSync('node', ['--import', 'tsx', '--import', './src/cli/register.mjs', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
}

async function logitsOf(path: string): Promise<Float32Array> {
  const t = await readST(path);
  const l = t.get('logits');
  if (!l) throw new Error(`${path}: no logits`);
  return l;
}

/** max|Δ| / max|ref|. */
export function relToMax(got: Float32Array, want: Float32Array): number {
  expect(got.length).toBe(want.length);
  const scale = want.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  expect(scale).toBeGreaterThan(0);
  return maxAbsErr(got, want) / scale;
}

const QA = [
  ['Capital of France?', 'Paris.'],
  ['2 + 2 = ?', 'Four.'],
  ['Sky color?', 'Blue!'],
];

function argmax(v: Float32Array): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/** Registers the architecture's proof as vitest suites. */
export function archProofSuite(p: ArchProof): void {
  let device: GPUDevice;
  let dir: string;
  const specs: ModelSpec[] = [];
  const refs: Map<string, Float32Array>[] = [];

  beforeAll(async () => {
    requirePython();
    device = await nodeDevice();
    dir = mkdtempSync(join(tmpdir(), `prism-${p.arch}-`));
    const jobs = p.cases.map((c, i) => {
      const folder = join(dir, `case${i}`);
      const spec = writeRandomModel(join(folder, 'model'), c.config, c.dtype, 100 + i);
      specs.push(spec);
      const files = exportAdapter(
        randomLora(spec, c.lora.targets, c.lora.r, 200 + i),
        {
          base_model_name_or_path: 'tiny',
          r: c.lora.r,
          lora_alpha: c.lora.alpha,
          lora_dropout: 0,
          use_rslora: c.lora.rslora,
        },
        { layersPath: layersPath(spec) },
      );
      writeFolder(join(folder, 'adapter'), files);
      return {
        model: join(folder, 'model'),
        adapter: join(folder, 'adapter'),
        input_ids: c.batch.input_ids,
        position_ids: c.batch.position_ids,
        seq_ids: c.batch.seq_ids,
        labels: c.batch.labels,
        out: join(folder, 'ref.safetensors'),
      };
    });
    runPython(HF_REFERENCE, jobs, join(dir, 'jobs.json'));
    for (const j of jobs) refs.push(await readST(j.out));
  }, 600_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe(`${p.arch}: decoder vs PyTorch autograd (HF semantics)`, () => {
    p.cases.forEach((c, i) => {
      it(`${c.name}: loss, every LoRA gradient, logits`, async () => {
        const folder = join(dir, `case${i}`);
        const f = await openSafetensors(
          bytesSource(new Uint8Array(readFileSync(join(folder, 'model', 'model.safetensors')))),
        );
        const weights = await uploadWeights(device, f.stream());
        const B = c.batch.input_ids.length;
        const T = c.batch.input_ids[0].length;
        const dec: Decoder = createDecoder(device, specs[i], weights, {
          batch: B,
          seqLen: T,
          lora: { r: c.lora.r, alpha: c.lora.alpha, rslora: c.lora.rslora, targets: c.lora.targets },
        });
        const adapter = await readST(join(folder, 'adapter', 'adapter_model.safetensors'));
        for (const prm of dec.lora) dec.writeLora(prm.key, adapter.get(prm.key)!);
        const ref = refs[i];
        const loss = await dec.forward(c.batch);
        await dec.backward();
        const lossErr = Math.abs(loss - ref.get('loss')![0]) / Math.abs(ref.get('loss')![0]);
        const errs: Record<string, number> = {};
        for (const prm of dec.lora) {
          const want = ref.get(`grad.${prm.key}`);
          expect(want, prm.key).toBeDefined();
          errs[prm.key] = maxRelErr(await dec.readLoraGrad(prm.key), want!);
        }
        expect(Object.keys(errs).length).toBe(2 * specs[i].num_hidden_layers * c.lora.targets.length);
        const logitErr = relToMax(await dec.logits(c.batch), ref.get('logits')!);
        const worst = Math.max(...Object.values(errs));
        console.log(
          `${p.arch} ${c.name}: loss ${loss.toFixed(6)} (rel ${lossErr.toExponential(2)}), ` +
            `worst LoRA grad rel ${worst.toExponential(2)}, logits rel ${logitErr.toExponential(2)}`,
        );
        expect(lossErr).toBeLessThan(1e-4);
        for (const [k, e] of Object.entries(errs)) expect(e, k).toBeLessThan(1e-4);
        expect(logitErr).toBeLessThan(1e-4);
        dec.destroy();
        for (const w of weights.values()) for (const ch of w.chunks) ch.buffer.destroy();
      });
    });
  });

  describe(`${p.arch}: prism make-tiny-model + prism forward vs the reference, PEFT export`, () => {
    it('logits within 1e-5 without and with an exported adapter, which holds exactly what PEFT creates', async () => {
      const model = join(dir, 'tiny');
      prism(['make-tiny-model', '--arch', p.arch, '--tokenizer', 'bytes', '--out', model, ...p.tinyFlags]);
      const spec = JSON.parse(readFileSync(join(model, 'config.json'), 'utf8')) as Record<string, unknown>;
      const { parseConfig } = await import('../../model/config.ts');
      const s = parseConfig(spec);
      const targets = allLinear(p.arch);
      const adapterDir = join(dir, 'tiny-adapter');
      writeFolder(
        adapterDir,
        exportAdapter(
          randomLora(s, targets, 4, 77, 0.1),
          {
            base_model_name_or_path: 'tiny',
            r: 4,
            lora_alpha: 8,
            lora_dropout: 0,
            use_rslora: false,
          },
          { layersPath: layersPath(s) },
        ),
      );
      // Names and shapes: exactly the tensors PEFT creates on this checkpoint for the saved config.
      const names = JSON.parse(execFileSync(PY, [PEFT_NAMES, model, adapterDir], { encoding: 'utf8' })) as {
        problems: string[];
        matched_modules: string[];
        expected: Record<string, number[]>;
      };
      expect(names.problems).toEqual([]);
      expect(names.matched_modules.length).toBe(s.num_hidden_layers * targets.length);
      const keys = Object.keys(names.expected).sort();
      const ours = [];
      for (let l = 0; l < s.num_hidden_layers; l++)
        for (const t of targets) for (const w of ['A', 'B'] as const) ours.push(peftKey(l, t, w, layersPath(s)));
      expect(ours.sort()).toEqual(keys);

      const jobs = [
        { model, adapter: null, input_ids: [p.ids], out: join(dir, 'ref-base.safetensors') },
        { model, adapter: adapterDir, input_ids: [p.ids], out: join(dir, 'ref-adapter.safetensors') },
        {
          model,
          adapter: adapterDir,
          input_ids: [p.ids.slice(0, p.kvLength ?? p.ids.length)],
          out: join(dir, 'ref-kv.safetensors'),
        },
      ];
      runPython(HF_REFERENCE, jobs, join(dir, 'forward-jobs.json'));
      const base = join(dir, 'prism-base.safetensors');
      const tuned = join(dir, 'prism-adapter.safetensors');
      prism(['forward', '--model', model, '--ids', p.ids.join(','), '--out', base]);
      prism(['forward', '--model', model, '--adapter', adapterDir, '--ids', p.ids.join(','), '--out', tuned]);
      const errBase = relToMax(await logitsOf(base), await logitsOf(jobs[0].out));
      const errTuned = relToMax(await logitsOf(tuned), await logitsOf(jobs[1].out));
      // The adapter must matter.
      const effect = relToMax(await logitsOf(jobs[0].out), await logitsOf(jobs[1].out));
      console.log(
        `${p.arch} prism forward: base ${errBase.toExponential(2)}, with adapter ${errTuned.toExponential(2)} ` +
          `(adapter moves logits ${effect.toExponential(2)})`,
      );
      expect(errBase).toBeLessThanOrEqual(1e-5);
      expect(errTuned).toBeLessThanOrEqual(1e-5);
      expect(effect).toBeGreaterThan(1e-3);

      // Generation's KV-cache path (prefill, then one token at a time) against the same reference rows.
      const src = fsModelSource(model);
      const loaded = await loadModel(src, device);
      const asrc = fsModelSource(adapterDir);
      const adapter = await loadAdapter(asrc, loaded.spec);
      await asrc.close();
      const V = loaded.spec.vocab_size;
      const want = await logitsOf(jobs[2].out);
      const n = p.kvLength ?? p.ids.length;
      const runner = createKvRunner(device, loaded, n, adapter);
      let worst = 0;
      try {
        const prompt = 4;
        let got = await runner.kv.prefill(p.ids.slice(0, prompt));
        for (let t = prompt - 1; t < n; t++) {
          worst = Math.max(worst, relToMax(got, want.subarray(t * V, (t + 1) * V)));
          if (t + 1 < n) got = await runner.kv.step(p.ids[t + 1]);
        }
      } finally {
        runner.destroy();
        loaded.destroy();
        await src.close();
      }
      console.log(`${p.arch} KV-cache decoding with the adapter: worst row ${worst.toExponential(2)}`);
      expect(worst).toBeLessThanOrEqual(1e-5);
    });
  });

  describe(`${p.arch}: LoRA training learns a handful of records`, () => {
    it('training loss near zero, greedy decoding reproduces the answers', async () => {
      const tm = makeTinyModel({ ...p.learn, arch: p.arch, tokenizer: 'bytes', template: 'chatml' });
      const json = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b));
      const tok = tokenizerFromFiles({
        tokenizerJSON: json(tm.files['tokenizer.json']),
        tokenizerConfig: json(tm.files['tokenizer_config.json']),
      });
      const pipe = new TokenizePipeline(tok, { template: 'chatml' });
      const records = QA.map(([q, a], i) => {
        const conversation = {
          messages: [
            { role: 'user', content: q },
            { role: 'assistant', content: a },
          ],
          source: { format: 'messages', line: i + 1 },
        } as Conversation;
        const r = pipe.process({ line: i + 1, conversation });
        if (!r.ok || !r.record) throw new Error(r.ok ? 'dropped' : r.error);
        return r.record;
      });
      // The tiny maker's weights (std 0.02) cap the logits near ±1: a base that can express
      // confident predictions is drawn instead; LoRA has to learn the answers either way.
      const baseBytes = randomWeights(tm.spec, 'F32', 5);
      const f = await openSafetensors(bytesSource(baseBytes));
      const weights = await uploadWeights(device, f.stream());
      const config = defaultTrainConfig({
        model_id: 'tiny',
        template: 'chatml',
        learning_rate: 1.5e-2,
        max_steps: p.learnSteps ?? 24,
        per_device_train_batch_size: 3,
        gradient_accumulation_steps: 1,
        lr_scheduler_type: 'cosine',
        warmup_ratio: 0.05,
        weight_decay: 0,
        seed: 3,
        lora: { r: 8, lora_alpha: 32, lora_dropout: 0 },
      });
      const losses: number[] = [];
      const trainer = new Trainer({
        device,
        spec: tm.spec,
        weights,
        config,
        records,
        padId: 0,
        onEvent: (e: TrainEvent) => e.type === 'step' && losses.push(e.loss),
      });
      const res = await trainer.run();
      expect(res.status).toBe('completed');
      const dec = trainer.model;
      const final = await dec.forward(collate(trainer.trainRows, 0), { seed: 0 });
      const outputs: string[] = [];
      for (const r of records) {
        const first = r.labels.findIndex((y) => y !== -100);
        const trained = Array.from(r.input_ids.slice(first)).filter((_, k) => r.labels[first + k] !== -100);
        const ids = Array.from(r.input_ids.slice(0, first));
        const gen: number[] = [];
        while (gen.length < trained.length) {
          const next = argmax(await dec.logits({ input_ids: [ids] }, { last: true }));
          gen.push(next);
          ids.push(next);
        }
        outputs.push(tok.decode(gen));
      }
      console.log(
        `${p.arch} learning: loss ${losses[0].toFixed(3)} → ${losses[losses.length - 1].toFixed(4)} (full ` +
          `pass ${final.toFixed(4)}); greedy: ${JSON.stringify(outputs)}`,
      );
      outputs.forEach((o, i) =>
        expect(o).toBe(tok.decode(Array.from(records[i].input_ids).filter((_, k) => records[i].labels[k] !== -100))),
      );
      expect(losses[0]).toBeGreaterThan(2);
      expect(final).toBeLessThan(0.1);
      // The adapter the run exports carries this architecture's module names.
      const files = await trainer.adapterFiles();
      const cfg = JSON.parse(new TextDecoder().decode(files.get('adapter_config.json')!)) as {
        target_modules: string[] | string;
      };
      const want = allLinear(p.arch);
      if (Array.isArray(cfg.target_modules)) expect([...cfg.target_modules].sort()).toEqual([...want].sort());
      // The run's own export (not randomLora's): exactly PEFT's tensors for that checkpoint, and
      // applied PEFT-style in PyTorch it gives the trained decoder's logits.
      const model = join(dir, 'learn-model');
      writeFolder(model, { 'config.json': tm.files['config.json'], 'model.safetensors': baseBytes });
      const adapterDir = join(dir, 'learn-adapter');
      writeFolder(adapterDir, files);
      const names = JSON.parse(execFileSync(PY, [PEFT_NAMES, model, adapterDir], { encoding: 'utf8' })) as {
        problems: string[];
        matched_modules: string[];
      };
      expect(names.problems).toEqual([]);
      expect(names.matched_modules.length).toBe(tm.spec.num_hidden_layers * want.length);
      const ids = Array.from(records[0].input_ids);
      const job = { model, adapter: adapterDir, input_ids: [ids], out: join(dir, 'learn-ref.safetensors') };
      runPython(HF_REFERENCE, [job], join(dir, 'learn-jobs.json'));
      const exported = relToMax(await dec.logits({ input_ids: [ids] }), await logitsOf(job.out));
      console.log(
        `${p.arch} the run's exported adapter in PyTorch vs the trained decoder: logits ${exported.toExponential(2)}`,
      );
      expect(exported).toBeLessThanOrEqual(1e-5);
      trainer.destroy();
    }, 600_000);
  });
}

/** The config.json of a decoder case: `arch`'s class and model_type, test-sized fields, then `extra`. */
export function caseConfig(
  cls: string,
  modelType: string,
  layers: number,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  return {
    architectures: [cls],
    model_type: modelType,
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

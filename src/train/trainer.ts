// The LoRA training loop. Takes a GPUDevice, a model's spec and uploaded weights, tokenized
// records and a TrainConfig (ms-swift names and defaults, ./config.ts), and runs:
//
//   for each optimizer step k (HF Trainer semantics):
//     gradient_accumulation_steps micro-batches of per_device_train_batch_size rows, each
//       forward + backward, gradients summed with the loss normalized by the tokens trained in
//       the whole step (transformers ≥ 4.46: num_items_in_batch);
//     global grad norm → NaN/Inf guard (skip the step, stop after maxBadSteps in a row);
//     clip to max_grad_norm; AdamW (decoupled weight decay) at lr · λ(k) (./schedule.ts);
//     events; eval every eval_steps; a checkpoint every save_steps.
//
// Everything random is a function of (seed, data_seed, step), so resuming from a checkpoint
// continues bit for bit like an uninterrupted run. No Node or DOM APIs here.
import { hubModelId } from './provenance.ts';
import { createDecoder, type Decoder } from '../engine/decoder/decoder.ts';
import { prepareBatch, type DecoderBatch } from '../engine/decoder/batch.ts';
import type { DecoderWeights } from '../engine/decoder/weights.ts';
import { fits, fmt, modelShape, planMemory, type MemoryPlan } from '../engine/plan/plan.ts';
import type { ModelSpec } from '../model/types.ts';
import { exportAdapter, type LoraTensor } from '../adapters/peft.ts';
import {
  effectiveEvalSteps,
  effectiveGradientAccumulation,
  foreignTargetModules,
  loraScaling,
  resolveTargetModules,
  validateTrainConfig,
  type TrainConfig,
} from './config.ts';
import { allLinear, layersPath, modelTensorNames } from '../model/layout.ts';
import { buildTrainRows, collate, MicroBatchStream, splitRecords, type TrainRecord, type TrainRow } from './data.ts';
import { LoraAdamW } from './optimizer.ts';
import { learningRate, warmupSteps } from './schedule.ts';
import { dropoutSeed } from './rng.ts';
import { TrainRefusal } from './errors.ts';
import { runFingerprint, verifyResume, type RunFingerprint } from './fingerprint.ts';
import {
  decodeTensors,
  encodeLora,
  encodeOptimizer,
  type CheckpointStorage,
  type TrainCheckpoint,
  type TrainerState,
} from './checkpoint.ts';

export type TrainStatus = 'completed' | 'cancelled' | 'failed';

export type TrainEvent =
  | {
      type: 'start';
      total_steps: number;
      steps_per_epoch: number;
      gradient_accumulation_steps: number;
      train_rows: number;
      eval_rows: number;
      seq_len: number;
      planned_bytes: number;
      resumed_from: number | null;
    }
  | {
      type: 'step';
      step: number;
      total_steps: number;
      epoch: number;
      loss: number;
      learning_rate: number;
      grad_norm: number;
      tokens: number;
      tokens_per_second: number;
      elapsed_seconds: number;
      eta_seconds: number;
    }
  | { type: 'skipped'; step: number; reason: string; consecutive: number }
  | { type: 'eval'; step: number; eval_loss: number }
  | { type: 'checkpoint'; step: number }
  | { type: 'paused'; step: number }
  | { type: 'resumed'; step: number }
  | { type: 'done'; status: TrainStatus; step: number; message?: string };

export interface TrainerInit {
  device: GPUDevice;
  spec: ModelSpec;
  weights: DecoderWeights;
  config: TrainConfig;
  /** Tokenized records (unshifted labels, -100 where not trained), already within max_length. */
  records: readonly TrainRecord[];
  /** Held-out records; default: split_dataset_ratio of `records`. */
  evalRecords?: readonly TrainRecord[];
  /** Token id for padding (never trained). */
  padId: number;
  storage?: CheckpointStorage;
  /**
   * Continue from storage's latest checkpoint when there is one. It must carry this run's
   * fingerprint (./fingerprint.ts): a checkpoint of another run is refused (ResumeRefusal).
   */
  resume?: boolean;
  /** Resume a checkpoint that has no fingerprint (made before Prism stored one) without checking it. */
  resumeUnverified?: boolean;
  /**
   * The caller's part of the run's fingerprint: `model` (ModelFingerprint of the weights) and
   * anything else that identifies the run (the CLI adds `data_file`).
   */
  identity?: RunFingerprint;
  onEvent?: (e: TrainEvent) => void;
  /** Start LoRA weights by PEFT key (default: PEFT's init, seeded by config.seed). */
  initialLora?: ReadonlyMap<string, Float32Array>;
  /** Recompute activations in backward (less memory, ~1.3× the compute). */
  recompute?: boolean;
  /** GPU memory the run may use; browsers do not report it, so the caller estimates it. */
  memoryBudgetBytes?: number;
  /** Stop after this many skipped (NaN/Inf) steps in a row (default 5). */
  maxBadSteps?: number;
  syncEachLayer?: boolean;
}

export { TrainRefusal, ResumeRefusal } from './errors.ts';

export interface TrainResult {
  status: TrainStatus;
  step: number;
  state: TrainerState;
  message?: string;
}

/** Steps of a run: HF's len(dataloader) // accumulation per epoch (at least 1). */
export function stepCounts(cfg: TrainConfig, microPerEpoch: number): { stepsPerEpoch: number; total: number } {
  const accum = effectiveGradientAccumulation(cfg);
  const stepsPerEpoch = Math.max(1, Math.floor(microPerEpoch / accum));
  const total = cfg.max_steps > 0 ? cfg.max_steps : Math.ceil(cfg.num_train_epochs * stepsPerEpoch);
  return { stepsPerEpoch, total };
}

export class Trainer {
  readonly config: TrainConfig;
  readonly plan: MemoryPlan;
  readonly totalSteps: number;
  readonly stepsPerEpoch: number;
  readonly accum: number;
  readonly seqLen: number;
  readonly trainRows: TrainRow[];
  readonly evalRows: TrainRow[];
  private readonly stream: MicroBatchStream;
  private readonly warmup: number;
  private decoder: Decoder | null = null;
  private optimizer: LoraAdamW | null = null;
  private paused: { promise: Promise<void>; release: () => void } | null = null;
  private cancelled = false;
  private state: TrainerState = { global_step: 0, bad_steps: 0, skipped_total: 0, loss_curve: [], tokens_seen: 0 };
  private fingerprintCache: RunFingerprint | null = null;

  constructor(private readonly init: TrainerInit) {
    const cfg = init.config;
    const issues = validateTrainConfig(cfg);
    if (issues.length)
      throw new TrainRefusal(`invalid training settings: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
    const foreign = foreignTargetModules(cfg.lora, init.spec.arch);
    if (foreign.length) {
      throw new TrainRefusal(
        `lora.target_modules: ${foreign.join(', ')} ${foreign.length > 1 ? 'are' : 'is'} not a linear module ` +
          `of ${init.spec.architecture}; its modules are ${allLinear(init.spec.arch).join(', ')} (or 'all-linear')`,
      );
    }
    this.config = cfg;
    this.onEvent = init.onEvent;
    let train = [...init.records];
    let evalRecs = init.evalRecords ? [...init.evalRecords] : [];
    if (!init.evalRecords) ({ train, eval: evalRecs } = splitRecords(train, cfg.split_dataset_ratio, cfg.data_seed));
    const rowOpts = { packing: cfg.packing, maxLength: cfg.max_length, padId: init.padId };
    this.trainRows = buildTrainRows(train, rowOpts);
    this.evalRows = buildTrainRows(evalRecs, rowOpts);
    if (this.trainRows.length === 0)
      throw new TrainRefusal('no training records: the dataset is empty after tokenization and the eval split');
    const longest = Math.max(...[...this.trainRows, ...this.evalRows].map((r) => r.input_ids.length));
    if (cfg.max_length !== null && longest > cfg.max_length) {
      throw new TrainRefusal(
        `a record has ${longest} tokens, more than max_length ${cfg.max_length}: tokenize with the ` +
          `same max_length and truncation`,
      );
    }
    this.seqLen = longest;
    this.accum = effectiveGradientAccumulation(cfg);
    this.stream = new MicroBatchStream(this.trainRows, cfg.per_device_train_batch_size, cfg.data_seed);
    const { stepsPerEpoch, total } = stepCounts(cfg, this.stream.perEpoch);
    this.stepsPerEpoch = stepsPerEpoch;
    this.totalSteps = total;
    this.warmup = warmupSteps(total, cfg.warmup_ratio);

    const embedName = modelTensorNames(init.spec).embed;
    const embed = init.weights.get(embedName);
    if (!embed) throw new TrainRefusal(`the model weights have no ${embedName}`);
    const batchRows = Math.min(cfg.per_device_train_batch_size, Math.max(this.trainRows.length, this.evalRows.length));
    this.plan = planMemory(modelShape(init.spec, embed.dtype), {
      batch: batchRows,
      seq_len: this.seqLen,
      lora: { r: cfg.lora.r, targets: resolveTargetModules(cfg.lora, init.spec.arch), dropout: cfg.lora.lora_dropout },
      recompute: !!init.recompute,
    });
    const fit = fits(this.plan, init.device.limits, init.memoryBudgetBytes);
    if (!fit.ok) {
      const what = [
        `per_device_train_batch_size (now ${cfg.per_device_train_batch_size})`,
        `max_length (now ${cfg.max_length ?? `none; longest row ${this.seqLen}`})`,
        init.recompute ? null : 'turn on activation recomputation',
        `a smaller LoRA r (now ${cfg.lora.r}) or fewer target_modules`,
      ].filter(Boolean);
      throw new TrainRefusal(
        `this run does not fit the GPU: ${fit.reason}. Planned total ${fmt(this.plan.total)}. ` +
          `Lower ${what.join(', or ')}.`,
        this.plan,
      );
    }
  }

  pause(): void {
    if (this.paused) return;
    let release!: () => void;
    const promise = new Promise<void>((r) => (release = r));
    this.paused = { promise, release };
  }

  resume(): void {
    const p = this.paused;
    this.paused = null;
    p?.release();
  }

  cancel(): void {
    this.cancelled = true;
    this.resume();
  }

  get isPaused(): boolean {
    return this.paused !== null;
  }

  /** Where events go (set at construction or later). */
  onEvent: ((e: TrainEvent) => void) | undefined;

  private emit(e: TrainEvent) {
    this.onEvent?.(e);
  }

  private ensureDecoder(): Decoder {
    if (this.decoder) return this.decoder;
    const { device, spec, weights, config: cfg } = this.init;
    const dec = createDecoder(device, spec, weights, {
      batch: this.plan.train.batch,
      seqLen: this.seqLen,
      lora: {
        r: cfg.lora.r,
        alpha: cfg.lora.lora_alpha,
        rslora: cfg.lora.use_rslora,
        dropout: cfg.lora.lora_dropout,
        targets: resolveTargetModules(cfg.lora, this.init.spec.arch),
        seed: cfg.seed,
      },
      recompute: this.init.recompute,
      syncEachLayer: this.init.syncEachLayer,
    });
    if (this.init.initialLora)
      for (const p of dec.lora) {
        const v = this.init.initialLora.get(p.key);
        if (!v) throw new Error(`initialLora has no ${p.key}`);
        dec.writeLora(p.key, v);
      }
    this.decoder = dec;
    this.optimizer = new LoraAdamW(device, dec.lora, dec.optimizerBuffers());
    return dec;
  }

  /** The decoder with the current LoRA weights (for generation or logits after training). */
  get model(): Decoder {
    return this.ensureDecoder();
  }

  /** LoRA weights as src/adapters' LoraTensor list (PEFT export). */
  async loraTensors(): Promise<LoraTensor[]> {
    const dec = this.ensureDecoder();
    const out: LoraTensor[] = [];
    for (const a of dec.lora) {
      if (a.which !== 'A') continue;
      const b = dec.lora.find((p) => p.layer === a.layer && p.target === a.target && p.which === 'B')!;
      out.push({
        layer: a.layer,
        module: a.target,
        in_features: a.shape[1],
        out_features: b.shape[0],
        A: await dec.readLora(a.key),
        B: await dec.readLora(b.key),
      });
    }
    return out;
  }

  /** adapter_model.safetensors + adapter_config.json as PEFT writes them. */
  async adapterFiles(): Promise<Map<string, Uint8Array>> {
    const cfg = this.config;
    return exportAdapter(
      await this.loraTensors(),
      {
        base_model_name_or_path: hubModelId(cfg.model_id),
        r: cfg.lora.r,
        lora_alpha: cfg.lora.lora_alpha,
        lora_dropout: cfg.lora.lora_dropout,
        use_rslora: cfg.lora.use_rslora,
      },
      { layersPath: layersPath(this.init.spec) },
    );
  }

  /** This run's identity (./fingerprint.ts), stored with every checkpoint; computed once. */
  get fingerprint(): RunFingerprint {
    this.fingerprintCache ??= runFingerprint(this.config, this.init.records, this.init.evalRecords, this.init.identity);
    return this.fingerprintCache;
  }

  get scaling(): number {
    return loraScaling(this.config.lora);
  }

  async checkpoint(): Promise<TrainCheckpoint> {
    const dec = this.ensureDecoder();
    const keys = dec.lora.map((p) => p.key);
    const shapes = dec.lora.map((p) => p.shape);
    const values = await Promise.all(dec.lora.map((p) => dec.readLora(p.key)));
    const step = this.state.global_step;
    return {
      step,
      lora: encodeLora(keys, shapes, values),
      optimizer: encodeOptimizer(keys, shapes, await this.optimizer!.state()),
      data_position: {
        micro_batches: step * this.accum,
        epoch: Math.floor((step * this.accum) / this.stream.perEpoch),
      },
      rng_state: { seed: this.config.seed, data_seed: this.config.data_seed, step },
      trainer_state: structuredClone(this.state),
      fingerprint: { ...this.fingerprint },
    };
  }

  /** Continue from `cp`: refused (ResumeRefusal) when it belongs to another run (see TrainerInit.resume). */
  async restore(cp: TrainCheckpoint): Promise<void> {
    verifyResume(cp, this.fingerprint, this.init.resumeUnverified);
    const dec = this.ensureDecoder();
    if (cp.rng_state.seed !== this.config.seed || cp.rng_state.data_seed !== this.config.data_seed) {
      throw new TrainRefusal('the checkpoint was made with another seed or data_seed: resume with the same settings');
    }
    if (cp.data_position.micro_batches !== cp.step * this.accum) {
      throw new TrainRefusal(
        'the checkpoint was made with another gradient_accumulation_steps: resume with the same settings',
      );
    }
    const lora = (await decodeTensors(cp.lora)).tensors;
    const opt = await decodeTensors(cp.optimizer);
    for (const p of dec.lora) {
      const v = lora.get(p.key);
      if (!v) throw new TrainRefusal(`the checkpoint has no ${p.key}: it was made with other LoRA settings`);
      dec.writeLora(p.key, v);
    }
    this.optimizer!.load({
      t: Number(opt.metadata.t ?? 0),
      exp_avg: dec.lora.map((p) => opt.tensors.get(`${p.key}.exp_avg`)!),
      exp_avg_sq: dec.lora.map((p) => opt.tensors.get(`${p.key}.exp_avg_sq`)!),
    });
    this.state = structuredClone(cp.trainer_state);
  }

  /** Mean loss over the eval rows (no dropout), tokens weighted as in training. */
  async evaluate(): Promise<number | null> {
    if (this.evalRows.length === 0) return null;
    const dec = this.ensureDecoder();
    const bs = this.plan.train.batch;
    let sum = 0;
    let kept = 0;
    for (let i = 0; i < this.evalRows.length; i += bs) {
      const batch = collate(this.evalRows.slice(i, i + bs), this.init.padId);
      const prep = prepareBatch(this.init.spec, batch);
      if (prep.kept === 0) continue;
      const mean =
        this.config.lora.lora_dropout > 0
          ? await cpuLoss(dec, batch, prep.targets!, prep.weights!)
          : await dec.forward(batch, { seed: 0 });
      sum += mean * prep.kept;
      kept += prep.kept;
    }
    return kept ? sum / kept : null;
  }

  async run(): Promise<TrainResult> {
    const cfg = this.config;
    const dec = this.ensureDecoder();
    const opt = this.optimizer!;
    const storage = this.init.storage;
    let resumedFrom: number | null = null;
    if (this.init.resume && storage) {
      const cp = await storage.latest();
      if (cp) {
        await this.restore(cp);
        resumedFrom = cp.step;
      }
    }
    this.emit({
      type: 'start',
      total_steps: this.totalSteps,
      steps_per_epoch: this.stepsPerEpoch,
      gradient_accumulation_steps: this.accum,
      train_rows: this.trainRows.length,
      eval_rows: this.evalRows.length,
      seq_len: this.seqLen,
      planned_bytes: this.plan.total,
      resumed_from: resumedFrom,
    });
    const evalSteps = effectiveEvalSteps(cfg);
    const maxBad = this.init.maxBadSteps ?? 5;
    const started = performance.now();
    let timed = 0;
    let timedSteps = 0;
    let lastSkip = '';
    const finish = (status: TrainStatus, message?: string): TrainResult => {
      this.emit({ type: 'done', status, step: this.state.global_step, message });
      return { status, step: this.state.global_step, state: structuredClone(this.state), message };
    };

    while (this.state.global_step < this.totalSteps) {
      if (this.paused) {
        this.emit({ type: 'paused', step: this.state.global_step });
        await this.paused.promise;
        if (!this.cancelled) this.emit({ type: 'resumed', step: this.state.global_step });
      }
      if (this.cancelled) return finish('cancelled');
      const step = this.state.global_step;
      const t0 = performance.now();
      const micro = Array.from({ length: this.accum }, (_, j) => this.stream.at(step * this.accum + j));
      const batches = micro.map((m) => collate(m.rows, this.init.padId));
      const keptEach = batches.map((b) => prepareBatch(this.init.spec, b).kept);
      const kept = keptEach.reduce((a, b) => a + b, 0);
      const tokens = micro.reduce((s, m) => s + m.rows.reduce((t, r) => t + r.input_ids.length, 0), 0);
      let lossSum = 0;
      let first = true;
      if (kept > 0) {
        for (let j = 0; j < this.accum; j++) {
          if (keptEach[j] === 0) continue;
          const mean = await dec.forward(batches[j], { seed: dropoutSeed(cfg.seed, step, j) });
          lossSum += mean * keptEach[j];
          await dec.backward({ accumulate: !first, divisor: kept });
          first = false;
        }
      }
      const lr = learningRate(cfg.learning_rate, cfg.lr_scheduler_type, step, this.totalSteps, this.warmup);
      const loss = kept > 0 ? lossSum / kept : NaN;
      let res = { grad_norm: NaN, skipped: true };
      if (kept > 0 && Number.isFinite(loss)) {
        res = await opt.step({
          lr,
          beta1: cfg.adam_beta1,
          beta2: cfg.adam_beta2,
          eps: cfg.adam_epsilon,
          weight_decay: cfg.weight_decay,
          max_grad_norm: cfg.max_grad_norm,
        });
      }
      this.state.global_step = step + 1;
      this.state.tokens_seen += tokens;
      if (res.skipped) {
        this.state.bad_steps++;
        this.state.skipped_total++;
        const reason =
          kept === 0
            ? 'no trained tokens in this step'
            : !Number.isFinite(loss)
              ? `loss is ${loss}`
              : `gradient norm is ${res.grad_norm}`;
        lastSkip = reason;
        this.emit({ type: 'skipped', step: step + 1, reason, consecutive: this.state.bad_steps });
        if (this.state.bad_steps >= maxBad) {
          return finish(
            'failed',
            `stopped: ${this.state.bad_steps} steps in a row had no finite gradient (${reason}); lower ` +
              `learning_rate or check the data`,
          );
        }
      } else {
        this.state.bad_steps = 0;
      }
      const dt = (performance.now() - t0) / 1000;
      timed += dt;
      timedSteps++;
      const point = {
        step: step + 1,
        loss,
        learning_rate: lr,
        grad_norm: res.grad_norm,
      } as TrainerState['loss_curve'][number];
      this.state.loss_curve.push(point);
      this.emit({
        type: 'step',
        step: step + 1,
        total_steps: this.totalSteps,
        epoch: ((step + 1) * this.accum) / this.stream.perEpoch,
        loss,
        learning_rate: lr,
        grad_norm: res.grad_norm,
        tokens,
        tokens_per_second: tokens / Math.max(dt, 1e-9),
        elapsed_seconds: (performance.now() - started) / 1000,
        eta_seconds: (timed / timedSteps) * (this.totalSteps - step - 1),
      });
      const last = step + 1 === this.totalSteps;
      if (evalSteps !== null && ((step + 1) % evalSteps === 0 || last)) {
        const ev = await this.evaluate();
        if (ev !== null) {
          point.eval_loss = ev;
          this.emit({ type: 'eval', step: step + 1, eval_loss: ev });
        }
      }
      if (storage && ((step + 1) % cfg.save_steps === 0 || last)) {
        await storage.save(await this.checkpoint());
        this.emit({ type: 'checkpoint', step: step + 1 });
      }
    }
    // Every step skipped: the LoRA weights are still their initialization, not an adapter.
    if (this.state.skipped_total >= this.state.global_step) {
      return finish(
        'failed',
        `no optimizer step was applied: all ${this.state.global_step} steps were skipped ` +
          `(${lastSkip || 'no finite loss or gradient'}); check the model's weights and the ` +
          `data, or lower learning_rate`,
      );
    }
    return finish('completed');
  }

  destroy(): void {
    this.optimizer?.destroy();
    this.decoder?.destroy();
    this.optimizer = null;
    this.decoder = null;
  }
}

/**
 * Σ weight · cross entropy / (targets ≥ 0) from the full logits, in float64 (eval with dropout
 * configured): the same loss as the fused kernel.
 */
async function cpuLoss(dec: Decoder, batch: DecoderBatch, targets: Int32Array, weights: Float32Array): Promise<number> {
  const logits = await dec.logits(batch);
  const V = dec.spec.vocab_size;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < targets.length; i++) {
    const y = targets[i];
    if (y < 0) continue;
    const row = logits.subarray(i * V, (i + 1) * V);
    let mx = -Infinity;
    for (const x of row) mx = Math.max(mx, x);
    let s = 0;
    for (const x of row) s += Math.exp(x - mx);
    sum += weights[i] * (mx + Math.log(s) - row[y]);
    n++;
  }
  return sum / n;
}

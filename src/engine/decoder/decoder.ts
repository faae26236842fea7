// The decoder stack for LoRA training and full-sequence inference (Llama, Qwen2/3, Mistral,
// SmolLM3, Phi-3, Gemma 2/3, InternLM2: the per-architecture differences live in the layer's
// LayerKind and weights, model/layout.ts names them).
//
//   const dec = createDecoder(device, spec, weights, { batch, seqLen, lora, recompute });
//   dec.writeLora(key, values)                  // optional: PEFT init is A ~ U(±1/√in), B = 0
//   const loss = await dec.forward(batch);      // HF causal-LM loss (needs labels)
//   await dec.backward();                       // fills every LoRA gradient
//   await dec.readLoraGrad('base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight')
//   const logits = await dec.logits(batch, { last: true });  // inference, [B or B·T, V]
//   dec.destroy();
//
// The loss is src/engine/loss's FusedCrossEntropy on the final-normed hidden states (the [N, V]
// logits never exist in training); logits() computes them chunk by chunk for inference.
//
// Every activation and scratch buffer comes from the memory plan's typed record (../plan:
// plan.tensors.layers[l].q, plan.tensors.grad.dln, …), allocated the first time it is needed,
// so what the plan reports is what runs (the one exception: the fused loss's running stats,
// 20·N + 8 bytes; see allocated()). The forward is the stack walk the KV-cache decoder takes too
// (stack.ts), one layer per submit (and one LM-head chunk per submit) so no single submission
// runs long enough to trip a GPU watchdog; `syncEachLayer` also waits for each before recording
// the next. Weights belong to the caller (see uploadWeights); destroy() frees only the decoder's own.
import type { ModelSpec } from '../../model/types.ts';
import { seededRandom } from '../../model/random.ts';
import { readF32, storageBuffer, submit, writeF32 } from '../runtime/index.ts';
import { modelShape, planMemory, type Category, type MemoryPlan } from '../plan/plan.ts';
import { PlanBuffers } from '../plan/allocate.ts';
import type { LoraArena } from '../plan/tensors.ts';
import { layoutOf, TARGET_MODULES, type TargetModule } from '../../model/layout.ts';
import { prepareBatch, type DecoderBatch, type PreparedBatch } from './batch.ts';
import { finalNorm, finalNormBackward, headLogits, headLogitsBytes, type HeadArgs } from './head.ts';
import { FusedCrossEntropy } from '../loss/cross_entropy.ts';
import { flashAttention, layerBackward, layerForward, type LayerScratch } from './layer.ts';
import { decoderLora, loraScale, type LoraParam } from './lora.ts';
import { stackOf, uploadInputs, walkStack } from './stack.ts';
import type { DecoderWeights } from './weights.ts';

export type { LoraParam } from './lora.ts';

export interface DecoderLoraOptions {
  r: number;
  /** lora_alpha */
  alpha: number;
  /** use_rslora: scale alpha/√r instead of alpha/r. */
  rslora?: boolean;
  /** lora_dropout on the LoRA input (training only). */
  dropout?: number;
  targets: readonly TargetModule[];
  /** Seeds the default init and the dropout masks. */
  seed?: number;
}

export interface OptimizerBuffers {
  arenas: Required<LoraArena<GPUBuffer>>[];
  /** grad_norm.partials (gradNormSlots(arenas.length) f32) and grad_norm.out [norm, clip coefficient]. */
  partials: GPUBuffer;
  normOut: GPUBuffer;
}

export interface DecoderOptions {
  /** Planned rows and tokens per row; a step may use fewer (B·T ≤ batch·seqLen). */
  batch: number;
  seqLen: number;
  lora?: DecoderLoraOptions | null;
  /** Keep only each layer's input and recompute its activations during backward. */
  recompute?: boolean;
  /** Wait for each layer's submission to finish before recording the next. */
  syncEachLayer?: boolean;
  vocabChunk?: number;
}

export interface ForwardOptions {
  /** Dropout seed of this step (default: lora.seed + number of forward calls so far). */
  seed?: number;
}

export interface BackwardOptions {
  /** Add to the LoRA gradients instead of overwriting them (micro-batch accumulation). */
  accumulate?: boolean;
  /** Multiplies ∂loss (e.g. 1/number of micro-batches). */
  gradScale?: number;
  /** Divide the summed token losses by this instead of this batch's kept-token count. */
  divisor?: number;
}

export interface Decoder {
  readonly spec: ModelSpec;
  readonly plan: MemoryPlan;
  /** Every LoRA tensor in layer, target, A-then-B order. */
  readonly lora: readonly LoraParam[];
  /**
   * The LoRA arenas every tensor of `lora` is a range of (parameters, gradients, AdamW's moments;
   * one chunk unless they pass 128 MiB) and the gradient norm's scratch: what LoraAdamW binds.
   */
  optimizerBuffers(): OptimizerBuffers;
  loraParam(key: string): LoraParam;
  writeLora(key: string, values: Float32Array): void;
  readLora(key: string): Promise<Float32Array>;
  readLoraGrad(key: string): Promise<Float32Array>;
  /** Runs the stack and returns the mean causal-LM loss over the kept labels. */
  forward(batch: DecoderBatch, opts?: ForwardOptions): Promise<number>;
  /** Fills the LoRA gradients of the last forward's loss. */
  backward(opts?: BackwardOptions): Promise<void>;
  /** Logits [B·T, V] (or [B, V] with last: true), no dropout; LoRA applied when present. */
  logits(batch: DecoderBatch, opts?: { last?: boolean }): Promise<Float32Array>;
  /**
   * The buffers allocated so far, by plan name and category; `planned: false` marks the fused
   * loss's small running-stats scratch (20·N + 8 bytes), which the plan does not list.
   */
  allocated(): { name: string; category: Category; bytes: number; planned: boolean }[];
  destroy(): void;
}

/** A 32-bit mix of a few integers (per-module dropout seeds). */
function mix(...xs: number[]): number {
  let h = 0x811c9dc5;
  for (const x of xs) {
    h = Math.imul(h ^ (x >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  }
  return h >>> 0;
}

export function createDecoder(
  device: GPUDevice,
  spec: ModelSpec,
  weights: DecoderWeights,
  opts: DecoderOptions,
): Decoder {
  const L = spec.num_hidden_layers;
  const D = spec.hidden_size;
  const I = spec.intermediate_size;
  const V = spec.vocab_size;
  const nh = spec.num_attention_heads;
  const kvw = spec.num_key_value_heads * spec.head_dim;
  const stack = stackOf(spec, weights);
  const headW = stack.head(0).headW;
  const loraOpts = opts.lora ?? null;
  const targets = loraOpts ? [...new Set(loraOpts.targets)] : [];
  for (const t of targets) if (!TARGET_MODULES.includes(t)) throw new Error(`decoder: unknown LoRA target ${t}`);
  // Each target must be a module of this architecture (layoutOf throws naming the ones it has).
  for (const t of targets) layoutOf(spec.arch, t);
  const recompute = !!opts.recompute;
  const plan = planMemory(modelShape(spec, stack.embed.dtype), {
    batch: opts.batch,
    seq_len: opts.seqLen,
    lora: { r: loraOpts?.r ?? 0, targets, dropout: loraOpts?.dropout ?? 0 },
    recompute,
    vocab_chunk: opts.vocabChunk,
  });
  const t = plan.tensors;
  // Backward borrows grad.ln for attention's row stats and, for Qwen3/Gemma 3, grad.up for ∂k_pre.
  if (2 * nh > D) throw new Error('decoder: scratch reuse needs 2·heads ≤ hidden');
  if (spec.qk_norm && kvw > I) throw new Error('decoder: scratch reuse needs kv width ≤ intermediate');

  // Every buffer below is one of the plan's, made on first use.
  const bufs = new PlanBuffers(device);

  // LoRA parameters and gradients, PEFT-initialized (A uniform ±1/√in, B zero).
  const dropout = loraOpts?.dropout ?? 0;
  const lora = decoderLora(spec, bufs, t.lora, {
    r: loraOpts?.r ?? 0,
    scale: loraOpts ? loraScale(loraOpts) : 0,
    dropout,
  });
  const params: LoraParam[] = lora.params.map((p) => ({
    ...p,
    grad: p.grad!,
    exp_avg: p.exp_avg!,
    exp_avg_sq: p.exp_avg_sq!,
  }));
  const initRng = seededRandom(loraOpts?.seed ?? 0);
  for (const p of params) {
    if (p.which !== 'A') continue;
    const bound = 1 / Math.sqrt(p.shape[1]);
    const a0 = new Float32Array(p.shape[0] * p.shape[1]).map(() => (2 * initRng.next() - 1) * bound);
    writeF32(device, p.param, a0);
  }
  const byKey = new Map(params.map((p) => [p.key, p]));

  // Step inputs, residual stream, saved activations (one set per layer, or one shared), scratch.
  const io = bufs.of(t.inputs);
  const residual = bufs.of(t.residual);
  const acts = (l: number) => bufs.of(t.layers[l]);
  const getScratch = (): LayerScratch => bufs.of(t.grad);
  // Forward needs the dropout scratch too.
  const fwdScratch = (): LayerScratch | null => (targets.length && dropout > 0 ? getScratch() : null);
  const normBufs = () => bufs.of(t.final_norm);
  const flash = flashAttention(device, io);

  // Training: the fused, vocabulary-chunked loss; its logits block is the plan's
  // lm_head.logits_chunk [tokens, vocab_chunk].
  const vocabChunk = Math.min(V, opts.vocabChunk ?? 8192);
  let ce: FusedCrossEntropy | null = null;
  let ceMean: GPUBuffer | null = null;
  const loss = () => {
    if (!ce) {
      ce = new FusedCrossEntropy(
        device,
        {
          chunks: headW.chunks.map((c) => ({ buffer: c.buffer, rows: c.rows })),
          hidden: D,
          dtype: headW.dtype,
          softcap: spec.final_logit_softcapping,
        },
        { maxTokens: plan.tokens, chunkRows: vocabChunk },
      );
      ceMean = storageBuffer(device, 8, 'loss.mean');
    }
    return {
      ce,
      mean: ceMean!,
      targets: bufs.get(t.labels),
      weights: bufs.get(t.loss_weights),
      perToken: bufs.get(t.loss.per_token),
      lse: bufs.get(t.loss.lse),
    };
  };

  let forwards = 0;
  let last: { prep: PreparedBatch; N: number; head: HeadArgs } | null = null;

  const upload = (prep: PreparedBatch) => {
    if (prep.N > plan.tokens)
      throw new Error(`decoder: ${prep.B}×${prep.T} tokens exceed the planned ${opts.batch}×${opts.seqLen}`);
    uploadInputs(device, prep, io);
  };

  // Dropout seeds per step, layer and module.
  const setSeeds = (stepSeed: number) => {
    for (const p of params) {
      if (p.which !== 'A') continue;
      lora.layers[p.layer]!.seeds[layoutOf(spec.arch, p.target).role] = mix(
        stepSeed,
        p.layer,
        TARGET_MODULES.indexOf(p.target),
      );
    }
  };

  const sync = async () => {
    if (opts.syncEachLayer) await device.queue.onSubmittedWorkDone();
  };

  async function runStack(prep: PreparedBatch, withDropout: boolean): Promise<number> {
    upload(prep);
    await walkStack(device, stack, {
      N: prep.N,
      io,
      residual: (l) => residual[l],
      acts,
      // Without dropout (inference), modules run at p = 0.
      lora: (l) => {
        const ll = lora.layers[l];
        return ll && !withDropout && ll.p > 0 ? { ...ll, p: 0 } : ll;
      },
      scratch: withDropout ? fwdScratch() : null,
      attend: () => flash,
      label: 'forward',
      sync,
    });
    return prep.N;
  }

  return {
    spec,
    plan,
    lora: params,
    optimizerBuffers() {
      return {
        arenas: t.lora_arenas.map((a) => bufs.of(a) as Required<LoraArena<GPUBuffer>>),
        partials: bufs.get(t.grad_norm.partials),
        normOut: bufs.get(t.grad_norm.out),
      };
    },
    loraParam(key) {
      const p = byKey.get(key);
      if (!p) throw new Error(`decoder: no LoRA tensor ${key}`);
      return p;
    },
    writeLora(key, values) {
      const p = this.loraParam(key);
      if (values.length !== p.shape[0] * p.shape[1])
        throw new Error(`decoder: ${key} takes ${p.shape[0]}×${p.shape[1]} values`);
      writeF32(device, p.param, values);
    },
    readLora(key) {
      const p = this.loraParam(key);
      return readF32(device, p.param, p.shape[0] * p.shape[1]);
    },
    readLoraGrad(key) {
      const p = this.loraParam(key);
      return readF32(device, p.grad, p.shape[0] * p.shape[1]);
    },

    async forward(batch, fo = {}) {
      if (!batch.labels) throw new Error('decoder.forward needs labels (use logits() for inference)');
      const prep = prepareBatch(spec, batch, V);
      setSeeds(fo.seed ?? (loraOpts?.seed ?? 0) + forwards);
      forwards++;
      const N = await runStack(prep, true);
      const head = stack.head(N);
      const nb = normBufs();
      const l = loss();
      device.queue.writeBuffer(l.targets, 0, prep.targets!);
      device.queue.writeBuffer(l.weights, 0, prep.weights!);
      const enc = device.createCommandEncoder({ label: 'final norm + loss' });
      finalNorm(device, enc, head, residual[L], nb);
      l.ce.forward(enc, prep.N, {
        hidden: nb.normed,
        targets: l.targets,
        weights: l.weights,
        loss: l.perToken,
        lse: l.lse,
        mean: l.mean,
      });
      submit(device, enc);
      last = { prep, N, head };
      return (await readF32(device, l.mean, 1))[0];
    },

    async backward(bo = {}) {
      if (!last) throw new Error('decoder.backward needs a forward first');
      const { N, head } = last;
      const s = getScratch();
      const dres = bufs.get(t.grad.residual);
      const nb = normBufs();
      const l = loss();
      let enc = device.createCommandEncoder({ label: 'loss + final norm backward' });
      l.ce.backward(
        enc,
        N,
        { hidden: nb.normed, targets: l.targets, weights: l.weights, lse: l.lse, mean: l.mean, dHidden: s.dln },
        {
          gradScale: bo.gradScale,
          divisor: bo.divisor,
        },
      );
      finalNormBackward(device, enc, head, residual[L], nb, s.dln, dres);
      submit(device, enc);
      await sync();
      for (let l = L - 1; l >= 0; l--) {
        const d = stack.dims(N, l);
        if (recompute) {
          enc = device.createCommandEncoder({ label: `layer ${l} recompute` });
          const ll = lora.layers[l];
          layerForward(
            device,
            enc,
            d,
            stack.layers[l],
            ll,
            io,
            residual[l],
            residual[l + 1],
            acts(l),
            fwdScratch(),
            flash,
          );
          submit(device, enc);
          await sync();
        }
        enc = device.createCommandEncoder({ label: `layer ${l} backward` });
        layerBackward(
          device,
          enc,
          d,
          stack.layers[l],
          lora.layers[l],
          io,
          residual[l],
          acts(l),
          s,
          dres,
          !!bo.accumulate,
        );
        submit(device, enc);
        await sync();
      }
      await device.queue.onSubmittedWorkDone();
    },

    async logits(batch, lo = {}) {
      const prep = prepareBatch(spec, { ...batch, labels: null }, V);
      await runStack(prep, false);
      const head = stack.head(prep.N);
      const nb = normBufs();
      const enc = device.createCommandEncoder({ label: 'final norm' });
      finalNorm(device, enc, head, residual[L], nb);
      submit(device, enc);
      // The plan's logits block when one LM-head weight chunk fits it, else a temporary one.
      const bytes = headLogitsBytes(prep.N, headW);
      const fitsPlan = t.loss.logits_chunk.bytes >= bytes;
      const block = fitsPlan
        ? bufs.get(t.loss.logits_chunk)
        : storageBuffer(device, bytes, 'lm_head.logits (temporary)');
      const all = await headLogits(device, head, nb.normed, block);
      if (!fitsPlan) block.destroy();
      if (!lo.last) return all;
      const out = new Float32Array(prep.B * V);
      for (let b = 0; b < prep.B; b++) out.set(all.subarray(((b + 1) * prep.T - 1) * V, (b + 1) * prep.T * V), b * V);
      return out;
    },

    allocated() {
      const out = bufs.allocated().map((p) => ({ name: p.name, category: p.category, bytes: p.bytes, planned: true }));
      // The fused loss holds its own logits block of the plan's size (lm_head.logits_chunk).
      const block = t.loss.logits_chunk;
      if (ce && !bufs.has(block))
        out.push({ name: block.name, category: block.category, bytes: block.bytes, planned: true });
      if (ce)
        out.push({
          name: 'loss running stats + mean',
          category: 'scratch',
          bytes: ce.scratchBytes - block.bytes + 8,
          planned: false,
        });
      return out;
    },

    destroy() {
      bufs.destroy();
      ce?.destroy();
      ceMean?.destroy();
      ce = null;
      last = null;
    },
  };
}

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
// Every activation and scratch buffer is one the memory plan (../plan) lists, allocated by its
// plan name the first time it is needed, so what the plan reports is what runs (the one
// exception: the fused loss's running stats, 20·N + 8 bytes; see allocated()). Work goes to
// the GPU one layer per submit (and one LM-head chunk per submit) so no single submission runs
// long enough to trip a GPU watchdog; `syncEachLayer` also waits for each before recording the
// next. Weights belong to the caller (see uploadWeights); destroy() frees only the decoder's own.
import type { ModelSpec } from '../../model/types.ts';
import { seededRandom } from '../../model/random.ts';
import { embeddingForward } from '../kernels/embedding.ts';
import { readF32, storageBuffer, submit } from '../runtime/index.ts';
import { LORA_TARGETS, modelShape, planMemory, projShapes, type Category, type LoraTarget, type MemoryPlan } from '../plan/plan.ts';
import { layersPath, layoutOf, type ProjRole } from '../../model/layout.ts';
import { prepareBatch, type DecoderBatch, type PreparedBatch } from './batch.ts';
import { finalNorm, finalNormBackward, headLogits, headLogitsBytes, type FinalNormBuffers, type HeadArgs } from './head.ts';
import { FusedCrossEntropy } from '../loss/cross_entropy.ts';
import {
  layerBackward, layerForward, type LayerActs, type LayerDims, type LayerInputs, type LayerKind, type LayerLora,
  type LayerScratch, type LayerWeights, type LoraModule,
} from './layer.ts';
import { embedWeight, finalNormWeight, headWeight, layerKind, layerWeights, type DecoderWeights } from './weights.ts';

export interface DecoderLoraOptions {
  r: number;
  /** lora_alpha */
  alpha: number;
  /** use_rslora: scale alpha/√r instead of alpha/r. */
  rslora?: boolean;
  /** lora_dropout on the LoRA input (training only). */
  dropout?: number;
  targets: readonly LoraTarget[];
  /** Seeds the default init and the dropout masks. */
  seed?: number;
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

export interface LoraParam {
  /** PEFT key, e.g. base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight */
  key: string;
  layer: number;
  target: LoraTarget;
  which: 'A' | 'B';
  shape: [number, number];
  param: GPUBuffer;
  grad: GPUBuffer;
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

/** The PEFT key of a LoRA matrix of this model (`base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight`). */
export function peftKey(spec: Pick<ModelSpec, 'arch' | 'weight_prefix'>, layer: number, target: LoraTarget, which: 'A' | 'B'): string {
  return `base_model.model.${layersPath(spec)}.${layer}.${layoutOf(spec.arch, target).parent}.${target}.lora_${which}.weight`;
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
  device: GPUDevice, spec: ModelSpec, weights: DecoderWeights, opts: DecoderOptions,
): Decoder {
  const L = spec.num_hidden_layers;
  const D = spec.hidden_size;
  const I = spec.intermediate_size;
  const V = spec.vocab_size;
  const hd = spec.head_dim;
  const nh = spec.num_attention_heads;
  const nkv = spec.num_key_value_heads;
  const embed = embedWeight(spec, weights);
  const headW = headWeight(spec, weights);
  const loraOpts = opts.lora ?? null;
  const targets = loraOpts ? [...new Set(loraOpts.targets)] : [];
  for (const t of targets) if (!LORA_TARGETS.includes(t)) throw new Error(`decoder: unknown LoRA target ${t}`);
  // Each target must be a module of this architecture (layoutOf throws naming the ones it has).
  const roleOf = new Map<LoraTarget, ProjRole>(targets.map((t) => [t, layoutOf(spec.arch, t).role]));
  const recompute = !!opts.recompute;
  const model = modelShape(spec, embed.dtype);
  const plan = planMemory(model, {
    batch: opts.batch,
    seq_len: opts.seqLen,
    lora: { r: loraOpts?.r ?? 0, targets, dropout: loraOpts?.dropout ?? 0 },
    recompute,
    vocab_chunk: opts.vocabChunk,
  });
  // Backward borrows grad.ln for attention's row stats and, for Qwen3/Gemma 3, grad.up for ∂k_pre.
  if (2 * nh > D) throw new Error('decoder: scratch reuse needs 2·heads ≤ hidden');
  if (spec.qk_norm && nkv * hd > I) throw new Error('decoder: scratch reuse needs kv width ≤ intermediate');

  // Buffers by plan name, made on first use.
  const planned = new Map(plan.buffers.map((b) => [b.name, b]));
  const owned = new Map<string, GPUBuffer>();
  const alloc = (name: string): GPUBuffer => {
    let b = owned.get(name);
    if (b) return b;
    const p = planned.get(name);
    if (!p) throw new Error(`decoder: buffer ${name} is not in the memory plan`);
    b = storageBuffer(device, p.bytes, name);
    owned.set(name, b);
    return b;
  };
  // Frozen weights and the kind of each layer.
  const layerW: LayerWeights[] = Array.from({ length: L }, (_, l) => layerWeights(spec, weights, l));
  const kinds: LayerKind[] = Array.from({ length: L }, (_, l) => layerKind(spec, l));

  // LoRA parameters and gradients, PEFT-initialized (A uniform ±1/√in, B zero).
  const shapes = projShapes(model);
  const params: LoraParam[] = [];
  const layerLora: (LayerLora | null)[] = [];
  const scale = loraOpts ? (loraOpts.rslora ? loraOpts.alpha / Math.sqrt(loraOpts.r) : loraOpts.alpha / loraOpts.r) : 0;
  const initRng = seededRandom(loraOpts?.seed ?? 0);
  for (let l = 0; l < L; l++) {
    if (!loraOpts || targets.length === 0) {
      layerLora.push(null);
      continue;
    }
    const modules: Partial<Record<ProjRole, LoraModule>> = {};
    for (const t of LORA_TARGETS) {
      if (!targets.includes(t)) continue;
      const [outF, inF] = shapes[t];
      const r = loraOpts.r;
      const bound = 1 / Math.sqrt(inF);
      const a0 = new Float32Array(r * inF).map(() => (2 * initRng.next() - 1) * bound);
      const a = alloc(`layers.${l}.${t}.lora_A`);
      device.queue.writeBuffer(a, 0, a0);
      const m: LoraModule = {
        a, b: alloc(`layers.${l}.${t}.lora_B`),
        dA: alloc(`layers.${l}.${t}.lora_A.grad`), dB: alloc(`layers.${l}.${t}.lora_B.grad`), inF, outF,
      };
      modules[roleOf.get(t)!] = m;
      params.push({ key: peftKey(spec, l, t, 'A'), layer: l, target: t, which: 'A', shape: [r, inF], param: m.a, grad: m.dA });
      params.push({ key: peftKey(spec, l, t, 'B'), layer: l, target: t, which: 'B', shape: [outF, r], param: m.b, grad: m.dB });
    }
    layerLora.push({ r: loraOpts.r, scale, p: loraOpts.dropout ?? 0, seeds: {}, modules });
  }
  const byKey = new Map(params.map((p) => [p.key, p]));

  // Step inputs, residual stream, saved activations, scratch.
  const io: LayerInputs = {
    seqIds: alloc('seq_ids'),
    rope: [{ cos: alloc('rope.cos'), sin: alloc('rope.sin') }],
  };
  if (spec.rope_local_theta !== null) io.rope.push({ cos: alloc('rope_local.cos'), sin: alloc('rope_local.sin') });
  const fusedOut = planned.has('fused.out') ? alloc('fused.out') : undefined;
  const ids = alloc('input_ids');
  const residual = Array.from({ length: L + 1 }, (_, l) => alloc(`residual.${l}`));
  const actsFor = (prefix: string): LayerActs => ({
    ln1: alloc(`${prefix}.ln1`), rstd1: alloc(`${prefix}.rstd1`),
    qPre: spec.qk_norm ? alloc(`${prefix}.q_pre_norm`) : undefined,
    kPre: spec.qk_norm ? alloc(`${prefix}.k_pre_norm`) : undefined,
    qRstd: spec.qk_norm ? alloc(`${prefix}.q_rstd`) : undefined,
    kRstd: spec.qk_norm ? alloc(`${prefix}.k_rstd`) : undefined,
    q: alloc(`${prefix}.q`), k: alloc(`${prefix}.k`), v: alloc(`${prefix}.v`),
    lse: alloc(`${prefix}.attn_lse`), attnOut: alloc(`${prefix}.attn_out`),
    oOut: spec.sandwich_norms ? alloc(`${prefix}.o_out`) : undefined,
    postAttnRstd: spec.sandwich_norms ? alloc(`${prefix}.post_attn_rstd`) : undefined,
    mid: alloc(`${prefix}.residual_mid`), ln2: alloc(`${prefix}.ln2`), rstd2: alloc(`${prefix}.rstd2`),
    gate: alloc(`${prefix}.gate`), up: alloc(`${prefix}.up`), act: alloc(`${prefix}.act`),
    downOut: spec.sandwich_norms ? alloc(`${prefix}.down_out`) : undefined,
    postMlpRstd: spec.sandwich_norms ? alloc(`${prefix}.post_mlp_rstd`) : undefined,
    fused: fusedOut,
    loraH: Object.fromEntries(targets.map((t) => [roleOf.get(t)!, alloc(`${prefix}.${t}.lora_h`)])),
  });
  const acts: LayerActs[] = recompute
    ? Array(L).fill(actsFor('recompute'))
    : Array.from({ length: L }, (_, l) => actsFor(`layers.${l}`));
  let scratch: LayerScratch | null = null;
  const getScratch = (): LayerScratch =>
    (scratch ??= {
      dln: alloc('grad.ln'), dq: alloc('grad.q'), dk: alloc('grad.k'), dv: alloc('grad.v'),
      dattn: alloc('grad.attn_out'), dgate: alloc('grad.gate'), dup: alloc('grad.up'), dact: alloc('grad.act'),
      dh: targets.length ? alloc('grad.lora_h') : alloc('grad.ln'),
      xd: targets.length && (loraOpts?.dropout ?? 0) > 0 ? alloc('lora.dropout_x') : undefined,
    });
  // Forward needs the dropout scratch too.
  const fwdScratch = (): LayerScratch | null => (targets.length && (loraOpts?.dropout ?? 0) > 0 ? getScratch() : null);

  const normBufs = (): FinalNormBuffers => ({ normed: alloc('final_norm.out'), rstd: alloc('final_norm.rstd') });
  // Training: the fused, vocabulary-chunked loss; its logits block is the plan's
  // lm_head.logits_chunk [tokens, vocab_chunk].
  const vocabChunk = Math.min(V, opts.vocabChunk ?? 8192);
  let ce: FusedCrossEntropy | null = null;
  let ceMean: GPUBuffer | null = null;
  const loss = () => {
    if (!ce) {
      ce = new FusedCrossEntropy(device, {
        chunks: headW.chunks.map((c) => ({ buffer: c.buffer, rows: c.rows })), hidden: D, dtype: headW.dtype,
        softcap: spec.final_logit_softcapping,
      }, { maxTokens: plan.tokens, chunkRows: vocabChunk });
      ceMean = storageBuffer(device, 8, 'loss.mean');
    }
    return {
      ce, mean: ceMean!, targets: alloc('labels'), weights: alloc('loss.weights'), perToken: alloc('loss.per_token'), lse: alloc('loss.lse'),
    };
  };

  let forwards = 0;
  let last: { prep: PreparedBatch; N: number; head: HeadArgs } | null = null;

  const dimsFor = (N: number, l: number): LayerDims => ({
    N, hidden: D, intermediate: I, heads: nh, kvHeads: nkv, headDim: hd, eps: spec.rms_norm_eps, kind: kinds[l],
  });

  const upload = (prep: PreparedBatch) => {
    if (prep.N > plan.tokens) throw new Error(`decoder: ${prep.B}×${prep.T} tokens exceed the planned ${opts.batch}×${opts.seqLen}`);
    device.queue.writeBuffer(ids, 0, prep.ids);
    device.queue.writeBuffer(io.seqIds, 0, prep.seqIds);
    prep.rope.forEach((t, i) => {
      device.queue.writeBuffer(io.rope[i].cos, 0, t.cos);
      device.queue.writeBuffer(io.rope[i].sin, 0, t.sin);
    });
  };

  const setSeeds = (stepSeed: number) => {
    layerLora.forEach((ll, l) => {
      if (!ll) return;
      for (const t of targets) ll.seeds[roleOf.get(t)!] = mix(stepSeed, l, LORA_TARGETS.indexOf(t));
    });
  };

  const sync = async () => {
    if (opts.syncEachLayer) await device.queue.onSubmittedWorkDone();
  };

  async function runStack(prep: PreparedBatch, dropout: boolean): Promise<number> {
    upload(prep);
    let enc = device.createCommandEncoder({ label: 'embedding' });
    embeddingForward(device, enc, ids, embed, residual[0], prep.N, spec.embed_scale);
    submit(device, enc);
    for (let l = 0; l < L; l++) {
      enc = device.createCommandEncoder({ label: `layer ${l} forward` });
      const ll = layerLora[l];
      const lora = ll && !dropout && ll.p > 0 ? { ...ll, p: 0 } : ll;
      layerForward(device, enc, dimsFor(prep.N, l), layerW[l], lora, io, residual[l], residual[l + 1], acts[l], dropout ? fwdScratch() : null);
      submit(device, enc);
      await sync();
    }
    return prep.N;
  }

  const normW = finalNormWeight(spec, weights);
  const headArgs = (N: number): HeadArgs => ({
    N, D, V, eps: spec.rms_norm_eps, normW, headW, normOffset: spec.norm_unit_offset ? 1 : 0, softcap: spec.final_logit_softcapping,
  });

  return {
    spec,
    plan,
    lora: params,
    loraParam(key) {
      const p = byKey.get(key);
      if (!p) throw new Error(`decoder: no LoRA tensor ${key}`);
      return p;
    },
    writeLora(key, values) {
      const p = this.loraParam(key);
      if (values.length !== p.shape[0] * p.shape[1]) throw new Error(`decoder: ${key} takes ${p.shape[0]}×${p.shape[1]} values`);
      device.queue.writeBuffer(p.param, 0, values);
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
      const head = headArgs(N);
      const nb = normBufs();
      const l = loss();
      device.queue.writeBuffer(l.targets, 0, prep.targets!);
      device.queue.writeBuffer(l.weights, 0, prep.weights!);
      const enc = device.createCommandEncoder({ label: 'final norm + loss' });
      finalNorm(device, enc, head, residual[L], nb);
      l.ce.forward(enc, prep.N, { hidden: nb.normed, targets: l.targets, weights: l.weights, loss: l.perToken, lse: l.lse, mean: l.mean });
      submit(device, enc);
      last = { prep, N, head };
      return (await readF32(device, l.mean, 1))[0];
    },

    async backward(bo = {}) {
      if (!last) throw new Error('decoder.backward needs a forward first');
      const { N, head } = last;
      const s = getScratch();
      const dres = alloc('grad.residual');
      const nb = normBufs();
      const l = loss();
      let enc = device.createCommandEncoder({ label: 'loss + final norm backward' });
      l.ce.backward(enc, N, { hidden: nb.normed, targets: l.targets, weights: l.weights, lse: l.lse, mean: l.mean, dHidden: s.dln }, {
        gradScale: bo.gradScale, divisor: bo.divisor,
      });
      finalNormBackward(device, enc, head, residual[L], nb, s.dln, dres);
      submit(device, enc);
      await sync();
      for (let l = L - 1; l >= 0; l--) {
        if (recompute) {
          enc = device.createCommandEncoder({ label: `layer ${l} recompute` });
          layerForward(device, enc, dimsFor(N, l), layerW[l], layerLora[l], io, residual[l], residual[l + 1], acts[l], fwdScratch());
          submit(device, enc);
          await sync();
        }
        enc = device.createCommandEncoder({ label: `layer ${l} backward` });
        layerBackward(device, enc, dimsFor(N, l), layerW[l], layerLora[l], io, residual[l], acts[l], s, dres, !!bo.accumulate);
        submit(device, enc);
        await sync();
      }
      await device.queue.onSubmittedWorkDone();
    },

    async logits(batch, lo = {}) {
      const prep = prepareBatch(spec, { ...batch, labels: null }, V);
      await runStack(prep, false);
      const head = headArgs(prep.N);
      const nb = normBufs();
      const enc = device.createCommandEncoder({ label: 'final norm' });
      finalNorm(device, enc, head, residual[L], nb);
      submit(device, enc);
      // The plan's logits block when one LM-head weight chunk fits it, else a temporary one.
      const bytes = headLogitsBytes(prep.N, headW);
      const fitsPlan = planned.get('lm_head.logits_chunk')!.bytes >= bytes;
      const block = fitsPlan ? alloc('lm_head.logits_chunk') : storageBuffer(device, bytes, 'lm_head.logits (temporary)');
      const all = await headLogits(device, head, nb.normed, block);
      if (!fitsPlan) block.destroy();
      if (!lo.last) return all;
      const out = new Float32Array(prep.B * V);
      for (let b = 0; b < prep.B; b++) out.set(all.subarray(((b + 1) * prep.T - 1) * V, (b + 1) * prep.T * V), b * V);
      return out;
    },

    allocated() {
      const out = [...owned.keys()].map((name) => {
        const p = planned.get(name)!;
        return { name, category: p.category, bytes: p.bytes, planned: true };
      });
      if (ce && !owned.has('lm_head.logits_chunk')) {
        const block = planned.get('lm_head.logits_chunk')!;
        out.push({ name: block.name, category: block.category, bytes: block.bytes, planned: true });
      }
      if (ce) {
        const block = planned.get('lm_head.logits_chunk')!;
        out.push({ name: 'loss running stats + mean', category: 'scratch', bytes: ce.scratchBytes - block.bytes + 8, planned: false });
      }
      return out;
    },

    destroy() {
      for (const b of owned.values()) b.destroy();
      owned.clear();
      ce?.destroy();
      ceMean?.destroy();
      ce = null;
      last = null;
    },
  };
}

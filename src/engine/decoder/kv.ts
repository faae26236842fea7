// Inference with a KV cache: prefill runs the prompt through the full-sequence layer forward
// (flash attention) and keeps each layer's rotated k and v in a cache [maxT, nKv, hd]; each
// following token runs the stack on one row and attends its query against the cache
// (attention/decode.ts). LoRA is applied unmerged from a training decoder's A/B buffers, so the
// same weights serve base (lora off) and tuned runs.
import type { ModelSpec } from '../../model/types.ts';
import { attentionDecode, decodeScoresBytes } from '../attention/decode.ts';
import { linearForward, loraForward, rmsnormForward, ropeForward, swigluForward } from '../kernels/index.ts';
import { embeddingForward } from '../kernels/embedding.ts';
import type { LoraTarget } from '../plan/plan.ts';
import { storageBuffer, submit } from '../runtime/index.ts';
import { buf, type Tensor } from '../tensor/tensor.ts';
import { prepareBatch } from './batch.ts';
import { windowError, type LoraParam } from './decoder.ts';
import { finalNorm, headLogits, headLogitsBytes, type HeadArgs } from './head.ts';
import { layerForward, type LayerActs, type LayerDims, type LayerLora, type LayerWeights, type LoraModule } from './layer.ts';
import { headWeight, need, type DecoderWeights } from './weights.ts';

export interface KvLora {
  /** A training decoder's LoRA tensors (Decoder.lora). */
  params: readonly LoraParam[];
  r: number;
  /** alpha / r, or alpha / √r for rsLoRA. */
  scale: number;
}

export interface KvDecoderOptions {
  /** Cache capacity: prompt plus generated tokens. */
  maxT: number;
  lora?: KvLora | null;
}

export interface KvDecoder {
  readonly maxT: number;
  /** Positions in the cache. */
  readonly length: number;
  /** Resets the cache, runs the prompt, returns the last position's logits [V]. */
  prefill(ids: readonly number[], opts?: { lora?: boolean }): Promise<Float32Array>;
  /** Appends one token, returns the logits [V] of the position after it. */
  step(id: number): Promise<Float32Array>;
  destroy(): void;
}

export function layerWeights(spec: ModelSpec, weights: DecoderWeights, l: number): LayerWeights {
  const p = `model.layers.${l}`;
  const f32 = (name: string) => buf(need(weights, name, true));
  const opt = (name: string) => (weights.has(name) ? f32(name) : undefined);
  return {
    q: need(weights, `${p}.self_attn.q_proj.weight`), k: need(weights, `${p}.self_attn.k_proj.weight`),
    v: need(weights, `${p}.self_attn.v_proj.weight`), o: need(weights, `${p}.self_attn.o_proj.weight`),
    gate: need(weights, `${p}.mlp.gate_proj.weight`), up: need(weights, `${p}.mlp.up_proj.weight`),
    down: need(weights, `${p}.mlp.down_proj.weight`),
    ln1: f32(`${p}.input_layernorm.weight`), ln2: f32(`${p}.post_attention_layernorm.weight`),
    qBias: spec.attention_bias ? f32(`${p}.self_attn.q_proj.bias`) : undefined,
    kBias: spec.attention_bias ? f32(`${p}.self_attn.k_proj.bias`) : undefined,
    vBias: spec.attention_bias ? f32(`${p}.self_attn.v_proj.bias`) : undefined,
    oBias: spec.o_proj_bias ? opt(`${p}.self_attn.o_proj.bias`) : undefined,
    qNorm: spec.qk_norm ? f32(`${p}.self_attn.q_norm.weight`) : undefined,
    kNorm: spec.qk_norm ? f32(`${p}.self_attn.k_norm.weight`) : undefined,
  };
}

export function createKvDecoder(device: GPUDevice, spec: ModelSpec, weights: DecoderWeights, opts: KvDecoderOptions): KvDecoder {
  if (spec.sliding_window !== null && opts.maxT > spec.sliding_window) throw new Error(windowError(opts.maxT, spec.sliding_window));
  const { maxT } = opts;
  const L = spec.num_hidden_layers, D = spec.hidden_size, I = spec.intermediate_size, V = spec.vocab_size;
  const hd = spec.head_dim, nh = spec.num_attention_heads, nkv = spec.num_key_value_heads;
  const qw = nh * hd, kw = nkv * hd;
  const embed = need(weights, 'model.embed_tokens.weight');
  const headW: Tensor = headWeight(spec, weights);
  const layerW = Array.from({ length: L }, (_, l) => layerWeights(spec, weights, l));

  const owned: GPUBuffer[] = [];
  const mk = (floats: number, label: string) => {
    const b = storageBuffer(device, Math.max(16, floats * 4), label);
    owned.push(b);
    return b;
  };
  const cacheK = Array.from({ length: L }, (_, l) => mk(maxT * kw, `kv.${l}.k`));
  const cacheV = Array.from({ length: L }, (_, l) => mk(maxT * kw, `kv.${l}.v`));

  // LoRA modules over the training decoder's buffers.
  const targets = [...new Set((opts.lora?.params ?? []).map((p) => p.target))] as LoraTarget[];
  const loraR = opts.lora?.r ?? 0;
  const layerLora: (LayerLora | null)[] = Array.from({ length: L }, (_, l) => {
    if (!opts.lora || !targets.length) return null;
    const modules: Partial<Record<LoraTarget, LoraModule>> = {};
    for (const t of targets) {
      const a = opts.lora.params.find((p) => p.layer === l && p.target === t && p.which === 'A')!;
      const b = opts.lora.params.find((p) => p.layer === l && p.target === t && p.which === 'B')!;
      modules[t] = { a: a.param, b: b.param, dA: a.grad, dB: b.grad, inF: a.shape[1], outF: b.shape[0] };
    }
    return { r: loraR, scale: opts.lora.scale, p: 0, seeds: {}, modules };
  });

  // One activation set for up to maxT rows, shared by the layers (no backward).
  const acts: LayerActs = {
    ln1: mk(maxT * D, 'kv.ln1'), rstd1: mk(maxT, 'kv.rstd1'),
    qPre: spec.qk_norm ? mk(maxT * qw, 'kv.q_pre') : undefined, kPre: spec.qk_norm ? mk(maxT * kw, 'kv.k_pre') : undefined,
    qRstd: spec.qk_norm ? mk(maxT * nh, 'kv.q_rstd') : undefined, kRstd: spec.qk_norm ? mk(maxT * nkv, 'kv.k_rstd') : undefined,
    q: mk(maxT * qw, 'kv.q'), k: mk(maxT * kw, 'kv.k'), v: mk(maxT * kw, 'kv.v'),
    lse: mk(maxT * nh, 'kv.lse'), attnOut: mk(maxT * qw, 'kv.attn_out'), mid: mk(maxT * D, 'kv.mid'),
    ln2: mk(maxT * D, 'kv.ln2'), rstd2: mk(maxT, 'kv.rstd2'),
    gate: mk(maxT * I, 'kv.gate'), up: mk(maxT * I, 'kv.up'), act: mk(maxT * I, 'kv.act'),
    loraH: Object.fromEntries(targets.map((t) => [t, mk(maxT * Math.max(1, loraR), `kv.${t}.lora_h`)])),
  };
  const x = [mk(maxT * D, 'kv.residual.0'), mk(maxT * D, 'kv.residual.1')];
  const ids = mk(maxT, 'kv.input_ids');
  const seqIds = mk(maxT, 'kv.seq_ids');
  const cos = mk(maxT * hd, 'kv.rope.cos');
  const sin = mk(maxT * hd, 'kv.rope.sin');
  const scores = mk(decodeScoresBytes({ nHeads: nh, maxT }) / 4, 'kv.scores');
  const lastRow = mk(D, 'kv.last');
  const normed = mk(D, 'kv.normed');
  const rstd = mk(1, 'kv.final_rstd');
  const block = mk(headLogitsBytes(1, headW) / 4, 'kv.logits');
  const head: HeadArgs = { N: 1, D, V, eps: spec.rms_norm_eps, normW: buf(need(weights, 'model.norm.weight', true)), headW };
  const dims = (N: number): LayerDims => ({ N, hidden: D, intermediate: I, heads: nh, kvHeads: nkv, headDim: hd, eps: spec.rms_norm_eps });

  let length = 0;
  let useLora = true;

  const upload = (tokens: readonly number[], start: number) => {
    const prep = prepareBatch(spec, { input_ids: [tokens], position_ids: [tokens.map((_, i) => start + i)] });
    device.queue.writeBuffer(ids, 0, prep.ids);
    device.queue.writeBuffer(seqIds, 0, prep.seqIds);
    device.queue.writeBuffer(cos, 0, prep.cos);
    device.queue.writeBuffer(sin, 0, prep.sin);
    return prep.N;
  };

  async function logitsOf(out: GPUBuffer, row: number): Promise<Float32Array> {
    const enc = device.createCommandEncoder({ label: 'kv final norm' });
    enc.copyBufferToBuffer(out, row * D * 4, lastRow, 0, D * 4);
    finalNorm(device, enc, head, lastRow, { normed, rstd });
    submit(device, enc);
    return headLogits(device, head, normed, block);
  }

  function proj(enc: GPUCommandEncoder, lora: LayerLora | null, t: LoraTarget, w: Tensor, xin: GPUBuffer, y: GPUBuffer, o: { bias?: GPUBuffer; accumulate?: boolean } = {}) {
    linearForward(device, enc, xin, w, y, 1, o);
    const m = lora?.modules[t];
    if (!lora || !m) return;
    loraForward(device, enc, { x: xin, a: m.a, b: m.b, y, h: acts.loraH[t]!, T: 1, inF: m.inF, outF: m.outF, r: lora.r, scale: lora.scale });
  }

  /** layerForward for one row, with the cache in place of full attention. */
  function decodeLayer(enc: GPUCommandEncoder, l: number, xin: GPUBuffer, out: GPUBuffer, pos: number) {
    const w = layerW[l], a = acts, eps = spec.rms_norm_eps;
    const lora = useLora ? layerLora[l] : null;
    rmsnormForward(device, enc, { x: xin, w: w.ln1, y: a.ln1, rstd: a.rstd1, rows: 1, cols: D, eps });
    const qk = !!w.qNorm;
    proj(enc, lora, 'q_proj', w.q, a.ln1, qk ? a.qPre! : a.q, { bias: w.qBias });
    proj(enc, lora, 'k_proj', w.k, a.ln1, qk ? a.kPre! : a.k, { bias: w.kBias });
    proj(enc, lora, 'v_proj', w.v, a.ln1, a.v, { bias: w.vBias });
    if (qk) {
      rmsnormForward(device, enc, { x: a.qPre!, w: w.qNorm!, y: a.q, rstd: a.qRstd!, rows: nh, cols: hd, eps });
      rmsnormForward(device, enc, { x: a.kPre!, w: w.kNorm!, y: a.k, rstd: a.kRstd!, rows: nkv, cols: hd, eps });
    }
    ropeForward(device, enc, { x: a.q, cos, sin, T: 1, heads: nh, headDim: hd });
    ropeForward(device, enc, { x: a.k, cos, sin, T: 1, heads: nkv, headDim: hd });
    enc.copyBufferToBuffer(a.k, 0, cacheK[l], pos * kw * 4, kw * 4);
    enc.copyBufferToBuffer(a.v, 0, cacheV[l], pos * kw * 4, kw * 4);
    attentionDecode(device, enc, { T: pos + 1, maxT, nHeads: nh, nKvHeads: nkv, headDim: hd }, {
      q: a.q, k: cacheK[l], v: cacheV[l], scores, out: a.attnOut,
    });
    enc.copyBufferToBuffer(xin, 0, a.mid, 0, D * 4);
    proj(enc, lora, 'o_proj', w.o, a.attnOut, a.mid, { bias: w.oBias, accumulate: true });
    rmsnormForward(device, enc, { x: a.mid, w: w.ln2, y: a.ln2, rstd: a.rstd2, rows: 1, cols: D, eps });
    proj(enc, lora, 'gate_proj', w.gate, a.ln2, a.gate);
    proj(enc, lora, 'up_proj', w.up, a.ln2, a.up);
    swigluForward(device, enc, a.gate, a.up, a.act, I);
    enc.copyBufferToBuffer(a.mid, 0, out, 0, D * 4);
    proj(enc, lora, 'down_proj', w.down, a.act, out, { accumulate: true });
  }

  return {
    maxT,
    get length() { return length; },

    async prefill(tokens, po = {}) {
      if (tokens.length < 1 || tokens.length > maxT) throw new Error(`kv decoder: prompt of ${tokens.length} tokens, capacity ${maxT}`);
      useLora = po.lora ?? true;
      const N = upload(tokens, 0);
      let enc = device.createCommandEncoder({ label: 'kv embedding' });
      embeddingForward(device, enc, ids, embed, x[0], N);
      submit(device, enc);
      for (let l = 0; l < L; l++) {
        enc = device.createCommandEncoder({ label: `kv prefill layer ${l}` });
        layerForward(device, enc, dims(N), layerW[l], useLora ? layerLora[l] : null, { seqIds, cos, sin }, x[l % 2], x[(l + 1) % 2], acts, null);
        enc.copyBufferToBuffer(acts.k, 0, cacheK[l], 0, N * kw * 4);
        enc.copyBufferToBuffer(acts.v, 0, cacheV[l], 0, N * kw * 4);
        submit(device, enc);
      }
      length = N;
      return logitsOf(x[L % 2], N - 1);
    },

    async step(id) {
      if (length === 0) throw new Error('kv decoder: prefill first');
      if (length >= maxT) throw new Error(`kv decoder: the cache is full (${maxT} positions)`);
      upload([id], length);
      let enc = device.createCommandEncoder({ label: 'kv embedding' });
      embeddingForward(device, enc, ids, embed, x[0], 1);
      submit(device, enc);
      for (let l = 0; l < L; l++) {
        enc = device.createCommandEncoder({ label: `kv decode layer ${l}` });
        decodeLayer(enc, l, x[l % 2], x[(l + 1) % 2], length);
        submit(device, enc);
      }
      length++;
      return logitsOf(x[L % 2], 0);
    },

    destroy() {
      for (const b of owned) b.destroy();
    },
  };
}

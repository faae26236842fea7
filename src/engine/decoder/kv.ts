// Inference with a KV cache: prefill runs the prompt through the full-sequence layer forward
// (flash attention) and keeps each layer's rotated k and v in a cache [maxT, nKv, hd]; each
// following token runs the stack on one row and attends its query against the cache
// (attention/decode.ts). LoRA is applied unmerged from a training decoder's A/B buffers, so the
// same weights serve base (lora off) and tuned runs.
import type { ModelSpec } from '../../model/types.ts';
import { layoutOf, type ProjRole } from '../../model/layout.ts';
import { attentionDecode, decodeScoresBytes } from '../attention/decode.ts';
import { embeddingForward } from '../kernels/embedding.ts';
import { storageBuffer, submit } from '../runtime/index.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { prepareBatch } from './batch.ts';
import type { LoraParam } from './decoder.ts';
import { finalNorm, headLogits, headLogitsBytes, type HeadArgs } from './head.ts';
import { layerForward, type LayerActs, type LayerDims, type LayerInputs, type LayerLora, type LoraModule } from './layer.ts';
import { embedWeight, finalNormWeight, headWeight, layerKind, layerWeights, type DecoderWeights } from './weights.ts';

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

export function createKvDecoder(device: GPUDevice, spec: ModelSpec, weights: DecoderWeights, opts: KvDecoderOptions): KvDecoder {
  const { maxT } = opts;
  const L = spec.num_hidden_layers, D = spec.hidden_size, I = spec.intermediate_size, V = spec.vocab_size;
  const hd = spec.head_dim, nh = spec.num_attention_heads, nkv = spec.num_key_value_heads;
  const qw = nh * hd, kw = nkv * hd;
  const embed = embedWeight(spec, weights);
  const headW: Tensor = headWeight(spec, weights);
  const layerW = Array.from({ length: L }, (_, l) => layerWeights(spec, weights, l));
  const kinds = Array.from({ length: L }, (_, l) => layerKind(spec, l));

  const owned: GPUBuffer[] = [];
  const mk = (floats: number, label: string) => {
    const b = storageBuffer(device, Math.max(16, floats * 4), label);
    owned.push(b);
    return b;
  };
  const cacheK = Array.from({ length: L }, (_, l) => mk(maxT * kw, `kv.${l}.k`));
  const cacheV = Array.from({ length: L }, (_, l) => mk(maxT * kw, `kv.${l}.v`));

  // LoRA modules over the training decoder's buffers.
  const targets = [...new Set((opts.lora?.params ?? []).map((p) => p.target))];
  const roles = targets.map((t) => layoutOf(spec.arch, t).role);
  const loraR = opts.lora?.r ?? 0;
  const layerLora: (LayerLora | null)[] = Array.from({ length: L }, (_, l) => {
    if (!opts.lora || !targets.length) return null;
    const modules: Partial<Record<ProjRole, LoraModule>> = {};
    targets.forEach((t, i) => {
      const a = opts.lora!.params.find((p) => p.layer === l && p.target === t && p.which === 'A')!;
      const b = opts.lora!.params.find((p) => p.layer === l && p.target === t && p.which === 'B')!;
      modules[roles[i]] = { a: a.param, b: b.param, dA: a.grad, dB: b.grad, inF: a.shape[1], outF: b.shape[0] };
    });
    return { r: loraR, scale: opts.lora.scale, p: 0, seeds: {}, modules };
  });

  // One activation set for up to maxT rows, shared by the layers (no backward).
  const fusedW = Math.max(spec.arch === 'phi3' || spec.arch === 'internlm2' ? qw + 2 * kw : 0, spec.arch === 'phi3' ? 2 * I : 0);
  const sandwich = spec.sandwich_norms;
  const acts: LayerActs = {
    ln1: mk(maxT * D, 'kv.ln1'), rstd1: mk(maxT, 'kv.rstd1'),
    qPre: spec.qk_norm ? mk(maxT * qw, 'kv.q_pre') : undefined, kPre: spec.qk_norm ? mk(maxT * kw, 'kv.k_pre') : undefined,
    qRstd: spec.qk_norm ? mk(maxT * nh, 'kv.q_rstd') : undefined, kRstd: spec.qk_norm ? mk(maxT * nkv, 'kv.k_rstd') : undefined,
    q: mk(maxT * qw, 'kv.q'), k: mk(maxT * kw, 'kv.k'), v: mk(maxT * kw, 'kv.v'),
    lse: mk(maxT * nh, 'kv.lse'), attnOut: mk(maxT * qw, 'kv.attn_out'),
    oOut: sandwich ? mk(maxT * D, 'kv.o_out') : undefined, postAttnRstd: sandwich ? mk(maxT, 'kv.post_attn_rstd') : undefined,
    mid: mk(maxT * D, 'kv.mid'), ln2: mk(maxT * D, 'kv.ln2'), rstd2: mk(maxT, 'kv.rstd2'),
    gate: mk(maxT * I, 'kv.gate'), up: mk(maxT * I, 'kv.up'), act: mk(maxT * I, 'kv.act'),
    downOut: sandwich ? mk(maxT * D, 'kv.down_out') : undefined, postMlpRstd: sandwich ? mk(maxT, 'kv.post_mlp_rstd') : undefined,
    fused: fusedW ? mk(maxT * fusedW, 'kv.fused') : undefined,
    loraH: Object.fromEntries(roles.map((r) => [r, mk(maxT * Math.max(1, loraR), `kv.${r}.lora_h`)])),
  };
  const x = [mk(maxT * D, 'kv.residual.0'), mk(maxT * D, 'kv.residual.1')];
  const ids = mk(maxT, 'kv.input_ids');
  const io: LayerInputs = {
    seqIds: mk(maxT, 'kv.seq_ids'),
    rope: Array.from({ length: spec.rope_local_theta !== null ? 2 : 1 }, (_, i) => ({
      cos: mk((maxT * spec.rotary_dim) / 2, `kv.rope${i}.cos`), sin: mk((maxT * spec.rotary_dim) / 2, `kv.rope${i}.sin`),
    })),
  };
  const scores = mk(decodeScoresBytes({ nHeads: nh, maxT }) / 4, 'kv.scores');
  const lastRow = mk(D, 'kv.last');
  const normed = mk(D, 'kv.normed');
  const rstd = mk(1, 'kv.final_rstd');
  const block = mk(headLogitsBytes(1, headW) / 4, 'kv.logits');
  const head: HeadArgs = {
    N: 1, D, V, eps: spec.rms_norm_eps, normW: finalNormWeight(spec, weights), headW,
    normOffset: spec.norm_unit_offset ? 1 : 0, softcap: spec.final_logit_softcapping,
  };
  const dims = (N: number, l: number): LayerDims => ({
    N, hidden: D, intermediate: I, heads: nh, kvHeads: nkv, headDim: hd, eps: spec.rms_norm_eps, kind: kinds[l],
  });

  let length = 0;
  let useLora = true;

  const upload = (tokens: readonly number[], start: number) => {
    const prep = prepareBatch(spec, { input_ids: [tokens], position_ids: [tokens.map((_, i) => start + i)] });
    device.queue.writeBuffer(ids, 0, prep.ids);
    device.queue.writeBuffer(io.seqIds, 0, prep.seqIds);
    prep.rope.forEach((t, i) => {
      device.queue.writeBuffer(io.rope[i].cos, 0, t.cos);
      device.queue.writeBuffer(io.rope[i].sin, 0, t.sin);
    });
    return prep.N;
  };

  async function logitsOf(out: GPUBuffer, row: number): Promise<Float32Array> {
    const enc = device.createCommandEncoder({ label: 'kv final norm' });
    enc.copyBufferToBuffer(out, row * D * 4, lastRow, 0, D * 4);
    finalNorm(device, enc, head, lastRow, { normed, rstd });
    submit(device, enc);
    return headLogits(device, head, normed, block);
  }

  /** layerForward for one row, attending against the cache (its new k/v appended first). */
  function decodeLayer(enc: GPUCommandEncoder, l: number, xin: GPUBuffer, out: GPUBuffer, pos: number) {
    const d = dims(1, l);
    layerForward(device, enc, d, layerW[l], useLora ? layerLora[l] : null, io, xin, out, acts, null, (e, a) => {
      e.copyBufferToBuffer(a.k, 0, cacheK[l], pos * kw * 4, kw * 4);
      e.copyBufferToBuffer(a.v, 0, cacheV[l], pos * kw * 4, kw * 4);
      attentionDecode(device, e, {
        T: pos + 1, maxT, nHeads: nh, nKvHeads: nkv, headDim: hd, scale: d.kind.attnScale, softcap: d.kind.softcap, window: d.kind.window,
      }, { q: a.q, k: cacheK[l], v: cacheV[l], scores, out: a.attnOut });
    });
  }
  return {
    maxT,
    get length() { return length; },

    async prefill(tokens, po = {}) {
      if (tokens.length < 1 || tokens.length > maxT) throw new Error(`kv decoder: prompt of ${tokens.length} tokens, capacity ${maxT}`);
      useLora = po.lora ?? true;
      const N = upload(tokens, 0);
      let enc = device.createCommandEncoder({ label: 'kv embedding' });
      embeddingForward(device, enc, ids, embed, x[0], N, spec.embed_scale);
      submit(device, enc);
      for (let l = 0; l < L; l++) {
        enc = device.createCommandEncoder({ label: `kv prefill layer ${l}` });
        layerForward(device, enc, dims(N, l), layerW[l], useLora ? layerLora[l] : null, io, x[l % 2], x[(l + 1) % 2], acts, null);
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
      embeddingForward(device, enc, ids, embed, x[0], 1, spec.embed_scale);
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

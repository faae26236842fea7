// Inference with a KV cache, on the same stack walk as training (stack.ts → layerForward), with
// its buffers from its own memory plan (planDecoding): prefill runs the prompt through the layers
// with flash attention and keeps each layer's rotated k and v in the cache [maxT, nKv·hd]; each
// following token runs the stack on one row and attends its query against the cache
// (attention/decode.ts). LoRA is applied unmerged (its A/B in the decoder's own buffers), so the
// same weights serve base (lora off) and tuned runs.
import type { ModelSpec } from '../../model/types.ts';
import { attentionDecode } from '../attention/decode.ts';
import { PlanBuffers } from '../plan/allocate.ts';
import { modelShape, planDecoding, type DecodePlan } from '../plan/plan.ts';
import type { TargetModule } from '../../model/layout.ts';
import { submit, writeF32 } from '../runtime/index.ts';
import { prepareBatch } from './batch.ts';
import { finalNorm, headLogits } from './head.ts';
import { flashAttention, type Attend } from './layer.ts';
import { decoderLora, loraScale, type LoraWeight } from './lora.ts';
import { stackOf, uploadInputs, walkStack } from './stack.ts';
import type { DecoderWeights } from './weights.ts';

export interface KvLoraOptions {
  r: number;
  /** lora_alpha */
  alpha: number;
  /** use_rslora: scale alpha/√r instead of alpha/r. */
  rslora?: boolean;
  targets: readonly TargetModule[];
}

export interface KvDecoderOptions {
  /** Cache capacity: prompt plus generated tokens. */
  maxT: number;
  /** LoRA modules (zero until written with writeLora). */
  lora?: KvLoraOptions | null;
}

export interface KvDecoder {
  readonly maxT: number;
  readonly plan: DecodePlan;
  /** Positions in the cache. */
  readonly length: number;
  /** Every LoRA tensor, by PEFT key, in layer, target, A-then-B order. */
  readonly lora: readonly LoraWeight[];
  writeLora(key: string, values: Float32Array): void;
  /** Resets the cache, runs the prompt, returns the last position's logits [V]. */
  prefill(ids: readonly number[], opts?: { lora?: boolean }): Promise<Float32Array>;
  /** Appends one token, returns the logits [V] of the position after it. */
  step(id: number): Promise<Float32Array>;
  destroy(): void;
}

export function createKvDecoder(
  device: GPUDevice,
  spec: ModelSpec,
  weights: DecoderWeights,
  opts: KvDecoderOptions,
): KvDecoder {
  const { maxT } = opts;
  const L = spec.num_hidden_layers,
    D = spec.hidden_size;
  const nh = spec.num_attention_heads,
    nkv = spec.num_key_value_heads,
    hd = spec.head_dim;
  const kvBytes = nkv * hd * 4;
  const stack = stackOf(spec, weights);
  const lo = opts.lora ?? null;
  const plan = planDecoding(modelShape(spec, stack.embed.dtype), {
    max_tokens: maxT,
    lora: { r: lo?.r ?? 0, targets: lo ? [...new Set(lo.targets)] : [] },
  });
  const t = plan.tensors;
  const bufs = new PlanBuffers(device);
  const lora = decoderLora(spec, bufs, t.lora, { r: lo?.r ?? 0, scale: lo ? loraScale(lo) : 0, dropout: 0 });
  const byKey = new Map(lora.params.map((p) => [p.key, p]));
  const io = bufs.of(t.inputs);
  const residual = bufs.of(t.residual);
  const acts = bufs.of(t.layer);
  const cache = bufs.of(t.cache);
  const scores = bufs.get(t.scores);
  const lastRow = bufs.get(t.last);
  const normed = bufs.of(t.final_norm);
  const block = bufs.get(t.logits);
  const flash = flashAttention(device, io);

  let length = 0;
  let useLora = true;

  /** Flash attention over the prompt, then its rotated k and v into layer l's cache. */
  const prefillAttend =
    (l: number): Attend =>
    (enc, d, a) => {
      flash(enc, d, a);
      enc.copyBufferToBuffer(a.k, 0, cache[l].k, 0, d.N * kvBytes);
      enc.copyBufferToBuffer(a.v, 0, cache[l].v, 0, d.N * kvBytes);
    };
  /** The new row's k and v appended at `pos`, its query attending against the cache. */
  const cachedAttend =
    (l: number, pos: number): Attend =>
    (enc, d, a) => {
      enc.copyBufferToBuffer(a.k, 0, cache[l].k, pos * kvBytes, kvBytes);
      enc.copyBufferToBuffer(a.v, 0, cache[l].v, pos * kvBytes, kvBytes);
      attentionDecode(
        device,
        enc,
        {
          T: pos + 1,
          maxT,
          nHeads: nh,
          nKvHeads: nkv,
          headDim: hd,
          scale: d.kind.attnScale,
          softcap: d.kind.softcap,
          window: d.kind.window,
        },
        { q: a.q, k: cache[l].k, v: cache[l].v, scores, out: a.attnOut },
      );
    };

  async function run(tokens: readonly number[], start: number, attend: (l: number) => Attend): Promise<Float32Array> {
    const prep = prepareBatch(spec, { input_ids: [tokens], position_ids: [tokens.map((_, i) => start + i)] });
    uploadInputs(device, prep, io);
    await walkStack(device, stack, {
      N: prep.N,
      io,
      residual: (l) => residual[l % 2],
      acts: () => acts,
      lora: (l) => (useLora ? lora.layers[l] : null),
      scratch: null,
      attend,
      label: 'kv',
    });
    // The last row's logits.
    const head = stack.head(1);
    const enc = device.createCommandEncoder({ label: 'kv final norm' });
    enc.copyBufferToBuffer(residual[L % 2], (prep.N - 1) * D * 4, lastRow, 0, D * 4);
    finalNorm(device, enc, head, lastRow, normed);
    submit(device, enc);
    return headLogits(device, head, normed.normed, block);
  }

  return {
    maxT,
    plan,
    get length() {
      return length;
    },
    lora: lora.params,
    writeLora(key, values) {
      const p = byKey.get(key);
      if (!p) throw new Error(`kv decoder: no LoRA tensor ${key}`);
      if (values.length !== p.shape[0] * p.shape[1])
        throw new Error(`kv decoder: ${key} takes ${p.shape[0]}×${p.shape[1]} values`);
      writeF32(device, p.param, values);
    },

    async prefill(tokens, po = {}) {
      if (tokens.length < 1 || tokens.length > maxT)
        throw new Error(`kv decoder: prompt of ${tokens.length} tokens, capacity ${maxT}`);
      useLora = po.lora ?? true;
      const logits = await run(tokens, 0, prefillAttend);
      length = tokens.length;
      return logits;
    },

    async step(id) {
      if (length === 0) throw new Error('kv decoder: prefill first');
      if (length >= maxT) throw new Error(`kv decoder: the cache is full (${maxT} positions)`);
      const pos = length;
      const logits = await run([id], pos, (l) => cachedAttend(l, pos));
      length++;
      return logits;
    },

    destroy() {
      bufs.destroy();
    },
  };
}

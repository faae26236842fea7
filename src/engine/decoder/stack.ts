// The one walk through the decoder stack that training, full-sequence inference and KV-cache
// decoding all take: token ids → embedding → layerForward per layer (one submit each, so no
// single submission runs long enough to trip a GPU watchdog) → the residual stream's last
// buffer. The callers differ only in where the activations live and in how each layer attends.
import type { ModelSpec } from '../../model/types.ts';
import { embeddingForward } from '../kernels/embedding.ts';
import { submit } from '../runtime/index.ts';
import type { Tensor } from '../tensor/tensor.ts';
import type { PreparedBatch } from './batch.ts';
import type { HeadArgs } from './head.ts';
import {
  layerForward,
  type Attend,
  type LayerActs,
  type LayerDims,
  type LayerInputs,
  type LayerKind,
  type LayerLora,
  type LayerScratch,
  type LayerWeights,
} from './layer.ts';
import { embedWeight, finalNormWeight, headWeight, layerKind, layerWeights, type DecoderWeights } from './weights.ts';

/** The frozen model a decoder walks: its weights by role and the kind of each layer. */
export interface Stack {
  spec: ModelSpec;
  embed: Tensor;
  layers: LayerWeights[];
  kinds: LayerKind[];
  /** The dims layer l runs at with N tokens. */
  dims(N: number, l: number): LayerDims;
  /** The final norm and LM head over N rows. */
  head(N: number): HeadArgs;
}

export function stackOf(spec: ModelSpec, weights: DecoderWeights): Stack {
  const L = spec.num_hidden_layers;
  const layers = Array.from({ length: L }, (_, l) => layerWeights(spec, weights, l));
  const kinds = Array.from({ length: L }, (_, l) => layerKind(spec, l));
  const normW = finalNormWeight(spec, weights);
  const headW = headWeight(spec, weights);
  return {
    spec,
    embed: embedWeight(spec, weights),
    layers,
    kinds,
    dims: (N, l) => ({
      N,
      hidden: spec.hidden_size,
      intermediate: spec.intermediate_size,
      heads: spec.num_attention_heads,
      kvHeads: spec.num_key_value_heads,
      headDim: spec.head_dim,
      eps: spec.rms_norm_eps,
      kind: kinds[l],
    }),
    head: (N) => ({
      N,
      D: spec.hidden_size,
      V: spec.vocab_size,
      eps: spec.rms_norm_eps,
      normW,
      headW,
      normOffset: spec.norm_unit_offset ? 1 : 0,
      softcap: spec.final_logit_softcapping,
    }),
  };
}

/** Writes a prepared batch's ids, sequence ids and RoPE tables into the step inputs. */
export function uploadInputs(device: GPUDevice, prep: PreparedBatch, io: LayerInputs): void {
  device.queue.writeBuffer(io.input_ids, 0, prep.ids);
  device.queue.writeBuffer(io.seq_ids, 0, prep.seqIds);
  prep.rope.forEach((t, i) => {
    device.queue.writeBuffer(io.rope[i].cos, 0, t.cos);
    device.queue.writeBuffer(io.rope[i].sin, 0, t.sin);
  });
}

export interface Walk {
  /** Tokens this step. */
  N: number;
  io: LayerInputs;
  /** The residual buffer entering layer l; residual(L) receives the stack's output. */
  residual(l: number): GPUBuffer;
  acts(l: number): LayerActs;
  lora(l: number): LayerLora | null;
  /** Dropout scratch (training), or null. */
  scratch: LayerScratch | null;
  attend(l: number): Attend;
  /** Command-encoder label prefix. */
  label: string;
  /** Awaited after each layer's submit (training's syncEachLayer). */
  sync?: () => Promise<void>;
}

/** Runs the stack over the uploaded inputs; the output is in w.residual(L). */
export async function walkStack(device: GPUDevice, s: Stack, w: Walk): Promise<void> {
  let enc = device.createCommandEncoder({ label: `${w.label} embedding` });
  embeddingForward(device, enc, w.io.input_ids, s.embed, w.residual(0), w.N, s.spec.embed_scale);
  submit(device, enc);
  for (let l = 0; l < s.layers.length; l++) {
    enc = device.createCommandEncoder({ label: `${w.label} layer ${l}` });
    layerForward(
      device,
      enc,
      s.dims(w.N, l),
      s.layers[l],
      w.lora(l),
      w.io,
      w.residual(l),
      w.residual(l + 1),
      w.acts(l),
      w.scratch,
      w.attend(l),
    );
    submit(device, enc);
    await w.sync?.();
  }
}

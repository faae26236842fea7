// One step's inputs, flattened the way the kernels take them: B rows of T tokens become
// N = B·T tokens. Packed rows carry position ids that restart per sequence and sequence ids;
// attention needs each (row, sequence) as one contiguous run with its own id, so ids are
// renumbered run by run across the whole batch.
import { ropeFrequencies, ropeTables, type RopeParams } from '../kernels/rope.ts';
import { shiftLabels, shiftWeights } from '../loss/targets.ts';
import type { ModelSpec } from '../../model/types.ts';

/** Hugging Face names; each is [B][T]. position_ids default to 0..T-1, seq_ids to one per row. */
export interface DecoderBatch {
  input_ids: ArrayLike<number>[];
  position_ids?: ArrayLike<number>[] | null;
  seq_ids?: ArrayLike<number>[] | null;
  /**
   * Unshifted (HF): the loss compares logits[t] with labels[t + 1]; -100 is ignored, and so is
   * the last token of each row and of each packed sequence (no prediction across a boundary;
   * HF's DataCollatorWithFlattening gets the same by putting -100 at each sequence start).
   */
  labels?: ArrayLike<number>[] | null;
  /**
   * ms-swift's loss_scale: a weight per token, unshifted like labels (the weight of predicting
   * token t is loss_scale[t]); finite and ≥ 0. Absent: 1 for every trained token.
   */
  loss_scale?: ArrayLike<number>[] | null;
}

/**
 * The distinct RoPEs of a model, in table order: the global one, and for Gemma 3 the local one
 * of its sliding-window layers (rope_local_base_freq, never scaled).
 */
export function ropeKinds(spec: ModelSpec): RopeParams[] {
  const global: RopeParams = {
    dim: spec.rotary_dim,
    theta: spec.rope_theta,
    scaling: spec.rope_scaling,
    maxPositionEmbeddings: spec.max_position_embeddings,
  };
  if (spec.rope_local_theta === null) return [global];
  return [global, { ...global, theta: spec.rope_local_theta, scaling: null }];
}

/** The RoPE table a layer uses (index into ropeKinds), or null for a layer without RoPE (SmolLM3's NoPE layers). */
export function layerRope(spec: ModelSpec, l: number): number | null {
  if (spec.no_rope_layers && spec.no_rope_layers[l] === 0) return null;
  if (spec.rope_local_theta !== null && spec.layer_types[l] === 'sliding_attention') return 1;
  return 0;
}

export interface RopeTable {
  /** [N, rotary_dim / 2] */
  cos: Float32Array;
  sin: Float32Array;
}

export interface PreparedBatch {
  B: number;
  T: number;
  /** B·T. */
  N: number;
  ids: Uint32Array;
  /** Run ids: a new id wherever the row or the sequence id changes. */
  seqIds: Int32Array;
  /** One table per ropeKinds entry. */
  rope: RopeTable[];
  /** targets[b·T + t] = labels[b][t + 1], -100 at row and sequence ends; null without labels. */
  targets: Int32Array | null;
  /** weights[b·T + t]: the loss weight of targets[b·T + t] (0 where ignored); null without labels. */
  weights: Float32Array | null;
  /** Tokens that count in the loss (the divisor: ms-swift divides by this count, not by Σ weights). */
  kept: number;
}

export function prepareBatch(spec: ModelSpec, batch: DecoderBatch, vocab = spec.vocab_size): PreparedBatch {
  const B = batch.input_ids.length;
  if (B === 0) throw new Error('decoder: empty batch');
  const T = batch.input_ids[0].length;
  const N = B * T;
  const ids = new Uint32Array(N);
  const pos = new Float64Array(N);
  const seqIds = new Int32Array(N);
  let run = -1;
  for (let b = 0; b < B; b++) {
    const row = batch.input_ids[b];
    if (row.length !== T) throw new Error(`decoder: row ${b} has ${row.length} tokens, row 0 has ${T}`);
    for (let t = 0; t < T; t++) {
      const id = row[t];
      if (!(id >= 0 && id < vocab) || !Number.isInteger(id))
        throw new Error(`decoder: input id ${id} outside the vocabulary (${vocab})`);
      ids[b * T + t] = id;
      pos[b * T + t] = batch.position_ids ? batch.position_ids[b][t] : t;
      const s = batch.seq_ids ? batch.seq_ids[b][t] : 0;
      if (t === 0 || (batch.seq_ids && s !== batch.seq_ids[b][t - 1])) run++;
      seqIds[b * T + t] = run;
    }
  }
  // transformers derives LongRoPE's factors (and dynamic NTK's base) from max(position_ids) + 1.
  let maxPos = 0;
  for (const p of pos) maxPos = Math.max(maxPos, p);
  const rope = ropeKinds(spec).map((k) => {
    const f = ropeFrequencies(k, maxPos);
    return ropeTables(pos, f.invFreq, f.attentionScaling);
  });
  let targets: Int32Array | null = null;
  let weights: Float32Array | null = null;
  let kept = 0;
  if (batch.labels) {
    const flat = new Int32Array(N);
    for (let b = 0; b < B; b++) {
      const row = batch.labels[b];
      if (row.length !== T) throw new Error(`decoder: labels row ${b} has ${row.length} entries, expected ${T}`);
      for (let t = 0; t < T; t++) {
        const y = row[t];
        if (y !== -100 && !(y >= 0 && y < vocab && Number.isInteger(y)))
          throw new Error(`decoder: label ${y} outside the vocabulary (${vocab})`);
        flat[b * T + t] = y;
      }
    }
    targets = shiftLabels(flat, seqIds);
    for (const y of targets) if (y >= 0) kept++;
    let scale: Float32Array | null = null;
    if (batch.loss_scale) {
      scale = new Float32Array(N);
      for (let b = 0; b < B; b++) {
        const row = batch.loss_scale[b];
        if (row.length !== T) throw new Error(`decoder: loss_scale row ${b} has ${row.length} entries, expected ${T}`);
        for (let t = 0; t < T; t++) {
          const w = row[t];
          if (!(Number.isFinite(w) && w >= 0))
            throw new Error(`decoder: loss_scale ${w} at row ${b}, token ${t}: weights must be finite and ≥ 0`);
          scale[b * T + t] = w;
        }
      }
    }
    weights = shiftWeights(targets, scale);
  }
  return { B, T, N, ids, seqIds, rope, targets, weights, kept };
}

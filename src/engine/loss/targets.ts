// Who shifts: the caller. The loss kernels take targets aligned with positions, so the
// prediction made at position t is scored against targets[t] = labels[t + 1] (HF's causal-LM
// loss shifts inside the model; we do it once, here, on the CPU).

export const IGNORE_INDEX = -100;

/**
 * targets[t] = labels[t + 1]; the last position, and the last token of each packed sequence
 * (where seqIds[t + 1] !== seqIds[t]), get IGNORE_INDEX so no token predicts across a boundary.
 */
export function shiftLabels(labels: ArrayLike<number>, seqIds?: ArrayLike<number>): Int32Array {
  const T = labels.length;
  if (seqIds && seqIds.length !== T) throw new Error(`shiftLabels: ${seqIds.length} sequence ids for ${T} labels`);
  const out = new Int32Array(T).fill(IGNORE_INDEX);
  for (let t = 0; t + 1 < T; t++) {
    if (seqIds && seqIds[t + 1] !== seqIds[t]) continue;
    out[t] = labels[t + 1];
  }
  return out;
}

/**
 * The loss weight of each prediction, aligned with shiftLabels' targets: weights[t] =
 * lossScale[t + 1] where targets[t] ≥ 0 (1 without a lossScale), else 0. ms-swift rolls
 * loss_scale by −1 the same way it rolls labels (swift/trainers/seq2seq_trainer.py, compute_loss).
 */
export function shiftWeights(targets: ArrayLike<number>, lossScale?: ArrayLike<number> | null): Float32Array {
  const T = targets.length;
  if (lossScale && lossScale.length !== T)
    throw new Error(`shiftWeights: ${lossScale.length} loss_scale values for ${T} labels`);
  const out = new Float32Array(T);
  for (let t = 0; t < T; t++) if (targets[t] >= 0) out[t] = lossScale ? lossScale[t + 1] : 1;
  return out;
}

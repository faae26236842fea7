// Float64 reference of LM head → cross entropy: the full [T, V] logits, a plain log-sum-exp,
// HF's mean over tokens whose target is not ignored, and the analytic gradient of that mean
// with respect to the hidden states. Independent of the chunked GPU algorithm. With `softcap`
// the loss sees Gemma's capped logits cap·tanh(z/cap) (derivative 1 − tanh²).
type Num = ArrayLike<number>;

export interface CrossEntropyRef {
  loss: Float64Array;
  lse: Float64Array;
  mean: number;
  nValid: number;
  dHidden: Float64Array;
}

/** hidden [T, d], weight [V, d] (already decoded to numbers), targets [T] (negative = ignored). */
export function crossEntropyRef(
  hidden: Num,
  weight: Num,
  targets: Num,
  T: number,
  d: number,
  V: number,
  softcap = 0,
): CrossEntropyRef {
  const loss = new Float64Array(T);
  const capGrads: Float64Array[] = [];
  const lse = new Float64Array(T);
  const dHidden = new Float64Array(T * d);
  const probs: Float64Array[] = [];
  let nValid = 0;
  let sum = 0;
  for (let t = 0; t < T; t++) {
    const z = new Float64Array(V);
    const cg = new Float64Array(V).fill(1);
    let m = -Infinity;
    for (let v = 0; v < V; v++) {
      let acc = 0;
      for (let k = 0; k < d; k++) acc += hidden[t * d + k] * weight[v * d + k];
      if (softcap > 0) {
        const th = Math.tanh(acc / softcap);
        acc = softcap * th;
        cg[v] = 1 - th * th;
      }
      z[v] = acc;
      m = Math.max(m, acc);
    }
    capGrads.push(cg);
    let s = 0;
    for (let v = 0; v < V; v++) s += Math.exp(z[v] - m);
    lse[t] = m + Math.log(s);
    for (let v = 0; v < V; v++) z[v] = Math.exp(z[v] - lse[t]);
    probs.push(z);
    const tgt = targets[t];
    if (tgt >= 0) {
      loss[t] = -Math.log(z[tgt]);
      nValid++;
      sum += loss[t];
    }
  }
  for (let t = 0; t < T; t++) {
    const tgt = targets[t];
    if (tgt < 0) continue;
    for (let v = 0; v < V; v++) {
      const g = ((probs[t][v] - (v === tgt ? 1 : 0)) / nValid) * capGrads[t][v];
      if (g === 0) continue;
      for (let k = 0; k < d; k++) dHidden[t * d + k] += g * weight[v * d + k];
    }
  }
  return { loss, lse, mean: nValid ? sum / nValid : 0, nValid, dHidden };
}

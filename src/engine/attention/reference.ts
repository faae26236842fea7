// Float64 reference of causal GQA attention with sequence ids: the naive O(T²) algorithm,
// written independently of the GPU kernels (full score matrix, explicit softmax), and its
// analytic backward. Layouts as in attention.ts. Optional: a sliding window (j visible from i
// when i − j < window) and Gemma 2's soft cap on the scores, z = cap·tanh(s/cap), whose
// derivative 1 − (z/cap)² the backward applies.
import type { AttentionDims } from './attention.ts';

type Num = ArrayLike<number>;

export interface AttentionRefOut {
  out: Float64Array;
  lse: Float64Array;
}

export interface AttentionRefGrads {
  dq: Float64Array;
  dk: Float64Array;
  dv: Float64Array;
}

function visible(seqIds: Num, i: number, j: number, window = 0): boolean {
  return j <= i && seqIds[j] === seqIds[i] && (window <= 0 || i - j < window);
}

/** Softmax probabilities P[h][i][j] (zeros where masked), lse[i, h], and dz/ds per pair (soft cap). */
function probs(
  d: AttentionDims,
  q: Num,
  k: Num,
  seqIds: Num,
): { P: Float64Array[]; G: Float64Array[]; lse: Float64Array } {
  const { T, nHeads: H, nKvHeads: HKV, headDim: D } = d;
  const scale = d.scale ?? 1 / Math.sqrt(D);
  const group = H / HKV;
  const cap = d.softcap ?? 0;
  const P: Float64Array[] = [];
  const G: Float64Array[] = [];
  const lse = new Float64Array(T * H);
  for (let h = 0; h < H; h++) {
    const kh = Math.floor(h / group);
    const Ph = new Float64Array(T * T);
    const Gh = new Float64Array(T * T);
    for (let i = 0; i < T; i++) {
      let m = -Infinity;
      const s = new Float64Array(T).fill(-Infinity);
      for (let j = 0; j < T; j++) {
        if (!visible(seqIds, i, j, d.window)) continue;
        let acc = 0;
        for (let e = 0; e < D; e++) acc += q[(i * H + h) * D + e] * k[(j * HKV + kh) * D + e];
        s[j] = acc * scale;
        if (cap > 0) {
          s[j] = cap * Math.tanh(s[j] / cap);
          Gh[i * T + j] = 1 - (s[j] / cap) ** 2;
        } else Gh[i * T + j] = 1;
        m = Math.max(m, s[j]);
      }
      let z = 0;
      for (let j = 0; j < T; j++) if (s[j] !== -Infinity) z += Math.exp(s[j] - m);
      for (let j = 0; j < T; j++) Ph[i * T + j] = s[j] === -Infinity ? 0 : Math.exp(s[j] - m) / z;
      lse[i * H + h] = m + Math.log(z);
    }
    P.push(Ph);
    G.push(Gh);
  }
  return { P, G, lse };
}

export function attentionForwardRef(d: AttentionDims, q: Num, k: Num, v: Num, seqIds: Num): AttentionRefOut {
  const { T, nHeads: H, nKvHeads: HKV, headDim: D } = d;
  const group = H / HKV;
  const { P, lse } = probs(d, q, k, seqIds);
  const out = new Float64Array(T * H * D);
  for (let h = 0; h < H; h++) {
    const kh = Math.floor(h / group);
    for (let i = 0; i < T; i++) {
      for (let j = 0; j < T; j++) {
        const p = P[h][i * T + j];
        if (p === 0) continue;
        for (let e = 0; e < D; e++) out[(i * H + h) * D + e] += p * v[(j * HKV + kh) * D + e];
      }
    }
  }
  return { out, lse };
}

/** Analytic gradients of Σ out∘dOut with respect to q, k, v. */
export function attentionBackwardRef(
  d: AttentionDims,
  q: Num,
  k: Num,
  v: Num,
  seqIds: Num,
  dOut: Num,
): AttentionRefGrads {
  const { T, nHeads: H, nKvHeads: HKV, headDim: D } = d;
  const scale = d.scale ?? 1 / Math.sqrt(D);
  const group = H / HKV;
  const { P, G } = probs(d, q, k, seqIds);
  const dq = new Float64Array(T * H * D);
  const dk = new Float64Array(T * HKV * D);
  const dv = new Float64Array(T * HKV * D);
  for (let h = 0; h < H; h++) {
    const kh = Math.floor(h / group);
    for (let i = 0; i < T; i++) {
      // dP_ij = dOut_i · v_j; dS_ij = P_ij (dP_ij − Σ_l P_il dP_il)
      const dP = new Float64Array(T);
      let rowDot = 0;
      for (let j = 0; j < T; j++) {
        const p = P[h][i * T + j];
        if (p === 0) continue;
        let acc = 0;
        for (let e = 0; e < D; e++) acc += dOut[(i * H + h) * D + e] * v[(j * HKV + kh) * D + e];
        dP[j] = acc;
        rowDot += p * acc;
      }
      for (let j = 0; j < T; j++) {
        const p = P[h][i * T + j];
        if (p === 0) continue;
        const dS = p * (dP[j] - rowDot) * G[h][i * T + j];
        for (let e = 0; e < D; e++) {
          dq[(i * H + h) * D + e] += scale * dS * k[(j * HKV + kh) * D + e];
          dk[(j * HKV + kh) * D + e] += scale * dS * q[(i * H + h) * D + e];
          dv[(j * HKV + kh) * D + e] += p * dOut[(i * H + h) * D + e];
        }
      }
    }
  }
  return { dq, dk, dv };
}

// Float64 reference of causal GQA attention with sequence ids: the naive O(T²) algorithm,
// written independently of the GPU kernels (full score matrix, explicit softmax), and its
// analytic backward. Layouts as in attention.ts.
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

function visible(seqIds: Num, i: number, j: number): boolean {
  return j <= i && seqIds[j] === seqIds[i];
}

/** Softmax probabilities P[h][i][j] (zeros where masked) and lse[i, h]. */
function probs(d: AttentionDims, q: Num, k: Num, seqIds: Num): { P: Float64Array[]; lse: Float64Array } {
  const { T, nHeads: H, nKvHeads: HKV, headDim: D } = d;
  const scale = d.scale ?? 1 / Math.sqrt(D);
  const group = H / HKV;
  const P: Float64Array[] = [];
  const lse = new Float64Array(T * H);
  for (let h = 0; h < H; h++) {
    const kh = Math.floor(h / group);
    const Ph = new Float64Array(T * T);
    for (let i = 0; i < T; i++) {
      let m = -Infinity;
      const s = new Float64Array(T).fill(-Infinity);
      for (let j = 0; j < T; j++) {
        if (!visible(seqIds, i, j)) continue;
        let acc = 0;
        for (let e = 0; e < D; e++) acc += q[(i * H + h) * D + e] * k[(j * HKV + kh) * D + e];
        s[j] = acc * scale;
        m = Math.max(m, s[j]);
      }
      let z = 0;
      for (let j = 0; j < T; j++) if (s[j] !== -Infinity) z += Math.exp(s[j] - m);
      for (let j = 0; j < T; j++) Ph[i * T + j] = s[j] === -Infinity ? 0 : Math.exp(s[j] - m) / z;
      lse[i * H + h] = m + Math.log(z);
    }
    P.push(Ph);
  }
  return { P, lse };
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
export function attentionBackwardRef(d: AttentionDims, q: Num, k: Num, v: Num, seqIds: Num, dOut: Num): AttentionRefGrads {
  const { T, nHeads: H, nKvHeads: HKV, headDim: D } = d;
  const scale = d.scale ?? 1 / Math.sqrt(D);
  const group = H / HKV;
  const { P } = probs(d, q, k, seqIds);
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
        const dS = p * (dP[j] - rowDot);
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

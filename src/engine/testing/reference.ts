// Float64 CPU references for the engine's kernels, forward and analytic backward, written
// straight from the math (no tiling, no tricks) so the GPU kernels have an independent target.
// Their backward passes are themselves checked against finite differences (reference.test.ts).

type Arr = ArrayLike<number>;
const f64 = (n: number) => new Float64Array(n);

/** Y[M,N] = X[M,K]·W[N,K]ᵀ (+ b[N]). */
export function linearRef(x: Arr, w: Arr, M: number, N: number, K: number, bias?: Arr): Float64Array {
  const y = f64(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = bias ? bias[j] : 0;
      for (let k = 0; k < K; k++) s += x[i * K + k] * w[j * K + k];
      y[i * N + j] = s;
    }
  }
  return y;
}

/** dX[M,K] = dY[M,N]·W[N,K]; dW[N,K] = dYᵀ·X; db[N] = Σ_i dY. */
export function linearBackwardRef(x: Arr, w: Arr, dy: Arr, M: number, N: number, K: number) {
  const dx = f64(M * K);
  const dw = f64(N * K);
  const db = f64(N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      const g = dy[i * N + j];
      db[j] += g;
      for (let k = 0; k < K; k++) {
        dx[i * K + k] += g * w[j * K + k];
        dw[j * K + k] += g * x[i * K + k];
      }
    }
  }
  return { dx, dw, db };
}

/** y = x·rsqrt(mean(x²)+eps)·w per row of `cols`. */
export function rmsnormRef(x: Arr, w: Arr, rows: number, cols: number, eps: number) {
  const y = f64(rows * cols);
  const rstd = f64(rows);
  for (let r = 0; r < rows; r++) {
    let ss = 0;
    for (let i = 0; i < cols; i++) ss += x[r * cols + i] ** 2;
    const rs = 1 / Math.sqrt(ss / cols + eps);
    rstd[r] = rs;
    for (let i = 0; i < cols; i++) y[r * cols + i] = x[r * cols + i] * rs * w[i];
  }
  return { y, rstd };
}

export function rmsnormBackwardRef(x: Arr, w: Arr, dy: Arr, rows: number, cols: number, eps: number): Float64Array {
  const dx = f64(rows * cols);
  for (let r = 0; r < rows; r++) {
    let ss = 0;
    for (let i = 0; i < cols; i++) ss += x[r * cols + i] ** 2;
    const rs = 1 / Math.sqrt(ss / cols + eps);
    let dot = 0;
    for (let i = 0; i < cols; i++) dot += w[i] * dy[r * cols + i] * x[r * cols + i];
    for (let i = 0; i < cols; i++) {
      dx[r * cols + i] = rs * w[i] * dy[r * cols + i] - (x[r * cols + i] * rs ** 3 * dot) / cols;
    }
  }
  return dx;
}

/** Rotate-half RoPE on [T, H, D] with per-token tables cos/sin [T, D/2]. */
export function ropeRef(x: Arr, cos: Arr, sin: Arr, T: number, H: number, D: number, sign = 1): Float64Array {
  const half = D / 2;
  const y = Float64Array.from(x);
  for (let t = 0; t < T; t++) {
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < half; i++) {
        const c = cos[t * half + i];
        const s = sign * sin[t * half + i];
        const j = (t * H + h) * D + i;
        const x1 = x[j];
        const x2 = x[j + half];
        y[j] = x1 * c - x2 * s;
        y[j + half] = x2 * c + x1 * s;
      }
    }
  }
  return y;
}

/** RoPE is a rotation: its backward is the inverse rotation. */
export function ropeBackwardRef(dy: Arr, cos: Arr, sin: Arr, T: number, H: number, D: number): Float64Array {
  return ropeRef(dy, cos, sin, T, H, D, -1);
}

const sigmoid = (g: number) => 1 / (1 + Math.exp(-g));

export function swigluRef(gate: Arr, up: Arr): Float64Array {
  const out = f64(gate.length);
  for (let i = 0; i < gate.length; i++) out[i] = gate[i] * sigmoid(gate[i]) * up[i];
  return out;
}

export function swigluBackwardRef(gate: Arr, up: Arr, dout: Arr) {
  const dgate = f64(gate.length);
  const dup = f64(gate.length);
  for (let i = 0; i < gate.length; i++) {
    const g = gate[i];
    const s = sigmoid(g);
    dgate[i] = dout[i] * up[i] * s * (1 + g * (1 - s));
    dup[i] = dout[i] * g * s;
  }
  return { dgate, dup };
}

/** LoRA branch: y = scale·((x∘mask)·Aᵀ)·Bᵀ; A [r, in], B [out, r]; mask already holds 1/(1−p). */
export function loraRef(
  x: Arr,
  a: Arr,
  b: Arr,
  T: number,
  inF: number,
  outF: number,
  r: number,
  scale: number,
  mask?: Arr,
) {
  const xd = f64(T * inF);
  for (let i = 0; i < xd.length; i++) xd[i] = x[i] * (mask ? mask[i] : 1);
  const h = linearRef(xd, a, T, r, inF);
  const y = linearRef(h, b, T, outF, r);
  for (let i = 0; i < y.length; i++) y[i] *= scale;
  return { y, h, xd };
}

export function loraBackwardRef(
  x: Arr,
  a: Arr,
  b: Arr,
  dy: Arr,
  T: number,
  inF: number,
  outF: number,
  r: number,
  scale: number,
  mask?: Arr,
) {
  const { h, xd } = loraRef(x, a, b, T, inF, outF, r, scale, mask);
  const sdy = Float64Array.from(dy, (v) => v * scale);
  const hb = linearBackwardRef(h, b, sdy, T, outF, r); // dH = s·dY·B, dB = s·dYᵀ·H
  const ab = linearBackwardRef(xd, a, hb.dx, T, r, inF); // dXd = dH·A, dA = dHᵀ·Xd
  const dx = f64(T * inF);
  for (let i = 0; i < dx.length; i++) dx[i] = ab.dx[i] * (mask ? mask[i] : 1);
  return { dA: ab.dw, dB: hb.dw, dx };
}

/** Gather rows of a [V, D] table. */
export function embeddingRef(ids: Arr, w: Arr, D: number): Float64Array {
  const out = f64(ids.length * D);
  for (let t = 0; t < ids.length; t++) for (let d = 0; d < D; d++) out[t * D + d] = w[ids[t] * D + d];
  return out;
}

/** Central finite differences of a scalar function, in float64. */
export function finiteDiff(f: (x: Float64Array) => number, x0: Arr, h = 1e-6): Float64Array {
  const x = Float64Array.from(x0);
  const g = f64(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    x[i] = v + h;
    const fp = f(x);
    x[i] = v - h;
    const fm = f(x);
    x[i] = v;
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
}

/** Σ out·dy: the scalar whose gradient is the vector-Jacobian product with dy. */
export function dotLoss(out: Arr, dy: Arr): number {
  let s = 0;
  for (let i = 0; i < out.length; i++) s += out[i] * dy[i];
  return s;
}

// What the Node driver (run.ts) sends to the benchmark page (page.ts) and what comes back.

/** Y[M, N] = A[M, K]·op(B): B is [N, K] with transB (a weight as stored, X·Wᵀ), else [K, N] (dY·W). */
export interface PeerShape {
  name: string;
  M: number;
  N: number;
  K: number;
  transB: boolean;
}

export interface PeersConfig {
  shapes: PeerShape[];
  /** Timed rounds after the warm-up round; each round runs every implementation once. */
  rounds: number;
  /** Products queued per timed region (one wait at the end). */
  reps: number;
  /** Also time Prism with bf16 weights. */
  bf16: boolean;
  seed: number;
  /** Output entries checked against float64 per implementation (all of them when the output is smaller). */
  samples: number;
}

export interface ImplResult {
  /** e.g. "prism tiled", "ort Gemm", "tfjs matMul". */
  name: string;
  library: 'prism' | 'ort' | 'tfjs';
  /** Weight dtype. */
  dtype: 'f32' | 'bf16';
  /** Milliseconds per product of every timed round, in round order. */
  ms: number[];
  medianMs: number;
  /** Milliseconds of the warm-up product (pipeline creation and first-use allocations included). */
  warmMs: number;
  /** Share of all host cores the Chromium processes used during this implementation's timed regions. */
  cpu: number;
  /** Entries compared with the float64 reference, and the largest |error| / tolerance among them (≤ 1 passes). */
  checked: number;
  worst: number;
}

export interface ShapeResult {
  shape: PeerShape;
  impls: ImplResult[];
  /** Why an implementation was not run at this shape (e.g. a Prism variant that does not apply). */
  skipped: string[];
}

export interface PeersReport {
  adapter: string;
  features: string[];
  versions: Record<string, string>;
  /** How each peer ran (ORT's execution provider as it reported it, tfjs's backend). */
  checks: string[];
  /** Prism's GEMM_VARIANTS as the page saw them (each one runs or is listed in `skipped`). */
  prismVariants: string[];
  shapes: ShapeResult[];
}

/** A CPU sample of the Chromium processes, taken by Node: clock ticks (user + system) and wall ms. */
export interface CpuSample {
  ticks: number;
  ms: number;
}

// Messages between the "Benchmark this GPU" page and its worker (src/workers/gpu-bench.worker.ts),
// and the results they carry: plain serializable records, so the page renders them as they come
// and formats them for "Copy results" (report.ts) without the worker.
import type { DeviceLimits } from '../engine/device.ts';

/** 'quick': seconds on a CPU adapter (the e2e test); 'full': training shapes at 512 tokens. */
export type BenchSize = 'quick' | 'full';

export interface StartBench {
  type: 'start';
  size: BenchSize;
  /**
   * Re-time every gemm variant and overwrite the stored picks (the page's "Re-tune" button);
   * only the kernel table and the picks are measured then.
   */
  retune?: boolean;
  /** IndexedDB name of the tuner's store (tests use their own). */
  tunerDb?: string;
}

export type ToBenchWorker = StartBench | { type: 'cancel' };

/** What the adapter is and offers (GPUAdapterInfo, the features the engine uses, key limits). */
export interface AdapterFacts {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A software adapter (SwiftShader, llvmpipe, WARP): numbers are the CPU's, not a GPU's. */
  isCpu: boolean;
  features: { f16: boolean; subgroups: boolean; timestamps: boolean };
  /** Every feature the adapter lists. */
  allFeatures: string[];
  limits: DeviceLimits;
}

/** One variant of one product: seconds per product, or null where the variant does not apply. */
export interface VariantTime {
  variant: string;
  seconds: number | null;
}

/** A gemm at a training shape, every applicable variant timed. */
export interface GemmResult {
  name: string;
  M: number;
  N: number;
  K: number;
  transB: boolean;
  bDtype: string;
  /** 2·M·N·K: the multiply-adds of the product, the same on every chip. */
  flops: number;
  variants: VariantTime[];
  /** The variant gemm's 'auto' runs for this shape (the tuner's pick). */
  pick: string;
  /** The tuner's shape class (tuner.ts shapeClass). */
  shapeClass: string;
  /** Whether the pick was measured in this run (else it came from the store). */
  tunedNow: boolean;
}

export interface AttentionResult {
  name: string;
  shape: string;
  /** attentionFlops: the causal pairs only. */
  flops: number;
  seconds: number;
}

/** One kernel's share of a training step. */
export interface KernelTime {
  kernel: string;
  dispatches: number;
  ms: number;
}

/** One queue submit of a training step (the timeline without timestamp-query). */
export interface SubmitTime {
  index: number;
  dispatches: number;
  /** The kernels recorded in it, the most frequent first. */
  kernels: string;
  ms: number;
}

export interface TrainStepResult {
  model: string;
  batch: number;
  seq: number;
  r: number;
  steps: number;
  warmup: number;
  secondsPerStep: number;
  tokensPerSecond: number;
  dispatchesPerStep: number;
  /**
   * 'gpu': `kernels` are GPU times from timestamp-query (one pass per dispatch); 'wall': the device
   * has no timestamps, `submits` are wall times per queue submit and `kernels` count dispatches only.
   */
  timing: 'gpu' | 'wall';
  /** The timed step's kernels, the slowest first (ms NaN → not timed). */
  kernels: KernelTime[];
  submits: SubmitTime[];
  /** Why a smaller shape than asked for ran (a CPU adapter). */
  note?: string;
}

/** The autotuner's picks for this adapter: before the run (stored) and after it. */
export interface TunerPicks {
  adapter: string;
  stored: Record<string, string>;
  picks: Record<string, string>;
}

export type FromBenchWorker =
  | { type: 'progress'; phase: string; done: number; total: number }
  | { type: 'adapter'; facts: AdapterFacts }
  /** What this size measures on this adapter when it is not the training shapes (shapes.ts). */
  | { type: 'plan'; note?: string }
  | { type: 'gemm'; result: GemmResult }
  | { type: 'attention'; result: AttentionResult }
  | { type: 'train'; result: TrainStepResult }
  | { type: 'tuner'; picks: TunerPicks }
  | { type: 'done'; cancelled: boolean; seconds: number; size: BenchSize; retune: boolean }
  | { type: 'error'; message: string };

/** Everything one run produced (the page's state and report.ts's input). */
export interface BenchReport {
  size: BenchSize;
  adapter?: AdapterFacts;
  /** Why the shapes are smaller than the training ones (the quick size, a CPU adapter). */
  note?: string;
  gemm: GemmResult[];
  attention: AttentionResult[];
  train?: TrainStepResult;
  tuner?: TunerPicks;
  /** When the run ended; undefined while it runs. */
  seconds?: number;
  cancelled?: boolean;
}

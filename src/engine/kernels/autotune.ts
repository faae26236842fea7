// Attaching the gemm autotuner where the engine is about to run a model (issue 18 §2): the CLI's
// train / forward / generate and the browser's training and chat workers list the products of
// the model they will run (modelGemmShapes), and autotune() times the variants of every shape
// class its store does not know yet before any work is recorded (gemm records synchronously, so
// tuning cannot happen on first use). CPU adapters (SwiftShader: tests, CI) are skipped unless
// asked for: there a timing costs as much as the product, and the built-in rule is already tuned.
import { deviceIsCpu } from '../runtime/adapter.ts';
import type { DType } from '../tensor/dtype.ts';
import type { ModelSpec } from '../../model/types.ts';
import { GemmTuner, memoryTunerStore, shapeClass, type GemmShape, type TunerStore } from './tuner.ts';

/** `--autotune`: on (always), off (never), auto (on GPUs, not on CPU adapters). */
export const AUTOTUNE_MODES = ['auto', 'on', 'off'] as const;
export type AutotuneMode = (typeof AUTOTUNE_MODES)[number];

/** Seconds each variant is timed per shape class on a GPU (after one warm-up run). */
export const TUNE_SECONDS_PER_VARIANT = 0.003;

const TIMED_TOKENS = 4096;
const HEAD_ROWS = 16384;

export type ModelDims = Pick<
  ModelSpec,
  'hidden_size' | 'intermediate_size' | 'num_attention_heads' | 'num_key_value_heads' | 'head_dim' | 'vocab_size'
>;

export interface ModelShapesOptions {
  /** Rows of the products: tokens per micro-batch (training, prefill) and 1 for a decode step. */
  tokens: number[];
  /** The frozen weights' dtype. */
  dtype: DType;
  /** Training: the input-gradient products dX = dY·W too. */
  training?: boolean;
  /** LoRA rank: the adapters' two skinny products (and in training their gradients). */
  loraRank?: number;
  /** The LM head through gemm (inference; training's loss has its own fused kernel). */
  head?: boolean;
}

/** The gemm products of one decoder layer (and head) of `spec`, one per shape class. */
export function modelGemmShapes(spec: ModelDims, o: ModelShapesOptions): GemmShape[] {
  const h = spec.hidden_size;
  const q = spec.num_attention_heads * spec.head_dim;
  const kv = spec.num_key_value_heads * spec.head_dim;
  const inter = spec.intermediate_size;
  // [out, in] of every frozen projection (fused q|k|v and gate|up fall in the same classes).
  const linears: [number, number][] = [
    [q, h],
    [kv, h],
    [h, q],
    [inter, h],
    [h, inter],
  ];
  const out: GemmShape[] = [];
  // Timed at no more than TIMED_TOKENS rows and HEAD_ROWS vocabulary rows: the same shape classes
  // (their last buckets start at 512 rows and 4096 columns), bounded scratch memory and time.
  for (const T of o.tokens.map((t) => Math.min(t, TIMED_TOKENS))) {
    for (const [n, k] of linears) {
      out.push({ M: T, N: n, K: k, bDtype: o.dtype });
      if (o.training) out.push({ M: T, N: k, K: n, transB: false, bDtype: o.dtype });
      const r = o.loraRank;
      if (r) {
        // h = x·Aᵀ, y += h·Bᵀ (f32 adapter weights).
        out.push({ M: T, N: r, K: k }, { M: T, N: n, K: r });
        if (o.training) {
          // dh = dy·B, dx += dh·A, dB = dyᵀ·h, dA = dhᵀ·x.
          out.push(
            { M: T, N: r, K: n, transB: false },
            { M: T, N: k, K: r, transB: false },
            { M: n, N: r, K: T, transA: true, transB: false },
            { M: r, N: k, K: T, transA: true, transB: false },
          );
        }
      }
    }
    if (o.head) out.push({ M: T, N: Math.min(spec.vocab_size, HEAD_ROWS), K: h, bDtype: o.dtype });
  }
  const seen = new Set<string>();
  return out.filter((s) => {
    const c = shapeClass(s);
    return !seen.has(c) && !!seen.add(c);
  });
}

/** What autotune did, for a log line. */
export interface AutotuneReport {
  tuner: GemmTuner | undefined;
  /** Why it did not tune (off, CPU adapter), when it did not. */
  skipped?: string;
  /** Shape classes measured now (the others were in the store already). */
  measured: number;
  seconds: number;
}

/**
 * Attaches a GemmTuner on `device` with `store`'s choices and measures the shape classes of
 * `shapes` the store lacks; `mode` 'auto' does nothing on a CPU adapter, 'off' nothing at all.
 * gemm's 'auto' follows the tuner's choices from then on (tuner.detach() undoes it).
 */
export async function autotune(
  device: GPUDevice,
  shapes: GemmShape[],
  mode: AutotuneMode,
  /** Where choices persist; a function is called only when tuning happens (IndexedDB opens lazily). */
  store: TunerStore | (() => TunerStore) = memoryTunerStore,
): Promise<AutotuneReport> {
  if (mode === 'off') return { tuner: undefined, skipped: 'off', measured: 0, seconds: 0 };
  if (mode === 'auto' && deviceIsCpu(device))
    return { tuner: undefined, skipped: 'a CPU adapter (use --autotune on to force it)', measured: 0, seconds: 0 };
  const t0 = performance.now();
  const tuner = await GemmTuner.attach(device, typeof store === 'function' ? store() : store);
  const measured = await tuner.tune(shapes, { minSeconds: deviceIsCpu(device) ? 0 : TUNE_SECONDS_PER_VARIANT });
  return { tuner, measured: measured.size, seconds: (performance.now() - t0) / 1000 };
}

/** A one-line account of autotune's work, for logs. */
export function describeAutotune(r: AutotuneReport): string {
  if (r.skipped) return `gemm autotuning skipped: ${r.skipped}`;
  const known = Object.keys(r.tuner?.all ?? {}).length;
  const refused = r.tuner?.rejected.length
    ? '; refused for a wrong product on this GPU: ' +
      r.tuner.rejected.map((x) => `${x.variant} (${x.shape}, ${x.worst.toPrecision(3)}× the tolerance)`).join(', ')
    : '';
  const took = `${r.measured} shape classes measured in ${r.seconds.toFixed(1)} s`;
  return (
    (r.measured
      ? `gemm autotuning: ${took} (${known} known for this GPU)`
      : `gemm autotuning: every shape class already measured on this GPU (${known} known)`) + refused
  );
}

/** The checkpoint dtype as the engine names it. */
export function weightDtype(torchDtype: ModelSpec['torch_dtype']): DType {
  return torchDtype === 'bfloat16' ? 'bf16' : torchDtype === 'float16' ? 'f16' : 'f32';
}

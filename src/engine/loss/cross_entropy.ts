// Final LM head → cross entropy on the GPU, chunked over the vocabulary with an online
// log-sum-exp (shaders/cross_entropy.wgsl): the [T, V] logits never exist, only one
// [T, chunkRows] block at a time, in forward and in backward.
//
// Inputs: hidden [T, hidden] f32 (after the final RMSNorm); the LM head weight W [V, hidden]
// as row-chunks in separate buffers (so a 151,936 × 896 head fits under the binding limit),
// f32 or bf16/f16 packed two per u32 (element e of a chunk in the low half of word e/2 when
// e is even); targets [T] i32 ALIGNED WITH POSITIONS: targets[t] = labels[t + 1], already
// shifted by the caller (see shiftLabels in targets.ts); negative targets (-100) are ignored;
// optionally weights [T] f32 aligned the same way (ms-swift's loss_scale, see shiftWeights).
// Outputs: loss [T] (unweighted; 0 where ignored), lse [T] (kept for backward), mean [2] =
// [Σ weight·loss / N over the N tokens with a target (0 when there are none), N].
// Without weights that is HF's reduction='mean' with ignore_index=-100. With weights it is
// ms-swift's loss_scale loss (swift/trainers/seq2seq_trainer.py, compute_loss: per-token CE times
// loss_scale rolled by −1, summed, divided by num_items_in_batch = the count of labels ≠ -100):
// the divisor stays the token count, so weights 2 and 3 make the loss larger, as in ms-swift.
import { storageBuffer } from '../runtime/index.ts';
import { kernelSpec, runKernel } from '../runtime/spec.ts';
import { withWeights, WEIGHT_DTYPE } from '../kernels/weights.ts';
import { GEMM_TILE, withGemmTile } from '../kernels/gemm-tile.ts';
import ceWGSL from '../../../shaders/cross_entropy.wgsl?raw';

export type LmHeadDType = 'f32' | 'bf16' | 'f16';

export interface LmHead {
  /** Row-chunks of W [V, hidden], in vocabulary order; chunk i holds `rows` consecutive rows. */
  chunks: Array<{ buffer: GPUBuffer; rows: number }>;
  hidden: number;
  dtype: LmHeadDType;
  /** Gemma's final_logit_softcapping: the loss sees cap·tanh(logits/cap). */
  softcap?: number | null;
}

export interface CrossEntropyOptions {
  /** The most tokens any call will pass; sizes the scratch. */
  maxTokens: number;
  /** Vocabulary rows per logits block (default 4096; clamped to the binding limit). */
  chunkRows?: number;
}

export interface CrossEntropyForwardBuffers {
  hidden: GPUBuffer;
  targets: GPUBuffer;
  /** Written: [T] f32. */
  loss: GPUBuffer;
  /** Written: [T] f32. */
  lse: GPUBuffer;
  /** Written: [2] f32 = [mean loss, number of tokens with a target]. */
  mean: GPUBuffer;
  /** [T] f32 per-token loss weights aligned with targets; absent = all 1 (the plain mean). */
  weights?: GPUBuffer;
}

export interface CrossEntropyBackwardBuffers {
  hidden: GPUBuffer;
  targets: GPUBuffer;
  /** From the forward. */
  lse: GPUBuffer;
  /** From the forward: its count is the default divisor. */
  mean: GPUBuffer;
  /** Written (overwritten, unless `accumulate`): [T, hidden] f32. */
  dHidden: GPUBuffer;
  /** The forward's weights (absent = all 1). */
  weights?: GPUBuffer;
}

export interface CrossEntropyBackwardOptions {
  /** d(objective)/d(mean loss); default 1. */
  gradScale?: number;
  /** Divide by this instead of the forward's valid-token count (e.g. tokens over all micro-batches). */
  divisor?: number;
  /** Add into dHidden instead of overwriting it. */
  accumulate?: boolean;
}

const file = 'cross_entropy.wgsl';
// ce_logits and ce_dh run on the tiled GEMM core (common/gemm_tile.wgsl); ce_dh's B, the LM
// head chunk [n, d], is its [K, N]: TRANS_B = false there (the default, true, suits ce_logits).
const source = withWeights(withGemmTile(ceWGSL));
const LOGITS = kernelSpec({
  file,
  source,
  entryPoint: 'ce_logits',
  bindings: ['h', 'w', 'logits_out'],
  uniform: [
    ['T', 'u32'],
    ['d', 'u32'],
    ['n', 'u32'],
    ['row0', 'u32'],
    ['softcap', 'f32'],
  ],
});
const STATS = kernelSpec({
  file,
  source,
  entryPoint: 'ce_stats',
  bindings: ['logits_in', 'targets', 'stats'],
  uniform: [
    ['T', 'u32'],
    ['n', 'u32'],
    ['v0', 'u32'],
    ['first', 'u32'],
  ],
});
const FINALIZE = kernelSpec({
  file,
  source,
  entryPoint: 'ce_finalize',
  bindings: ['stats_in', 'targets', 'loss', 'lse_out', 'mean_out', 'weights_f'],
  uniform: [['T', 'u32']],
});
const DH = kernelSpec({
  file,
  source,
  entryPoint: 'ce_dh',
  bindings: ['logits_b', 'w', 'lse_in', 'targets_b', 'mean_in', 'dh', 'weights_b'],
  uniform: [
    ['T', 'u32'],
    ['d', 'u32'],
    ['n', 'u32'],
    ['row0', 'u32'],
    ['v0', 'u32'],
    ['beta', 'u32'],
    ['grad_scale', 'f32'],
    ['divisor', 'f32'],
    ['softcap', 'f32'],
  ],
});

export class FusedCrossEntropy {
  readonly chunkRows: number;
  /** Bytes of scratch this object holds (logits block + running stats). */
  readonly scratchBytes: number;
  private readonly logits: GPUBuffer;
  private readonly stats: GPUBuffer;
  /**
   * [maxTokens] of 1.0, made on the first call without weights (the decoder always passes its
   * planned weights buffer, so training never makes it). x · 1.0 is exact: the same numbers.
   */
  private ones: GPUBuffer | null = null;
  /** The LM head's dtype, as the kernels' WEIGHT_DTYPE. */
  private readonly weights: { constants: { WEIGHT_DTYPE: number } };
  /** ce_dh's constants: the LM head's dtype, and its chunk read as [K, N]. */
  private readonly dhConstants: { constants: { WEIGHT_DTYPE: number; TRANS_B: number } };

  constructor(
    readonly device: GPUDevice,
    readonly head: LmHead,
    readonly options: CrossEntropyOptions,
  ) {
    const { maxTokens } = options;
    if (!(maxTokens > 0)) throw new Error(`cross entropy: maxTokens must be positive, got ${maxTokens}`);
    if (maxTokens > device.limits.maxComputeWorkgroupsPerDimension) {
      throw new Error(`cross entropy: at most ${device.limits.maxComputeWorkgroupsPerDimension} tokens per call`);
    }
    if (head.chunks.length === 0) throw new Error('cross entropy: the LM head has no chunks');
    const fit = Math.floor(device.limits.maxStorageBufferBindingSize / (4 * maxTokens));
    this.chunkRows = Math.max(1, Math.min(options.chunkRows ?? 4096, fit));
    this.logits = storageBuffer(device, 4 * maxTokens * this.chunkRows, 'ce logits block');
    this.stats = storageBuffer(device, 16 * maxTokens, 'ce running stats');
    this.scratchBytes = this.logits.size + this.stats.size;
    this.weights = { constants: { WEIGHT_DTYPE: WEIGHT_DTYPE[head.dtype] } };
    this.dhConstants = { constants: { WEIGHT_DTYPE: WEIGHT_DTYPE[head.dtype], TRANS_B: 0 } };
  }

  get vocabSize(): number {
    return this.head.chunks.reduce((s, c) => s + c.rows, 0);
  }

  /** Blocks of at most chunkRows rows: (buffer, first row in it, rows, first vocabulary id). */
  private *blocks(): Generator<{ buffer: GPUBuffer; row0: number; n: number; v0: number }> {
    let v0 = 0;
    for (const chunk of this.head.chunks) {
      for (let row0 = 0; row0 < chunk.rows; row0 += this.chunkRows) {
        const n = Math.min(this.chunkRows, chunk.rows - row0);
        yield { buffer: chunk.buffer, row0, n, v0: v0 + row0 };
      }
      v0 += chunk.rows;
    }
  }

  private unitWeights(): GPUBuffer {
    this.ones ??= storageBuffer(this.device, new Float32Array(this.options.maxTokens).fill(1), 'ce unit weights');
    return this.ones;
  }

  private checkT(T: number): void {
    if (!(T > 0 && T <= this.options.maxTokens)) {
      throw new Error(`cross entropy: T=${T} outside 1..${this.options.maxTokens}`);
    }
  }

  private recordLogits(
    encoder: GPUCommandEncoder,
    T: number,
    hidden: GPUBuffer,
    blk: { buffer: GPUBuffer; row0: number; n: number },
  ): void {
    runKernel(
      this.device,
      encoder,
      LOGITS,
      { h: hidden, w: blk.buffer, logits_out: this.logits },
      {
        T,
        d: this.head.hidden,
        n: blk.n,
        row0: blk.row0,
        softcap: this.head.softcap ?? 0,
      },
      [Math.ceil(blk.n / GEMM_TILE), Math.ceil(T / GEMM_TILE)],
      this.weights,
    );
  }

  /** Records the forward: per-token loss and lse, and the mean over tokens with a target. */
  forward(encoder: GPUCommandEncoder, T: number, b: CrossEntropyForwardBuffers): void {
    this.checkT(T);
    let first = 1;
    for (const blk of this.blocks()) {
      this.recordLogits(encoder, T, b.hidden, blk);
      runKernel(
        this.device,
        encoder,
        STATS,
        { logits_in: this.logits, targets: b.targets, stats: this.stats },
        {
          T,
          n: blk.n,
          v0: blk.v0,
          first,
        },
        [T],
        this.weights,
      );
      first = 0;
    }
    const weights = b.weights ?? this.unitWeights();
    runKernel(
      this.device,
      encoder,
      FINALIZE,
      {
        stats_in: this.stats,
        targets: b.targets,
        loss: b.loss,
        lse_out: b.lse,
        mean_out: b.mean,
        weights_f: weights,
      },
      { T },
      [1],
      this.weights,
    );
  }

  /** Records the backward: dHidden = Σ_v (softmax − onehot)·W · weight · gradScale / N, block by block. */
  backward(
    encoder: GPUCommandEncoder,
    T: number,
    b: CrossEntropyBackwardBuffers,
    opts: CrossEntropyBackwardOptions = {},
  ): void {
    this.checkT(T);
    let beta = opts.accumulate ? 1 : 0;
    for (const blk of this.blocks()) {
      this.recordLogits(encoder, T, b.hidden, blk);
      runKernel(
        this.device,
        encoder,
        DH,
        {
          logits_b: this.logits,
          w: blk.buffer,
          lse_in: b.lse,
          targets_b: b.targets,
          mean_in: b.mean,
          dh: b.dHidden,
          weights_b: b.weights ?? this.unitWeights(),
        },
        {
          T,
          d: this.head.hidden,
          n: blk.n,
          row0: blk.row0,
          v0: blk.v0,
          beta,
          grad_scale: opts.gradScale ?? 1,
          divisor: opts.divisor ?? 0,
          softcap: this.head.softcap ?? 0,
        },
        [Math.ceil(this.head.hidden / GEMM_TILE), Math.ceil(T / GEMM_TILE)],
        this.dhConstants,
      );
      beta = 1;
    }
  }

  destroy(): void {
    this.logits.destroy();
    this.stats.destroy();
    this.ones?.destroy();
  }
}

/** Bytes of scratch a FusedCrossEntropy allocates (before the chunkRows clamp to the binding limit). */
export function crossEntropyScratchBytes(maxTokens: number, chunkRows = 4096): number {
  return 4 * maxTokens * chunkRows + 16 * maxTokens;
}

/** FLOPs of one forward (the LM head matmul) and backward (matmul again + dH matmul). */
export function crossEntropyFlops(T: number, hidden: number, vocab: number): { forward: number; backward: number } {
  const mm = 2 * T * hidden * vocab;
  return { forward: mm, backward: 2 * mm };
}

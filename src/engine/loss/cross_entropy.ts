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
import { Kernel, params, storageBuffer } from '../runtime/index.ts';
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

const W_BINDING = /@group\(0\) @binding\(1\) var<storage, read> w: array<f32>; \/\/ W_BINDING/;
const W_LOAD = /fn load_w\(i: u32\) -> f32 \{ return w\[i\]; \} \/\/ W_LOAD/;

function specialize(dtype: LmHeadDType): string {
  if (dtype === 'f32') return ceWGSL;
  const half =
    dtype === 'bf16'
      ? 'let u = w[i >> 1u]; if ((i & 1u) == 0u) { return bitcast<f32>(u << 16u); } return bitcast<f32>(u & 0xffff0000u);'
      : 'return unpack2x16float(w[i >> 1u])[i & 1u];';
  return ceWGSL
    .replace(W_BINDING, '@group(0) @binding(1) var<storage, read> w: array<u32>;')
    .replace(W_LOAD, `fn load_w(i: u32) -> f32 { ${half} }`);
}

const TILE = 64;

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
  private readonly kLogits: Kernel;
  private readonly kStats: Kernel;
  private readonly kFinal: Kernel;
  private readonly kDh: Kernel;

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
    const code = specialize(head.dtype);
    this.kLogits = new Kernel(device, code, 'ce_logits');
    this.kStats = new Kernel(device, code, 'ce_stats');
    this.kFinal = new Kernel(device, code, 'ce_finalize');
    this.kDh = new Kernel(device, code, 'ce_dh');
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

  private recordLogits(encoder: GPUCommandEncoder, T: number, hidden: GPUBuffer, blk: { buffer: GPUBuffer; row0: number; n: number }): void {
    this.kLogits.dispatch(
      encoder,
      [hidden, blk.buffer, this.logits],
      params([
        ['u32', T],
        ['u32', this.head.hidden],
        ['u32', blk.n],
        ['u32', blk.row0],
        ['f32', this.head.softcap ?? 0],
      ]),
      [Math.ceil(blk.n / TILE), Math.ceil(T / TILE)],
    );
  }

  /** Records the forward: per-token loss and lse, and the mean over tokens with a target. */
  forward(encoder: GPUCommandEncoder, T: number, b: CrossEntropyForwardBuffers): void {
    this.checkT(T);
    let first = 1;
    for (const blk of this.blocks()) {
      this.recordLogits(encoder, T, b.hidden, blk);
      this.kStats.dispatch(
        encoder,
        [this.logits, b.targets, this.stats],
        params([
          ['u32', T],
          ['u32', blk.n],
          ['u32', blk.v0],
          ['u32', first],
        ]),
        [T],
      );
      first = 0;
    }
    const weights = b.weights ?? this.unitWeights();
    this.kFinal.dispatch(encoder, [this.stats, b.targets, b.loss, b.lse, b.mean, weights], params([['u32', T]]), [1]);
  }

  /** Records the backward: dHidden = Σ_v (softmax − onehot)·W · weight · gradScale / N, block by block. */
  backward(encoder: GPUCommandEncoder, T: number, b: CrossEntropyBackwardBuffers, opts: CrossEntropyBackwardOptions = {}): void {
    this.checkT(T);
    let beta = opts.accumulate ? 1 : 0;
    for (const blk of this.blocks()) {
      this.recordLogits(encoder, T, b.hidden, blk);
      this.kDh.dispatch(
        encoder,
        [this.logits, blk.buffer, b.lse, b.targets, b.mean, b.dHidden, b.weights ?? this.unitWeights()],
        params([
          ['u32', T],
          ['u32', this.head.hidden],
          ['u32', blk.n],
          ['u32', blk.row0],
          ['u32', blk.v0],
          ['u32', beta],
          ['f32', opts.gradScale ?? 1],
          ['f32', opts.divisor ?? 0],
          ['f32', this.head.softcap ?? 0],
        ]),
        [Math.ceil(this.head.hidden / TILE), Math.ceil(T / TILE)],
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

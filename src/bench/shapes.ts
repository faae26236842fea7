// What "Benchmark this GPU" measures at each size: the gemm products of a Qwen2.5-0.5B layer
// (bf16 weights, as training multiplies them), flash attention with its heads, and one LoRA
// training step of a random-weight model — SmolLM2-135M's shape at 512 tokens on a GPU, a tiny
// llama on a CPU adapter (SwiftShader needs minutes for one SmolLM2 step).
import { KNOWN_CONFIGS } from '../model/known-models.ts';
import type { DType } from '../engine/tensor/dtype.ts';
import type { BenchSize } from './protocol.ts';

/** Qwen2.5-0.5B's dimensions (config.json of Qwen/Qwen2.5-0.5B). */
export const QWEN25_05B = { hidden: 896, intermediate: 4864, heads: 14, kvHeads: 2, headDim: 64 } as const;

/** A llama small enough for a CPU adapter: a training step in well under a second. */
export const TINY_LLAMA: Record<string, unknown> = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  hidden_act: 'silu',
  hidden_size: 64,
  intermediate_size: 128,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  vocab_size: 512,
  rms_norm_eps: 1e-6,
  max_position_embeddings: 2048,
  rope_theta: 10000,
  tie_word_embeddings: false,
  torch_dtype: 'float32',
};

export interface GemmBenchShape {
  name: string;
  M: number;
  N: number;
  K: number;
  transB: boolean;
  bDtype: DType;
}

export interface TrainBenchShape {
  model: string;
  config: Record<string, unknown>;
  batch: number;
  seq: number;
  r: number;
  warmup: number;
  steps: number;
  note?: string;
}

export interface BenchPlan {
  tokens: number;
  gemm: GemmBenchShape[];
  attention: { T: number; nHeads: number; nKvHeads: number; headDim: number };
  train: TrainBenchShape;
  /** Why the plan is smaller than the size asked for. */
  note?: string;
}

/**
 * The products of one Qwen2.5-0.5B layer at T tokens: Y = X·Wᵀ for q/o, gate/up, down, and
 * dX = dY·W of down. `scale` divides the widths (the quick size's smoke run: a quarter).
 */
export function qwenGemmShapes(T: number, bDtype: DType = 'bf16', scale = 1): GemmBenchShape[] {
  const h = QWEN25_05B.hidden / scale;
  const i = QWEN25_05B.intermediate / scale;
  const of = scale === 1 ? '' : ` (1/${scale})`;
  return [
    { name: `q/o proj${of}`, M: T, N: h, K: h, transB: true, bDtype },
    { name: `gate/up${of}`, M: T, N: i, K: h, transB: true, bDtype },
    { name: `down${of}`, M: T, N: h, K: i, transB: true, bDtype },
    { name: `dX down${of} (dY·W)`, M: T, N: i, K: h, transB: false, bDtype },
  ];
}

const SMOLLM2 = 'HuggingFaceTB/SmolLM2-135M-Instruct';

/** What to run for `size` on this adapter (`cpu`: a software adapter, everything smaller). */
export function benchPlan(size: BenchSize, cpu: boolean): BenchPlan {
  const attn = (T: number) => ({ T, nHeads: QWEN25_05B.heads, nKvHeads: QWEN25_05B.kvHeads, headDim: 64 });
  const tiny = (seq: number, note?: string): TrainBenchShape => ({
    model: 'tiny llama (hidden 64, 2 layers, vocab 512, f32)',
    config: TINY_LLAMA,
    batch: 1,
    seq,
    r: 16,
    warmup: 1,
    steps: 2,
    note,
  });
  if (size === 'quick') {
    // A smoke run in seconds on SwiftShader: a quarter of Qwen's widths, 16 tokens, one timed step.
    return {
      tokens: 16,
      // Two products (every variant compiles for each: most of a CPU adapter's time).
      gemm: qwenGemmShapes(16, 'bf16', 4).filter((g) => g.name.startsWith('q/o') || g.name.startsWith('down')),
      attention: attn(32),
      train: { ...tiny(32), steps: 1 },
      note:
        'the quick size is a smoke run: 16 tokens, two products at a quarter of Qwen2.5-0.5B’s widths, ' +
        'a tiny model; choose full for the training shapes',
    };
  }
  if (cpu) {
    // Qwen's full products at 512 tokens take minutes per variant on a CPU: half the widths, 64 tokens.
    const why =
      'a CPU adapter: 64 tokens at half of Qwen2.5-0.5B’s widths and a tiny model’s 128-token step ' +
      'instead of 512 tokens and SmolLM2-135M';
    return {
      tokens: 64,
      gemm: qwenGemmShapes(64, 'bf16', 2),
      attention: attn(128),
      train: tiny(128),
      note: why,
    };
  }
  return {
    tokens: 512,
    gemm: qwenGemmShapes(512),
    attention: attn(512),
    train: {
      model: 'SmolLM2-135M shape (hidden 576, 30 layers, vocab 49152, bf16; random weights)',
      config: KNOWN_CONFIGS[SMOLLM2].config as Record<string, unknown>,
      batch: 1,
      seq: 512,
      r: 16,
      warmup: 1,
      steps: 3,
    },
  };
}

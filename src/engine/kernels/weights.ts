// The one way a kernel reads a frozen weight in its checkpoint dtype: shaders/common/weights.wgsl
// (weight_word, widen_weight) put in front of the kernel's source, specialized per pipeline by
// its WEIGHT_DTYPE override constant.
import prelude from '../../../shaders/common/weights.wgsl?raw';
import type { DType } from '../tensor/dtype.ts';

/** WEIGHT_DTYPE's value per dtype. */
export const WEIGHT_DTYPE: Record<DType, number> = { f32: 0, bf16: 1, f16: 2 };

/** A kernel's source with the weight-reading prelude in front. */
export function withWeights(source: string): string {
  return `${prelude}\n${source}`;
}

// ms-swift's loss scales: `parseLossScale('last_round+react')` and the per-context weighting.
export type { LossBase, LossScale, WeightedPart } from './types.ts';
export {
  parseLossScale,
  weighContext,
  lossScaleBase,
  withLossBase,
  LossScaleError,
  LOSS_BASES,
  LOSS_SCALE_NAMES,
  type ContextInfo,
  type LossScaleName,
} from './parse.ts';
export { calculateLossScale } from './scales.ts';

// ms-swift's loss scales (swift/loss_scale/): how much each part of an assistant response
// weighs in the loss. `--loss-scale` takes ms-swift's grammar: a base strategy (`default`,
// `last_round`, `all`) optionally followed by `+name` parts chained with `+` (`react`, `hermes`,
// `qwen`, `agentflan`, `alpha_umi`, `ignore_empty_think`, `ignore_think_prefix`).

/** Which contexts are trained at all (ms-swift ALL_BASE_STRATEGY). */
export type LossBase = 'default' | 'last_round' | 'all';

/** A run of response text and its weight (0 = not trained). */
export interface WeightedPart {
  text: string;
  weight: number;
}

export interface LossScale {
  /** The spec as given, e.g. `last_round+react`. */
  readonly spec: string;
  readonly base: LossBase;
  /** True when every weight it can give is 0 or 1 (ms-swift's is_binary_loss_scale). */
  readonly binary: boolean;
  /**
   * ms-swift's `get_loss_scale(response, query=...)`: the response split into parts that
   * concatenate back to it, each with its weight.
   */
  getLossScale(response: string, query?: string): WeightedPart[];
}

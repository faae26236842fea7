// What tokenization produces: training rows of token ids and labels. Plain data with typed arrays,
// so rows cross worker boundaries as transferables and the CLI writes them as JSON Lines.

/** The label of a token that is not trained (PyTorch CrossEntropyLoss's ignore_index). */
export const IGNORE_INDEX = -100;

/** How a record longer than `max_length` is handled. */
export type Truncation = 'delete' | 'left' | 'right';

/**
 * One record encoded. `labels` are unshifted, as Hugging Face's causal LM models take them:
 * `labels[i] = input_ids[i]` where token i is trained, else -100; the model shifts internally.
 */
export interface EncodedRecord {
  /** 1-based line of the record in its file. */
  line: number;
  input_ids: Int32Array;
  labels: Int32Array;
  /**
   * ms-swift's loss_scale: each token's loss weight, aligned with input_ids (unshifted, like
   * labels; 0 where labels are -100). Present only when some weight is neither 0 nor 1; absent
   * means 1 for every trained token.
   */
  loss_scale?: Float64Array;
  /** Tokens whose characters carry more than one weight, e.g. trained and untrained (see encode.ts). */
  straddles: number;
  /** Per token `[start, end)` UTF-16 offsets into the rendered text, interleaved (2 per token). */
  offsets?: Int32Array;
}

/** What happened to a record's length. */
export type LengthStatus = 'ok' | 'dropped' | 'truncated_left' | 'truncated_right';

export interface LengthOptions {
  /** No limit when absent. */
  max_length?: number;
  /** Default `delete`: a row cut in the middle of a conversation trains on a broken turn. */
  truncation?: Truncation;
}

/** Several sequences in one row; attention must stay within each sequence. */
export interface PackedRow {
  input_ids: Int32Array;
  labels: Int32Array;
  /** Per-token loss weights (see EncodedRecord.loss_scale); present when a packed record has them. */
  loss_scale?: Float64Array;
  /** Position of each token inside its own sequence: 0, 1, 2, … restarting per sequence. */
  position_ids: Int32Array;
  /** Index of the token's sequence within the row (0, 1, …); -1 for padding. */
  sequence_ids: Int32Array;
  /** The records packed here, in order. */
  lines: number[];
  /** Tokens that are not padding. */
  length: number;
}

/** Tokens-per-record histogram with fixed bin edges. */
export interface Histogram {
  /** `counts[i]` counts records with `edges[i] <= tokens < edges[i + 1]`; the last bin is open. */
  edges: number[];
  counts: number[];
}

/** Per-model numbers the UI shows side by side. Token counts are before truncation. */
export interface DatasetStats {
  records: number;
  /** Records that failed to render or encode. */
  failed: number;
  totalTokens: number;
  trainedTokens: number;
  /** trainedTokens / totalTokens (0 when empty). */
  trainedShare: number;
  minTokens: number;
  maxTokens: number;
  meanTokens: number;
  /** Records longer than max_length (0 when there is no limit). */
  overMaxLength: number;
  /** Records dropped by `truncation: delete`. */
  dropped: number;
  /** Records cut by `truncation: left|right`. */
  truncated: number;
  /** Records with no trained token left (after truncation). */
  noTrainedTokens: number;
  /** Tokens whose characters carry more than one weight (trained and untrained, or two weights). */
  straddles: number;
  histogram: Histogram;
}

// What rendering a conversation for one model family produces. `spans` tile `text` exactly:
// consecutive, non-overlapping, covering every character, so tokenization can label each token
// from the span its characters fall in.

/** A run of `text` (UTF-16 offsets, as JavaScript strings index) with who wrote it. */
export interface Span {
  start: number;
  end: number;
  /**
   * `system`, `tools`, `user`, `assistant`, `tool` for message content; `template` for the
   * template's own scaffolding (BOS, role headers, separators, end-of-turn markers).
   */
  role: 'system' | 'tools' | 'user' | 'assistant' | 'tool' | 'template';
  /** True when the tokens of this span get labels (are trained). */
  trainable: boolean;
  /**
   * The loss weight of a trained span (ms-swift's loss_scale) when it is not 1; absent means 1 when
   * trainable. 0 is never written: an untrained span is `trainable: false`.
   */
  weight?: number;
  /**
   * An end-of-turn marker the official template does not write, added so the model learns to stop
   * (GLM-4's final reply: ms-swift's template suffix `<|user|>`). The preview says "added for training".
   */
  added?: boolean;
}

/** A template doctor finding for one record and template. */
export interface RenderWarning {
  code: string;
  message: string;
}

export interface Rendered {
  text: string;
  spans: Span[];
  warnings: RenderWarning[];
  /** The agent template used (`native:hermes`, or an ms-swift name such as `react_en`). */
  agentTemplate?: string;
  /** The role whose turn carries tool results (when the record has any): for the preview. */
  toolResultsIn?: 'tool' | 'user' | 'assistant';
}

/** Which assistant turns are trained. Per-message `loss` in the data overrides it. */
export type LossPolicy = 'all_assistant' | 'last_round' | 'all';

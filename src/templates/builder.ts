// Builds `text` and its `spans` together, so they cannot drift apart: every character added
// belongs to exactly one span. Adjacent pieces with the same role, trainability, weight and
// `added` flag merge.
import type { Span } from './types.ts';

export type SpanRole = Span['role'];

export class SpanBuilder {
  private parts: string[] = [];
  private length = 0;
  readonly spans: Span[] = [];

  /** `weight`: the loss weight of a trained piece (1 is not written). */
  add(text: string, role: SpanRole, trainable: boolean, weight = 1, added = false): void {
    if (text === '') return;
    const start = this.length;
    this.parts.push(text);
    this.length += text.length;
    const w = trainable && weight !== 1 ? weight : undefined;
    const last = this.spans[this.spans.length - 1];
    if (last && last.role === role && last.trainable === trainable && last.weight === w && !!last.added === added)
      last.end = this.length;
    else {
      const span: Span = { start, end: this.length, role, trainable };
      if (w !== undefined) span.weight = w;
      if (added) span.added = true;
      this.spans.push(span);
    }
  }

  get text(): string {
    return this.parts.join('');
  }
}

// Builds `text` and its `spans` together, so they cannot drift apart: every character added
// belongs to exactly one span. Adjacent pieces with the same role and trainability merge.
import type { Span } from './types.ts';

export type SpanRole = Span['role'];

export class SpanBuilder {
  private parts: string[] = [];
  private length = 0;
  readonly spans: Span[] = [];

  add(text: string, role: SpanRole, trainable: boolean): void {
    if (text === '') return;
    const start = this.length;
    this.parts.push(text);
    this.length += text.length;
    const last = this.spans[this.spans.length - 1];
    if (last && last.role === role && last.trainable === trainable) last.end = this.length;
    else this.spans.push({ start, end: this.length, role, trainable });
  }

  get text(): string {
    return this.parts.join('');
  }
}

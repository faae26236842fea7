import { describe, expect, it } from 'vitest';
import type { Rendered } from '../../templates/index.ts';
import { tokensPerSpan } from './token-turns.ts';

describe('tokensPerSpan', () => {
  it('gives each token to the span its first character is in', () => {
    // "<a>hi there<b>" : template 0-3, user 3-11, template 11-14
    const r: Rendered = {
      text: '<a>hi there<b>',
      spans: [
        { start: 0, end: 3, role: 'template', trainable: false },
        { start: 3, end: 11, role: 'user', trainable: false },
        { start: 11, end: 14, role: 'template', trainable: true },
      ],
      warnings: [],
    };
    // tokens: BOS (0,0), "<a>", "hi", " there", "<b>"
    const offsets = Int32Array.from([0, 0, 0, 3, 3, 5, 5, 11, 11, 14]);
    const ids = Int32Array.from([1, 2, 3, 4, 5]);
    const counts = tokensPerSpan(r, { ids, labels: Int32Array.from([-100, -100, -100, -100, 5]), offsets, trained: 1 });
    expect(counts.map((c) => c.tokens)).toEqual([2, 2, 1]);
  });
});

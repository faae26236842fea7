import { describe, expect, it } from 'vitest';
import { visibleRange } from './VirtualList.tsx';

describe('visibleRange', () => {
  it('draws the rows in view and the overscan, clamped to the list', () => {
    // 50 px rows, a 400 px box scrolled to 1000 px: rows 20..28 are in view.
    expect(visibleRange(1000, 50, 1000, 400, 8)).toEqual([12, 36]);
    expect(visibleRange(1000, 50, 0, 400, 8)).toEqual([0, 16]);
    expect(visibleRange(30, 50, 1100, 400, 8)).toEqual([14, 30]);
    expect(visibleRange(0, 50, 0, 0, 8)).toEqual([0, 0]);
  });
});

import { describe, expect, it } from 'vitest';
import { alignSeries } from './align.ts';

describe('alignSeries', () => {
  it('merges the steps of runs and leaves null where a run has no point', () => {
    const a = { x: [1, 2, 3], y: [5, 4, 3] };
    const b = { x: [2, 4], y: [6, NaN] };
    expect(alignSeries([a, b])).toEqual([
      [1, 2, 3, 4],
      [5, 4, 3, null],
      [null, 6, null, null],
    ]);
  });

  it('keeps one series as it is, and sorts out-of-order steps', () => {
    expect(alignSeries([{ x: [3, 1], y: [0.5, 0.7] }])).toEqual([
      [1, 3],
      [0.7, 0.5],
    ]);
    expect(alignSeries([])).toEqual([[]]);
  });
});

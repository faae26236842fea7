import { describe, expect, it } from 'vitest';
import { StatsAccumulator } from './stats.ts';

describe('StatsAccumulator', () => {
  it('counts tokens, trained share, length outcomes and a histogram', () => {
    const acc = new StatsAccumulator([0, 10, 100]);
    acc.add({ tokens: 5, trained: 2, trainedKept: 2, status: 'ok', straddles: 0 });
    acc.add({ tokens: 50, trained: 10, trainedKept: 10, status: 'ok', straddles: 1 });
    acc.add({ tokens: 150, trained: 30, trainedKept: 0, status: 'truncated_right', straddles: 0 });
    acc.add({ tokens: 400, trained: 8, trainedKept: 0, status: 'dropped', straddles: 0 });
    acc.addFailure();
    const s = acc.result();
    expect(s).toMatchObject({
      records: 4,
      failed: 1,
      totalTokens: 605,
      trainedTokens: 50,
      minTokens: 5,
      maxTokens: 400,
      overMaxLength: 2,
      dropped: 1,
      truncated: 1,
      noTrainedTokens: 1,
      straddles: 1,
    });
    expect(s.trainedShare).toBeCloseTo(50 / 605, 12);
    expect(s.meanTokens).toBeCloseTo(605 / 4, 12);
    expect(s.histogram).toEqual({ edges: [0, 10, 100], counts: [1, 1, 2] });
  });
});

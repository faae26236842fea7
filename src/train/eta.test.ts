import { describe, expect, it } from 'vitest';
import { etaSeconds, median, secondsPerStep } from './eta.ts';

describe('ETA from measured steps', () => {
  it('median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  it('a slow first step (compilation) does not set the pace', () => {
    // Step 1 took 100 s, every later step 2 s (one 9 s checkpoint step).
    const at = [100, 102, 104, 113, 115, 117];
    const times = at.map((t, i) => ({ step: i + 1, at: t }));
    expect(secondsPerStep(times)).toBe(2);
    expect(etaSeconds(times, 30)).toBe(24 * 2);
  });
  it('only consecutive steps count (a resume restarts the clock); none before two steps', () => {
    expect(secondsPerStep([{ step: 10, at: 50 }])).toBeNull();
    const times = [
      { step: 9, at: 40 },
      { step: 10, at: 43 },
      { step: 11, at: 2 },
      { step: 12, at: 7 },
    ];
    expect(secondsPerStep(times)).toBe(4); // median of 3 (9→10) and 5 (11→12)
    expect(etaSeconds(times, 12)).toBe(0);
  });
  it('looks at the most recent steps only', () => {
    const times = Array.from({ length: 30 }, (_, i) => ({ step: i + 1, at: i < 20 ? i * 10 : 190 + (i - 19) * 1 }));
    expect(secondsPerStep(times, 10)).toBe(1);
  });
});

import { describe, expect, test } from 'vitest';
import { extent, linePath, niceTicks, scale } from './chart-scale.ts';

describe('chart scale', () => {
  test('ticks are round numbers inside the range', () => {
    expect(niceTicks({ min: 0.13, max: 2.71 }, 4)).toEqual([0.5, 1, 1.5, 2, 2.5]);
    expect(niceTicks({ min: 3, max: 47 }, 4)).toEqual([10, 20, 30, 40]);
  });
  test('a flat series gets a visible range', () => {
    expect(extent([2, 2, 2])).toEqual({ min: 1.8, max: 2.2 });
    expect(extent([NaN])).toBeNull();
  });
  test('scale maps the range onto pixels, y flipped when asked', () => {
    const y = scale({ min: 0, max: 4 }, 200, 0);
    expect(y(0)).toBe(200);
    expect(y(4)).toBe(0);
    expect(y(1)).toBe(150);
  });
  test('gaps split the path', () => {
    expect(linePath([[0, 1], [1, 2], [2, NaN], [3, 4]])).toBe('M0.0 1.0 L1.0 2.0 M3.0 4.0');
  });
});

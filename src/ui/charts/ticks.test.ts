import { describe, expect, it } from 'vitest';
import { decimalsOf, readout, tickLabels } from './ticks.ts';

describe('tickLabels', () => {
  it('writes ticks with the increment’s decimals, so close values stay apart', () => {
    // The axis: a loss between 11.8 and 11.9 read "11.9, 11.9, 11.8" with 3 significant digits.
    expect(tickLabels([11.8, 11.82, 11.84, 11.86, 11.88, 11.9], 0.02)).toEqual([
      '11.80',
      '11.82',
      '11.84',
      '11.86',
      '11.88',
      '11.90',
    ]);
    expect(tickLabels([11.85, 11.875, 11.9], 0.025)).toEqual(['11.850', '11.875', '11.900']);
    expect(tickLabels([0, 2, 4, 6], 2)).toEqual(['0', '2', '4', '6']);
    expect(tickLabels([0.5, 1, 1.5], 0.5)).toEqual(['0.5', '1.0', '1.5']);
  });

  it('ignores float noise in the increment', () => {
    expect(decimalsOf(0.1 + 0.2)).toBe(1);
    expect(decimalsOf(0.05)).toBe(2);
    expect(decimalsOf(500)).toBe(0);
    expect(tickLabels([0.1 + 0.2, 0.6000000000000001], 0.30000000000000004)).toEqual(['0.3', '0.6']);
  });

  it('adds digits when an increment would still repeat a label', () => {
    // A wrong (too coarse) increment must not bring repeats back.
    expect(tickLabels([11.86, 11.88, 11.9], 0.1)).toEqual(['11.86', '11.88', '11.90']);
  });

  it('uses exponent form for learning rates', () => {
    expect(tickLabels([0, 2e-5, 4e-5, 6e-5], 2e-5)).toEqual(['0', '2e-5', '4e-5', '6e-5']);
    expect(tickLabels([1e-4, 1.5e-4, 2e-4], 5e-5)).toEqual(['1.0e-4', '1.5e-4', '2.0e-4']);
  });
});

describe('readout', () => {
  it('shows 4 significant digits, exponent form at the extremes', () => {
    expect(readout(6.301234)).toBe('6.301');
    expect(readout(0.000123456)).toBe('1.235e-4');
    expect(readout(null)).toBe('—');
    expect(readout(NaN)).toBe('—');
  });
});

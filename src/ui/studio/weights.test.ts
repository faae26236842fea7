// The weight → style mapping of the Templates page, against values worked out by hand from the
// rule in weights.ts (strength 0.5 + log2(w)/4, clamped to [0.05, 1]).
import { describe, expect, it } from 'vitest';
import { formatWeight, weightLook, weightStrength } from './weights.ts';

describe('weight styles', () => {
  it('weight 1 and untrained text keep the plain look', () => {
    expect(weightLook(1)).toEqual({ className: '', label: '' });
    expect(weightLook(0)).toEqual({ className: '', label: '' });
  });

  it('strength: 1 in the middle, doubling and halving move it equally, clamped at the ends', () => {
    expect(weightStrength(1)).toBe(0.5);
    expect(weightStrength(2)).toBe(0.75);
    expect(weightStrength(0.5)).toBe(0.25);
    expect(weightStrength(4)).toBe(1);
    expect(weightStrength(8)).toBe(1);
    expect(weightStrength(0.25)).toBe(0.05);
    expect(weightStrength(0)).toBe(0);
    expect(weightStrength(3)).toBeCloseTo(0.5 + Math.log2(3) / 4, 12);
  });

  it('up- and down-weighted text get their class, the strength as --w and the number', () => {
    expect(weightLook(2)).toEqual({ className: 'weighted w-up', style: { '--w': '0.750' }, label: 'weight 2' });
    expect(weightLook(0.5)).toEqual({ className: 'weighted w-down', style: { '--w': '0.250' }, label: 'weight 0.5' });
    expect(weightLook(3).label).toBe('weight 3');
  });

  it('writes weights as people do', () => {
    expect([2, 0.5, 3, 1 / 3, 0.1, 1.5e-5].map(formatWeight)).toEqual(['2', '0.5', '3', '0.3333', '0.1', '0.000015']);
  });
});

// How the Templates page draws a loss weight (ms-swift's loss_scale): trained text keeps its look
// at weight 1; a weight other than 1 changes the strength of the trained tint (a CSS variable the
// stylesheet mixes in) and the underline's thickness, so it reads in greyscale too, and the
// number is in the tooltip and in data-weight. Strength is logarithmic: doubling a weight moves it
// as much as halving it, 1 sits in the middle, and 1/4 and 4 are the ends of the scale.
import type { CSSProperties } from 'react';

export interface WeightLook {
  /** Extra class names (`weighted` plus `w-up` / `w-down`); '' at weight 1 or untrained. */
  className: string;
  /** `--w`: the tint strength in [0, 1] (0.5 at weight 1); absent at weight 1 or untrained. */
  style?: CSSProperties;
  /** For the tooltip: `weight 2`, `weight 0.5`; '' at weight 1 or untrained. */
  label: string;
}

/** The tint strength of a weight: 0.5 + log4(w) / 2, clamped to [0.05, 1]; 0 for weight 0. */
export function weightStrength(weight: number): number {
  if (!(weight > 0)) return 0;
  const s = 0.5 + Math.log2(weight) / 4;
  return Math.min(1, Math.max(0.05, s));
}

/** A weight as people write it: up to 4 significant digits, no trailing zeros (2, 0.5, 0.3333). */
export function formatWeight(weight: number): string {
  return String(Number(weight.toPrecision(4)));
}

/** The look of a trained piece of text or token of this weight (0 = not trained). */
export function weightLook(weight: number): WeightLook {
  if (weight === 1 || !(weight > 0)) return { className: '', label: '' };
  const style = { '--w': weightStrength(weight).toFixed(3) } as CSSProperties;
  return { className: `weighted ${weight > 1 ? 'w-up' : 'w-down'}`, style, label: `weight ${formatWeight(weight)}` };
}

/** @fileoverview The lowering's fixed choices, in one place with their reasons. */

/** Pixels are u8 with 8 fraction bits after the input scale is folded (p stands for p/256). */
export const INPUT_FRAC = 8;
export const INPUT_BITS = 8;

/** Decay and refractory factors use 16-bit fractions: error below 1e-5, and v * mul stays below 2^49. */
export const FACTOR_SHIFT = 16;

/** The widest membrane: keeps u * mul below 2^53 (docs/ir.md). */
export const MAX_MEMBRANE_BITS = 32;

/** Calibration images used when the user gives no count. */
export const DEFAULT_CALIBRATION_IMAGES = 512;

/** The IR's largest shift (docs/ir.md); per-channel fractions of one layer stay within it. */
export const MAX_SHIFT = 31;

/** Coarsest fraction the lowering uses: a weight step of 2^24 means the model is not a sane fixed-point candidate. */
export const MIN_FRAC = -24;

/** Fraction bits that put `maxAbs` just inside `maxInt`: floor(log2(maxInt / maxAbs)), bounded to sane values. */
export function fracFor(maxAbs: number, maxInt: number): number {
  if (!(maxAbs > 0)) return 0;
  return Math.max(MIN_FRAC, Math.min(40, Math.floor(Math.log2(maxInt / maxAbs))));
}

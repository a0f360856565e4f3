/**
 * @fileoverview Integer interval arithmetic for the ts target: it proves which values fit 32-bit integer operations
 * and typed arrays, and which clamps can never trigger, so the emitter may use `|0`, `>>` and Int32Array exactly.
 */
import { maxOf, minOf, type IntType } from '../../ir/int-type.ts';

/** A closed interval of integers [min, max]. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

export const INT32: Range = { min: -(2 ** 31), max: 2 ** 31 - 1 };
/** Every intermediate must stay strictly inside this for doubles to be exact. */
export const SAFE: Range = { min: -(2 ** 53 - 1), max: 2 ** 53 - 1 };

export function rangeOf(type: IntType): Range {
  return { min: minOf(type), max: maxOf(type) };
}

export function within(r: Range, outer: Range): boolean {
  return r.min >= outer.min && r.max <= outer.max;
}

export function fitsInt32(r: Range): boolean {
  return within(r, INT32);
}

export function add(a: Range, b: Range): Range {
  return { min: a.min + b.min, max: a.max + b.max };
}

export function scale(r: Range, k: number): Range {
  const lo = r.min * k;
  const hi = r.max * k;
  return { min: Math.min(lo, hi), max: Math.max(lo, hi) };
}

export function intersect(a: Range, b: Range): Range {
  return { min: Math.max(a.min, b.min), max: Math.min(a.max, b.max) };
}

/** The values of clamp(a, bounds) for a in r (clamping is monotone). */
export function clampRange(r: Range, bounds: Range): Range {
  const clamp = (a: number): number => Math.min(Math.max(a, bounds.min), bounds.max);
  return { min: clamp(r.min), max: clamp(r.max) };
}

/** The values of roundShift(a, s) for a in r: the function is monotone, so the ends map to the ends. */
export function roundShiftRange(r: Range, shift: number): Range {
  if (shift === 0) return r;
  const f = (a: number): number => Math.floor((a + 2 ** (shift - 1)) / 2 ** shift);
  return { min: f(r.min), max: f(r.max) };
}

/**
 * The sum `bias + sum_i w_i * x_i` over x_i in `x`, and every partial sum of it: each term's interval contains 0
 * (x.min <= 0 <= x.max), so sums over any subset of terms stay inside the bound of the full sum.
 */
export function dotRange(weights: readonly number[], x: Range, bias: number): Range {
  if (x.min > 0 || x.max < 0) throw new Error('dotRange needs an input range containing 0');
  let min = bias;
  let max = bias;
  for (const w of weights) {
    const a = w * x.min;
    const b = w * x.max;
    min += Math.min(a, b);
    max += Math.max(a, b);
  }
  return { min: Math.min(min, bias), max: Math.max(max, bias) };
}

export function hull(ranges: readonly Range[]): Range {
  let min = Infinity;
  let max = -Infinity;
  for (const r of ranges) {
    min = Math.min(min, r.min);
    max = Math.max(max, r.max);
  }
  return { min, max };
}

export type ArrayKind = 'Int8Array' | 'Int16Array' | 'Int32Array' | 'Uint8Array' | 'Uint16Array' | 'Float64Array';

/** The smallest typed array that stores every integer of `r` exactly. */
export function arrayKindFor(r: Range, unsignedOk = false): ArrayKind {
  if (unsignedOk && r.min >= 0 && r.max <= 255) return 'Uint8Array';
  if (r.min >= -128 && r.max <= 127) return 'Int8Array';
  if (unsignedOk && r.min >= 0 && r.max <= 65535) return 'Uint16Array';
  if (r.min >= -32768 && r.max <= 32767) return 'Int16Array';
  if (fitsInt32(r)) return 'Int32Array';
  return 'Float64Array';
}

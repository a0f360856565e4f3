/**
 * @fileoverview Integer interval arithmetic for bounds.ts: closed intervals [min, max] of integers, and the image of
 * an interval under the IR's monotone operations (scaleBy, roundShift, clamp, a dot product with fixed weights).
 */
import { maxOf, minOf, type IntType } from './int-type.ts';
import type { Factor } from './spiking.ts';

/** A closed interval of integers [min, max]. */
export interface Interval {
  readonly min: number;
  readonly max: number;
}

/** A factor mul / 2^shift with common powers of two removed: scaleBy gives exactly the same integers (docs/ir.md). */
export interface FoldedFactor {
  readonly mul: number;
  readonly shift: number;
}

export function typeInterval(type: IntType): Interval {
  return { min: minOf(type), max: maxOf(type) };
}

/** The largest |v| for v in r. */
export function magnitude(r: Interval): number {
  return Math.max(-r.min, r.max);
}

export function hull(ranges: readonly Interval[]): Interval {
  let min = Infinity;
  let max = -Infinity;
  for (const r of ranges) {
    min = Math.min(min, r.min);
    max = Math.max(max, r.max);
  }
  return { min, max };
}

export function intersect(a: Interval, b: Interval): Interval {
  return { min: Math.max(a.min, b.min), max: Math.min(a.max, b.max) };
}

/** r widened to contain 0: a sparse stream also carries the zeros it leaves out. */
export function withZero(r: Interval): Interval {
  return { min: Math.min(0, r.min), max: Math.max(0, r.max) };
}

/** The values of a + b for a in x, b in y. */
export function sumInterval(x: Interval, y: Interval): Interval {
  return { min: x.min + y.min, max: x.max + y.max };
}

export function scaleInterval(r: Interval, k: number): Interval {
  const lo = r.min * k;
  const hi = r.max * k;
  return { min: Math.min(lo, hi), max: Math.max(lo, hi) };
}

/** The values of clamp(a, bounds) for a in r (clamping is monotone). */
export function clampInterval(r: Interval, bounds: Interval): Interval {
  const clamp = (a: number): number => Math.min(Math.max(a, bounds.min), bounds.max);
  return { min: clamp(r.min), max: clamp(r.max) };
}

/** The values of roundShift(a, s) = floor((a + 2^(s-1)) / 2^s) for a in r: monotone, so the ends map to the ends. */
export function roundShiftInterval(r: Interval, shift: number): Interval {
  if (shift === 0) return r;
  const f = (a: number): number => Math.floor((a + 2 ** (shift - 1)) / 2 ** shift);
  return { min: f(r.min), max: f(r.max) };
}

/** Removes common powers of two from mul and 2^shift; a zero mul becomes 0 / 2^0. */
export function foldFactor(f: Factor): FoldedFactor {
  if (f.mul === 0) return { mul: 0, shift: 0 };
  let { mul, shift } = f;
  while (shift > 0 && mul % 2 === 0) {
    mul /= 2;
    shift--;
  }
  return { mul, shift };
}

/** The values of scaleBy(v, f) for v in r. */
export function factorInterval(r: Interval, f: FoldedFactor): Interval {
  if (f.mul === 0) return { min: 0, max: 0 };
  return roundShiftInterval({ min: r.min * f.mul, max: r.max * f.mul }, f.shift);
}

/**
 * The sum `bias + sum_i w_i * x_i` over x_i in `x`, and every partial sum of it: each term's interval contains 0
 * (x.min <= 0 <= x.max), so sums over any subset of terms stay inside the bound of the full sum.
 */
export function dotInterval(weights: readonly number[], x: Interval, bias: number): Interval {
  if (x.min > 0 || x.max < 0) throw new RangeError('dotInterval needs an input interval containing 0');
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

/** sum_i |w_i|: with |x_i| <= m, every partial sum of sum_i w_i x_i lies within l1 * m. */
export function l1Norm(weights: readonly number[]): number {
  let sum = 0;
  for (const w of weights) sum += Math.abs(w);
  return sum;
}

/**
 * @fileoverview The IR's integer primitives. Values are JS numbers holding integers below 2^53 in magnitude; the IR
 * validator bounds every type so that no intermediate here can leave that range.
 */
import type { IntType } from '../ir/int-type.ts';
import { maxOf, minOf } from '../ir/int-type.ts';

/** roundShift(a, s) = floor((a + 2^(s-1)) / 2^s) for s > 0, a for s = 0: round half up. */
export function roundShift(a: number, shift: number): number {
  if (shift === 0) return a;
  const scale = 2 ** shift;
  return Math.floor((a + scale / 2) / scale);
}

/** Exact left shift (multiplication by 2^s). */
export function shiftLeft(a: number, shift: number): number {
  return a * 2 ** shift;
}

export function clamp(a: number, type: IntType): number {
  const lo = minOf(type);
  const hi = maxOf(type);
  return a < lo ? lo : a > hi ? hi : a;
}

/** Multiply-and-shift by a factor: roundShift(a * mul, shift). */
export function scaleBy(a: number, factor: { readonly mul: number; readonly shift: number }): number {
  return roundShift(a * factor.mul, factor.shift);
}

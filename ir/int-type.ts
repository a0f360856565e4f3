/** @fileoverview Integer types of the fixed-point IR: a value v of type {signed, bits, frac} means v * 2^-frac. */

export interface IntType {
  readonly signed: boolean;
  /** Total bits, sign included; 1..48 so that every target can hold it in a double or an int64. */
  readonly bits: number;
  /** Fraction bits: the real value is v * 2^-frac (may be negative for coarse values). */
  readonly frac: number;
}

export function intType(signed: boolean, bits: number, frac: number): IntType {
  return { signed, bits, frac };
}

export function minOf(t: IntType): number {
  return t.signed ? -(2 ** (t.bits - 1)) : 0;
}

export function maxOf(t: IntType): number {
  return t.signed ? 2 ** (t.bits - 1) - 1 : 2 ** t.bits - 1;
}

/** `s8.4`, `u8.8`: sign, total bits, fraction bits. */
export function formatType(t: IntType): string {
  return `${t.signed ? 's' : 'u'}${t.bits}.${t.frac}`;
}

/** Smallest signed width holding every value in [-bound, bound]. */
export function signedBitsFor(bound: number): number {
  if (!Number.isFinite(bound)) return Infinity;
  let bits = 1;
  while (2 ** (bits - 1) - 1 < bound) bits++;
  return bits;
}

/** Smallest unsigned width holding [0, bound]. */
export function unsignedBitsFor(bound: number): number {
  if (!Number.isFinite(bound)) return Infinity;
  let bits = 1;
  while (2 ** bits - 1 < bound) bits++;
  return bits;
}

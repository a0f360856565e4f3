/**
 * @fileoverview The fixed-point form of a pool: an output type that holds every window exactly, and the scale that
 * produces it. With in frac fi and out frac fo, the real factor is r * 2^(fo - fi), r = 1 (sum) or 1/k^2 (avg):
 *   sum:                 fo = fi,             scale {1, 0}                 exact
 *   avg, k^2 = 2^n:      fo = fi + n,         scale {1, 0}                 exact (the division is a frac change)
 *   avg, other k:        fo = fi + floor(log2 k^2), scale {mul, s} = round(2^(s + fo - fi) / k^2), s as large as
 *                        mul <= 2^20 allows: |y - exact| <= 1/2 + A 2^-(s+1) lsb, A the largest window sum (docs/ir.md)
 * When the exact output would need more than 16 bits (the IR's activation limit), fo drops by the excess d and the
 * shift grows by d: sum and power-of-two avg become an exact power-of-two shift {1, d} with round half up.
 */
import { intType, maxOf, minOf, signedBitsFor, unsignedBitsFor, type IntType } from '../../ir/int-type.ts';
import type { Factor } from '../../ir/spiking.ts';
import type { PoolLayer } from '../../model/format.ts';
import { MAX_SHIFT } from './formats-policy.ts';

/** The IR's widest activation (pool outputs are activations). */
const MAX_POOL_BITS = 16;
const MAX_FACTOR_MUL = 2 ** 20;

/** The widest type holding [lo, hi] (unsigned when lo >= 0). */
function typeFor(lo: number, hi: number, frac: number): IntType {
  return lo >= 0 ? intType(false, Math.max(1, unsignedBitsFor(hi)), frac) : intType(true, Math.max(2, signedBitsFor(Math.max(hi, -lo - 1))), frac);
}

/** {mul, shift} for the real factor `value` (0 < value <= 2^20): the largest shift <= 31 with mul <= 2^20. */
export function poolFactor(value: number): Factor {
  if (Number.isInteger(Math.log2(value)) && value <= 1) return { mul: 1, shift: -Math.log2(value) + 0 }; // + 0: never -0
  let shift = MAX_SHIFT;
  while (shift > 0 && Math.round(value * 2 ** shift) > MAX_FACTOR_MUL) shift--;
  return { mul: Math.round(value * 2 ** shift), shift };
}

/** The exact output range of roundShift(acc * mul, shift) for acc in [lo, hi]. */
function scaledRange(lo: number, hi: number, f: Factor): [number, number] {
  const s = (a: number): number => Math.floor((a * f.mul + (f.shift > 0 ? 2 ** (f.shift - 1) : 0)) / 2 ** f.shift);
  return [s(lo), s(hi)];
}

export function poolFormat(layer: PoolLayer, inType: IntType): { outType: IntType; scale: Factor } {
  const area = layer.kernel * layer.kernel;
  const lo = area * minOf(inType);
  const hi = area * maxOf(inType);
  const log2Area = Math.log2(area);
  const gain = layer.mode === 'sum' ? 0 : Math.floor(log2Area);
  const real = (drop: number): number => (layer.mode === 'sum' ? 1 : 2 ** gain / area) * 2 ** -drop;
  let drop = 0;
  for (;;) {
    const scale = poolFactor(real(drop));
    const [outLo, outHi] = scaledRange(lo, hi, scale);
    const outType = typeFor(outLo, outHi, inType.frac + gain - drop);
    if (outType.bits <= MAX_POOL_BITS) return { outType, scale };
    drop += outType.bits - MAX_POOL_BITS;
  }
}

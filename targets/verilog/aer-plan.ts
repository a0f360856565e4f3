/**
 * @fileoverview The address-event (AER) input of an events program: the widths of its beats and the constants that
 * turn a flat CHW address into {channel, row, column} without a divider.
 */
import type { Program } from '../../ir/program.ts';
import { indexBits } from './cores/common.ts';

/**
 * floor(i / divisor) as (i * mul) >> shift, exact for every 0 <= i < 2^bits (Granlund and Montgomery 1994, thm 4.2:
 * shift = bits + ceil(log2 divisor), mul = ceil(2^shift / divisor), at most bits + 1 bits).
 */
export interface Reciprocal {
  readonly mul: bigint;
  readonly shift: number;
  /** Unsigned bits of `mul`. */
  readonly mulBits: number;
}

export function reciprocal(divisor: number, bits: number): Reciprocal {
  let log = 0;
  while (2 ** log < divisor) log++;
  const shift = bits + log;
  const d = BigInt(divisor);
  const mul = ((1n << BigInt(shift)) + d - 1n) / d;
  return { mul, shift, mulBits: mul.toString(2).length };
}

/**
 * Beats {eot, address, count}: the address is the flat CHW index i = (c * H + r) * W + s; a conv or pool first layer
 * gets c = i / (H * W), then with q = i - c * H * W, r = q / W and s = q - r * W.
 */
export interface AerPlan {
  readonly addrBits: number;
  readonly countBits: number;
  readonly channel: Reciprocal;
  readonly row: Reciprocal;
  /** Bits of a remainder q < H * W. */
  readonly planeBits: number;
}

export function aerPlan(program: Program): AerPlan {
  const [channels, height, width] = program.input.shape;
  const addrBits = indexBits(channels * height * width);
  const planeBits = indexBits(height * width);
  return { addrBits, countBits: program.input.type.bits, channel: reciprocal(height * width, addrBits), row: reciprocal(width, planeBits), planeBits };
}

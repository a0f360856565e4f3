/**
 * @fileoverview The binary spike's surrogate gradient. Forward: o = u > threshold ? 1 : 0, exactly the runtime's
 * binary output. Backward: the fast-sigmoid derivative of SuperSpike (Zenke & Ganguli 2018),
 *   do/du = 1 / (1 + SLOPE * |u - threshold|)^2,
 * which is 1 at the threshold and decays smoothly on both sides, so silent neurons still get a learning signal.
 */

/** Steepness of the surrogate; 10 per unit of membrane is SuperSpike's usual setting for a threshold of 1. */
export const SURROGATE_SLOPE = 10;

/** do/du at `over` = u - threshold. */
export function surrogateDerivative(over: number): number {
  const d = 1 + SURROGATE_SLOPE * Math.abs(over);
  return 1 / (d * d);
}

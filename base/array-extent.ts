/**
 * @fileoverview Largest and smallest of an array without spreading it into Math.max: a spread passes every element as
 * an argument, and a layer's weights (hundreds of thousands) overflow the call stack.
 */

/** The largest of `values` and `floor`. */
export function largest(values: ArrayLike<number>, floor = -Infinity): number {
  let m = floor;
  for (let i = 0; i < values.length; i++) if (values[i]! > m) m = values[i]!;
  return m;
}

/** The smallest of `values` and `ceiling`. */
export function smallest(values: ArrayLike<number>, ceiling = Infinity): number {
  let m = ceiling;
  for (let i = 0; i < values.length; i++) if (values[i]! < m) m = values[i]!;
  return m;
}

/**
 * @fileoverview The ts target's view of integer intervals: which fit 32-bit integer operations and typed arrays, and
 * which stay exact in a double. The interval arithmetic itself is the IR's (ir/interval.ts), named here as the
 * emitters use it.
 */
import { type Interval } from '../../ir/interval.ts';

export {
  clampInterval as clampRange, intersect, roundShiftInterval as roundShiftRange, typeInterval as rangeOf, type Interval as Range,
} from '../../ir/interval.ts';

export const INT32: Interval = { min: -(2 ** 31), max: 2 ** 31 - 1 };
/** Every intermediate must stay strictly inside this for doubles to be exact. */
export const SAFE: Interval = { min: -(2 ** 53 - 1), max: 2 ** 53 - 1 };

export function within(r: Interval, outer: Interval): boolean {
  return r.min >= outer.min && r.max <= outer.max;
}

export function fitsInt32(r: Interval): boolean {
  return within(r, INT32);
}

export type ArrayKind = 'Int8Array' | 'Int16Array' | 'Int32Array' | 'Uint8Array' | 'Uint16Array' | 'Float64Array';

/** The smallest typed array that stores every integer of `r` exactly. */
export function arrayKindFor(r: Interval, unsignedOk = false): ArrayKind {
  if (unsignedOk && r.min >= 0 && r.max <= 255) return 'Uint8Array';
  if (r.min >= -128 && r.max <= 127) return 'Int8Array';
  if (unsignedOk && r.min >= 0 && r.max <= 65535) return 'Uint16Array';
  if (r.min >= -32768 && r.max <= 32767) return 'Int16Array';
  if (fitsInt32(r)) return 'Int32Array';
  return 'Float64Array';
}

/**
 * @fileoverview Per-unit i64 terms of a spiking layer's update (build-spiking.ts, build-recurrent.ts), for unit `j`
 * (an i32 local): a shift by the unit's entry of a table, the bias, and scaleBy of a stored state.
 */
import type { FoldedFactor } from '../../ir/interval.ts';
import type { SpikingPlan } from './plan.ts';
import { get, i32, i64, load, op, roundShift64, type Code } from './wasm-data.ts';

/** e << shift_j, the shift one value or unit j's entry of an i32 table. */
export function shiftByUnit(e: Code, shift: { readonly at: number } | { readonly value: number }): Code {
  if ('value' in shift) return shift.value === 0 ? e : op('i64.shl', e, i64(shift.value));
  return op('i64.shl', e, op('i64.extend_i32_u', load('i32.load', op('i32.shl', get('j'), i32(2)), shift.at)));
}

/** e + bias_j. */
export function plusBias(plan: SpikingPlan, e: Code): Code {
  return plusUnitValue(e, plan.bias);
}

/** e + unit j's value: one value, or unit j's entry of an i64 table. */
export function plusUnitValue(e: Code, value: { readonly at: number } | { readonly value: number }): Code {
  if ('value' in value) return value.value === 0 ? e : op('i64.add', e, i64(value.value));
  return op('i64.add', e, load('i64.load', op('i32.shl', get('j'), i32(3)), value.at));
}

/** scaleBy(x, {mul, shift}) of unit j's stored i64 at `at`. */
export function scaledState(at: number, factor: FoldedFactor): Code {
  const { mul, shift } = factor;
  const x = load('i64.load', op('i32.shl', get('j'), i32(3)), at);
  if (mul === 0) return i64(0);
  return roundShift64(mul === 1 ? x : op('i64.mul', x, i64(mul)), shift);
}

/**
 * @fileoverview The IR's integer primitives as exact int64 ONNX subgraphs (docs/ir.md, "Values and types"); the dot
 * products are in exact-matmul.ts.
 *
 * Why these constructions: ONNX integer `Div` truncates toward zero and `BitShift` exists only for unsigned types, so
 * neither is a floor shift of a negative number. `roundShift` therefore lifts its operand by 2^53 (a multiple of every
 * 2^s, s <= 31) to make it nonnegative, where truncation equals floor, and takes the lift back off after the Div:
 *   floor((a + 2^(s-1)) / 2^s) = (a + 2^(s-1) + 2^53) / 2^s - 2^(53-s)       for |a| < 2^53 (check.ts proves it)
 * Everything stays below 2^55 in int64, so no step can wrap.
 */
import type { IntType } from '../../ir/int-type.ts';
import { formatType, maxOf, minOf } from '../../ir/int-type.ts';
import type { GraphBuilder } from './graph-builder.ts';
import type { Scalar } from './proto.ts';

/** The lift of `roundShift`; check.ts refuses any program whose rounded values could reach it. */
export const ROUND_LIFT_LOG2 = 53;
export const EXACT_LIMIT = 2 ** ROUND_LIFT_LOG2;

/** Per-channel shifts broadcast along axis `channelAxis` of a tensor of rank `rank` (constants get shape [F, 1...]). */
export interface ChannelShape {
  readonly rank: number;
  readonly channelAxis: number;
}

/** 2^s as a bigint: 2^53 and above are not safe integers. */
function pow2(s: number): bigint {
  return 2n ** BigInt(s);
}

function channelDims(count: number, shape: ChannelShape | undefined): number[] | undefined {
  if (count === 1 || shape === undefined) return undefined;
  return [count, ...new Array<number>(shape.rank - shape.channelAxis - 1).fill(1)];
}

function vectorConst(g: GraphBuilder, values: readonly Scalar[], shape: ChannelShape | undefined, label: string): string {
  const same = values.every((v) => v === values[0]);
  if (same) return g.constant('int64', values[0]!);
  if (shape === undefined) throw new Error(`${label}: per-channel values need a channel shape`);
  return g.constant('int64', values, channelDims(values.length, shape), label);
}

/**
 * roundShift(a, s) per channel (round half up). `shifts` has one entry, or one per channel along `shape.channelAxis`.
 * `label` names the per-channel constants (e.g. `conv0/outShift`).
 */
export function roundShift(g: GraphBuilder, a: string, shifts: readonly number[], name: string, label: string, shape?: ChannelShape): string {
  if (shifts.every((s) => s === 0)) return a;
  return g.scope(name, () => {
    // 2^53 + 2^(s-1) is not a double for small s: the constants are bigints.
    const lift = shifts.map((s) => (s > 0 ? pow2(s - 1) : 0n) + pow2(ROUND_LIFT_LOG2));
    const lifted = g.op('Add', [a, vectorConst(g, lift, shape, `${label}/half_plus_2^53`)], {
      name: 'lift',
      doc: 'a + 2^(s-1) + 2^53: nonnegative, so the truncating Div below is a floor',
    });
    const quotient = g.op('Div', [lifted, vectorConst(g, shifts.map(pow2), shape, `${label}/2^s`)], { name: 'floor_div' });
    return g.op('Sub', [quotient, vectorConst(g, shifts.map((s) => pow2(ROUND_LIFT_LOG2 - s)), shape, `${label}/2^(53-s)`)], {
      name: 'unlift',
      doc: `round half up: floor((a + 2^(s-1)) / 2^s) with s = ${describeShifts(shifts)}`,
    });
  });
}

function describeShifts(shifts: readonly number[]): string {
  return shifts.every((s) => s === shifts[0]) ? String(shifts[0]) : `${listPreview(shifts)} per channel`;
}

function listPreview(values: readonly number[]): string {
  return `[${values.slice(0, 8).join(', ')}${values.length > 8 ? ', ...' : ''}]`;
}

/** a * 2^s per channel: the IR's exact left shift, as an int64 Mul. */
export function shiftLeft(g: GraphBuilder, a: string, shifts: readonly number[], name: string, constLabel: string, shape?: ChannelShape): string {
  if (shifts.every((s) => s === 0)) return a;
  return g.op('Mul', [a, vectorConst(g, shifts.map(pow2), shape, constLabel)], { name, doc: `exact left shift by ${describeShifts(shifts)}` });
}

/**
 * clamp(a, T): saturation to the range of an IR type, as two compare-and-select steps. Not Clip, Min or Max: ONNX
 * Runtime's int64 kernels of those (Eigen's vectorised min/max) return wrong values for some operands beyond 32 bits,
 * e.g. Clip(2^31, -2048, 2047) = 2^31 (microsoft/onnxruntime#25280); its int64 Less, Greater and Where are exact.
 */
export function clamp(g: GraphBuilder, a: string, type: IntType, name: string): string {
  const lo = g.constant('int64', minOf(type));
  const hi = g.constant('int64', maxOf(type));
  const raised = g.scope(`${name}_clamp`, () => g.op('Where', [g.op('Less', [a, lo], { name: 'below_min' }), lo, a], { name: 'at_least_min' }));
  const above = g.scope(`${name}_clamp`, () => g.op('Greater', [raised, hi], { name: 'above_max' }));
  return g.op('Where', [above, hi, raised], { name, doc: `clamp to ${formatType(type)} [${minOf(type)}, ${maxOf(type)}]` });
}

/** scaleBy(a, {mul, shift}) = roundShift(a * mul, shift); mul 0 and mul 2^shift fold away. */
export function scaleBy(g: GraphBuilder, a: string, factor: { readonly mul: number; readonly shift: number }, name: string): string {
  if (factor.mul === 0) return g.op('Mul', [a, g.constant('int64', 0)], { name, doc: 'factor 0' });
  if (factor.mul === 2 ** factor.shift) return a;
  return g.scope(name, () => {
    const product = g.op('Mul', [a, g.constant('int64', factor.mul)], { name: 'mul', doc: `* ${factor.mul} (factor ${factor.mul}/2^${factor.shift})` });
    return roundShift(g, product, [factor.shift], 'round', `${name}/shift`);
  });
}

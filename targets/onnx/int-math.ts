/**
 * @fileoverview The IR's integer primitives as exact float64 ONNX subgraphs (docs/ir.md, "Values and types"); the dot
 * products are in exact-matmul.ts.
 *
 * Why float64: every IR value is an integer, and check.ts proves every intermediate below 2^53, where a double holds
 * every integer. On those integers Add, Sub and Mul are exact (their results are integers below 2^53), a Mul by 2^-s
 * is exact (a power-of-two scaling of an integer, far from underflow), and Floor is exact. So
 *   roundShift(a, s) = floor((a + 2^(s-1)) / 2^s) = Floor((a + 2^(s-1)) * 2^-s)
 * needs neither integer division nor a lift. ONNX Runtime's int64 Div and Mod run as a scalar loop (tens of ns per
 * element, measured); its double Add, Mul, Floor and Clip are vectorised.
 */
import type { IntType } from '../../ir/int-type.ts';
import { formatType, maxOf, minOf } from '../../ir/int-type.ts';
import type { GraphBuilder } from './graph-builder.ts';

/** A double holds every integer of magnitude below 2^53; check.ts refuses any program whose values could reach it. */
export const EXACT_BITS = 53;
export const EXACT_LIMIT = 2 ** EXACT_BITS;

/** Per-channel values broadcast along axis `channelAxis` of a tensor of rank `rank` (constants get shape [F, 1...]). */
export interface ChannelShape {
  readonly rank: number;
  readonly channelAxis: number;
}

function channelDims(count: number, shape: ChannelShape | undefined): number[] | undefined {
  if (count === 1 || shape === undefined) return undefined;
  return [count, ...new Array<number>(shape.rank - shape.channelAxis - 1).fill(1)];
}

function vectorConst(g: GraphBuilder, values: readonly number[], shape: ChannelShape | undefined, label: string): string {
  const same = values.every((v) => v === values[0]);
  if (same) return g.constant('double', values[0]!);
  if (shape === undefined) throw new Error(`${label}: per-channel values need a channel shape`);
  return g.constant('double', values, channelDims(values.length, shape), label);
}

/**
 * roundShift(a, s) per channel (round half up). `shifts` has one entry, or one per channel along `shape.channelAxis`.
 * `label` names the per-channel constants (e.g. `conv0/outShift`).
 */
export function roundShift(g: GraphBuilder, a: string, shifts: readonly number[], name: string, label: string, shape?: ChannelShape): string {
  if (shifts.every((s) => s === 0)) return a;
  return g.scope(name, () => {
    const halves = shifts.map((s) => (s > 0 ? 2 ** (s - 1) : 0));
    const lifted = g.op('Add', [a, vectorConst(g, halves, shape, `${label}/half`)], { name: 'plus_half', doc: 'a + 2^(s-1)' });
    const scaled = g.op('Mul', [lifted, vectorConst(g, shifts.map((s) => 2 ** -s), shape, `${label}/2^-s`)], { name: 'scaled', doc: 'exact: a power-of-two scaling' });
    return g.op('Floor', [scaled], { name: 'floor', doc: `round half up: floor((a + 2^(s-1)) / 2^s) with s = ${describeShifts(shifts)}` });
  });
}

function describeShifts(shifts: readonly number[]): string {
  return shifts.every((s) => s === shifts[0]) ? String(shifts[0]) : `${listPreview(shifts)} per channel`;
}

function listPreview(values: readonly number[]): string {
  return `[${values.slice(0, 8).join(', ')}${values.length > 8 ? ', ...' : ''}]`;
}

/** a * 2^s per channel: the IR's exact left shift, as a Mul. */
export function shiftLeft(g: GraphBuilder, a: string, shifts: readonly number[], name: string, constLabel: string, shape?: ChannelShape): string {
  if (shifts.every((s) => s === 0)) return a;
  return g.op('Mul', [a, vectorConst(g, shifts.map((s) => 2 ** s), shape, constLabel)], { name, doc: `exact left shift by ${describeShifts(shifts)}` });
}

/**
 * clamp(a, T): saturation to the range of an IR type, one float64 Clip (exact: it selects a value or a bound). The
 * int64 Clip is avoided: ONNX Runtime's int64 Clip, Min and Max return wrong values for some operands beyond 32 bits
 * (microsoft/onnxruntime#25280).
 */
export function clamp(g: GraphBuilder, a: string, type: IntType, name: string): string {
  const lo = g.constant('double', minOf(type));
  const hi = g.constant('double', maxOf(type));
  return g.op('Clip', [a, lo, hi], { name, doc: `clamp to ${formatType(type)} [${minOf(type)}, ${maxOf(type)}]` });
}

/**
 * scaleBy(a, {mul, shift}) = roundShift(a * mul, shift) = floor(a * (mul / 2^shift) + 1/2); mul 0 and mul 2^shift
 * fold away. a * mul / 2^shift is exact (an integer below 2^53, scaled by a power of two), and so is the sum, whose
 * exact value (a * mul + 2^(shift-1)) / 2^shift has a numerator below 2^53 (check.ts).
 */
export function scaleBy(g: GraphBuilder, a: string, factor: { readonly mul: number; readonly shift: number }, name: string): string {
  if (factor.mul === 0) return g.op('Mul', [a, g.constant('double', 0)], { name, doc: 'factor 0' });
  if (factor.mul === 2 ** factor.shift) return a;
  if (factor.shift === 0) return g.op('Mul', [a, g.constant('double', factor.mul)], { name, doc: `* ${factor.mul}` });
  return g.scope(name, () => {
    const scaled = g.op('Mul', [a, g.constant('double', factor.mul / 2 ** factor.shift)], { name: 'scaled', doc: `* ${factor.mul}/2^${factor.shift}` });
    const lifted = g.op('Add', [scaled, g.constant('double', 0.5)], { name: 'plus_half' });
    return g.op('Floor', [lifted], { name: 'round', doc: `roundShift(a * ${factor.mul}, ${factor.shift})` });
  });
}

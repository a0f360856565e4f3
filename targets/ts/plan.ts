/**
 * @fileoverview The ts target's analysis of a program: value ranges of every stream, folded weight layouts and the
 * storage each buffer needs. The emitters read only this plan, so every exactness decision is made here, once.
 */
import { SnncError } from '../../compiler/errors.ts';
import type { ConvOp } from '../../compiler/ir/conv.ts';
import type { Program } from '../../compiler/ir/program.ts';
import { unreachable } from '../../compiler/ir/registry.ts';
import type { Factor, SpikingOp } from '../../compiler/ir/spiking.ts';
import { arrayKindFor, dotRange, fitsInt32, hull, rangeOf, roundShiftRange, SAFE, within, type ArrayKind, type Range } from './ranges.ts';

/**
 * A sparse stream of values between stages: `n` entries of (`idx`, `val`), nonzero values only, in increasing index
 * order. A binary stream has no `val`: every listed value is 1.
 */
export interface Stream {
  readonly length: number;
  readonly values: Range;
  readonly binary: boolean;
  /** The same at every timestep (a direct encoder and the stateless layers after it). */
  readonly constant: boolean;
  readonly idx: string;
  readonly val: string | undefined;
  readonly n: string;
  readonly valKind: ArrayKind;
}

export interface EncoderPlan {
  readonly kind: 'jitter' | 'direct';
  readonly jitterBits: number;
  readonly pixels: number;
  readonly out: Stream;
}

export interface ConvPlan {
  readonly kind: 'conv';
  readonly op: ConvOp;
  readonly index: number;
  /** Identifier prefix of this layer's constants and buffers. */
  readonly prefix: string;
  readonly input: Stream;
  /** Weights relaid out as [c][ky][kx][f], so the scatter's inner loop over filters is contiguous. */
  readonly weights: readonly number[];
  readonly weightKind: ArrayKind;
  readonly acc: Range;
  readonly accKind: ArrayKind;
  /** roundShift may use `>>`: every acc + 2^(s-1) fits int32. */
  readonly intShift: boolean;
  /** Output before the clamp, to know which sides of the clamp can trigger. */
  readonly shifted: Range;
  readonly outRange: Range;
  readonly out: Stream;
}

/**
 * Lane packing ("SIMD within a double"): `lanes` accumulators of units j = k*lanes + m share double k as
 * sum_m acc_j * 2^(laneBits*m), and the packed weights likewise, so one multiply-add serves `lanes` units. It is exact
 * because every partial sum of every lane lies strictly inside +-2^(laneBits-1) and the packed value stays below
 * 2^53; a lane is then recovered by rounding (docs: emit-layers.ts, unpack).
 */
export interface Packing {
  readonly lanes: number;
  readonly laneBits: number;
  /** Doubles per input row: ceil(units / lanes). */
  readonly words: number;
}

/** roundShift(v * mul, shift) with common factors of two removed; mul 0 means the term is 0. */
export interface FoldedFactor {
  readonly mul: number;
  readonly shift: number;
}

export interface SpikingPlan {
  readonly kind: 'spiking';
  readonly op: SpikingOp;
  readonly index: number;
  readonly prefix: string;
  readonly input: Stream;
  /** Weights transposed to [input][unit], each multiplied by 2^accShift[unit]: drive = bias + sum w' x, exactly. */
  readonly weights: readonly number[];
  readonly weightKind: ArrayKind;
  /** Range of drive_j = (acc_j << accShift_j) + bias_j and of all its partial sums. */
  readonly drive: Range;
  /** Several units' accumulators packed into one double (see `packing`), or undefined when they do not fit. */
  readonly packing: Packing | undefined;
  readonly driveKind: ArrayKind;
  readonly membrane: Range;
  readonly membraneKind: ArrayKind;
  readonly decay: FoldedFactor;
  /** Range of u before its clamp. */
  readonly preClamp: Range;
  readonly out: Stream;
  /** Visible membrane and output: this step's (delay 0) or the previous step's (delay 1). */
  readonly visibleU: string;
}

export type LayerPlan = ConvPlan | SpikingPlan;

export interface ModelPlan {
  readonly program: Program;
  readonly encoder: EncoderPlan;
  readonly layers: readonly LayerPlan[];
  readonly last: SpikingPlan;
}

/** Removes common powers of two from mul and 2^shift; exact: see docs/ir.md scaleBy. */
export function foldFactor(f: Factor): FoldedFactor {
  if (f.mul === 0) return { mul: 0, shift: 0 };
  let { mul, shift } = f;
  while (shift > 0 && mul % 2 === 0) {
    mul /= 2;
    shift--;
  }
  return { mul, shift };
}

/** Range of scaleBy(v, f) for v in r. */
export function factorRange(r: Range, f: FoldedFactor): Range {
  if (f.mul === 0) return { min: 0, max: 0 };
  return roundShiftRange({ min: r.min * f.mul, max: r.max * f.mul }, f.shift);
}

function requireSafe(r: Range, what: string): void {
  if (!within(r, SAFE)) throw new SnncError('unsupported', `${what} can reach ${Math.max(-r.min, r.max)}, beyond 2^53: not exact in a double`);
}

function requireLength(actual: number, expected: number, what: string): void {
  if (actual !== expected) throw new SnncError('ir', `${what} has ${actual} values, expected ${expected}`);
}

function stream(prefix: string, length: number, values: Range, binary: boolean, constant: boolean): Stream {
  return {
    length, values, binary, constant,
    idx: `${prefix}Idx`, val: binary ? undefined : `${prefix}Val`, n: `${prefix}N`,
    valKind: arrayKindFor(values),
  };
}

function planConv(op: ConvOp, index: number, input: Stream): ConvPlan {
  const [channels, height, width] = op.inShape;
  const [filters, outHeight, outWidth] = op.outShape;
  const k = op.kernel;
  const where = `layer ${op.name}`;
  if (input.length !== channels * height * width) throw new SnncError('ir', `${where}: input of ${input.length} values, inShape holds ${channels * height * width}`);
  if (outHeight !== height - k + 1 || outWidth !== width - k + 1 || k < 1) throw new SnncError('ir', `${where}: outShape does not match a valid ${k}x${k} convolution`);
  requireLength(op.weights.length, filters * channels * k * k, `${where} weights`);
  requireLength(op.bias.length, filters, `${where} bias`);
  requireLength(op.outShift.length, filters, `${where} outShift`);
  const weights: number[] = [];
  for (let c = 0; c < channels; c++)
    for (let ky = 0; ky < k; ky++)
      for (let kx = 0; kx < k; kx++)
        for (let f = 0; f < filters; f++) weights.push(op.weights[((f * channels + c) * k + ky) * k + kx]!);
  const perFilter = Array.from({ length: filters }, (_, f) => dotRange(op.weights.slice(f * channels * k * k, (f + 1) * channels * k * k), input.values, op.bias[f]!));
  const acc = hull(perFilter);
  requireSafe(acc, `${where} accumulator`);
  const maxHalf = Math.max(0, ...op.outShift.map((s) => (s > 0 ? 2 ** (s - 1) : 0)));
  const shifted = hull(perFilter.map((r, f) => roundShiftRange(r, op.outShift[f]!)));
  const outRange = rangeOf(op.outType);
  const values = { min: Math.max(outRange.min, Math.min(0, shifted.min)), max: Math.min(outRange.max, Math.max(0, shifted.max)) };
  const prefix = `l${index}`;
  return {
    kind: 'conv', op, index, prefix, input, weights, weightKind: arrayKindFor(hull(weights.map((w) => ({ min: w, max: w })))),
    acc, accKind: fitsInt32(acc) ? 'Int32Array' : 'Float64Array',
    intShift: fitsInt32({ min: acc.min, max: acc.max + maxHalf }) && op.outShift.every((s) => s <= 31),
    shifted, outRange, out: stream(prefix, filters * outHeight * outWidth, values, false, input.constant),
  };
}

function outputValues(op: SpikingOp): { values: Range; binary: boolean } {
  switch (op.output.kind) {
    case 'binary':
      return { values: { min: 0, max: 1 }, binary: true };
    case 'excess':
      return { values: { min: 0, max: Math.max(0, rangeOf(op.output.type).max) }, binary: false };
    default:
      return unreachable(op.output, 'output mode');
  }
}

/** The widest exact packing for accumulators in `acc` (bias excluded) and weights up to `maxWeight` in magnitude. */
export function planPacking(acc: Range, maxWeight: number, units: number): Packing | undefined {
  const bound = Math.max(-acc.min, acc.max, maxWeight);
  let laneBits = 2;
  while (2 ** (laneBits - 1) <= bound) laneBits++;
  let lanes = 1;
  // |packed| < bound * 2^(laneBits*(lanes-1)) * 2: keep it below 2^53.
  while (lanes < units && bound * 2 ** (laneBits * lanes + 1) < 2 ** 53) lanes++;
  if (lanes < 2) return undefined;
  return { lanes, laneBits, words: Math.ceil(units / lanes) };
}

function planSpiking(op: SpikingOp, index: number, input: Stream): SpikingPlan {
  const where = `layer ${op.name}`;
  requireLength(input.length, op.inputs, `${where} input`);
  requireLength(op.weights.length, op.units * op.inputs, `${where} weights`);
  requireLength(op.bias.length, op.units, `${where} bias`);
  requireLength(op.accShift.length, op.units, `${where} accShift`);
  if (op.threshold < 0) throw new SnncError('ir', `${where}: threshold ${op.threshold} is negative`);
  const weights = new Array<number>(op.units * op.inputs);
  const perUnit: Range[] = [];
  for (let j = 0; j < op.units; j++) {
    const factor = 2 ** op.accShift[j]!;
    const row = op.weights.slice(j * op.inputs, (j + 1) * op.inputs).map((w) => w * factor);
    row.forEach((w, i) => (weights[i * op.units + j] = w));
    perUnit.push(dotRange(row, input.values, op.bias[j]!));
  }
  const drive = hull(perUnit);
  requireSafe(drive, `${where} accumulator`);
  const maxWeight = weights.reduce((a, w) => Math.max(a, Math.abs(w)), 0);
  const membrane = rangeOf(op.membraneType);
  const decay = foldFactor(op.decay);
  const decayed = factorRange(membrane, decay);
  const preClamp = { min: decayed.min + drive.min, max: decayed.max + drive.max };
  requireSafe(preClamp, `${where} membrane update`);
  requireSafe({ min: membrane.min * decay.mul, max: membrane.max * decay.mul }, `${where} decay product`);
  if (op.reset.kind === 'refractory') requireSafe({ min: 0, max: membrane.max * op.reset.mul }, `${where} reset product`);
  const prefix = `l${index}`;
  const { values, binary } = outputValues(op);
  return {
    kind: 'spiking', op, index, prefix, input, weights,
    weightKind: arrayKindFor(hull(weights.map((w) => ({ min: w, max: w })))),
    drive, driveKind: fitsInt32(drive) ? 'Int32Array' : 'Float64Array',
    packing: planPacking(hull(perUnit.map((r, j) => ({ min: r.min - op.bias[j]!, max: r.max - op.bias[j]! }))), maxWeight, op.units),
    membrane, membraneKind: fitsInt32(membrane) ? 'Int32Array' : 'Float64Array',
    decay, preClamp,
    out: stream(op.delay === 1 ? `${prefix}Vis` : prefix, op.units, values, binary, false),
    visibleU: op.delay === 1 ? `${prefix}UVis` : `${prefix}U`,
  };
}

/** Analyses a program; throws SnncError('ir' | 'unsupported') for what cannot be emitted exactly. */
export function planModel(program: Program): ModelPlan {
  const [channels, height, width] = program.input.shape;
  const pixels = channels * height * width;
  const enc = program.encoder;
  // Pixels arrive as a Uint8Array, so encoded values lie in 0..255 whatever the declared input type says.
  const pixelRange = { min: 0, max: 255 };
  let encoder: EncoderPlan;
  switch (enc.kind) {
    case 'jitter':
      if (!Number.isInteger(enc.jitterBits) || enc.jitterBits < 1 || enc.jitterBits > 32) throw new SnncError('ir', `jitterBits ${enc.jitterBits} is outside 1..32`);
      encoder = { kind: 'jitter', jitterBits: enc.jitterBits, pixels, out: stream('x', pixels, pixelRange, false, false) };
      break;
    case 'direct':
      encoder = { kind: 'direct', jitterBits: 0, pixels, out: stream('pix', pixels, pixelRange, false, true) };
      break;
    default:
      return unreachable(enc, 'encoder');
  }
  const layers: LayerPlan[] = [];
  let input = encoder.out;
  program.layers.forEach((op, index) => {
    const plan = op.kind === 'conv' ? planConv(op, index, input) : planSpiking(op, index, input);
    layers.push(plan);
    input = plan.out;
  });
  const last = layers[layers.length - 1];
  if (last?.kind !== 'spiking') throw new SnncError('unsupported', 'the last layer must be spiking: the readout sums its membrane');
  if (last.op.units !== program.classes) throw new SnncError('ir', `the last layer has ${last.op.units} units, the program ${program.classes} classes`);
  if (!Number.isInteger(program.timesteps) || program.timesteps < 1) throw new SnncError('ir', `timesteps ${program.timesteps} must be >= 1`);
  const scoreBound = Math.max(-last.membrane.min, last.membrane.max) * program.timesteps;
  requireSafe({ min: -scoreBound, max: scoreBound }, 'the score');
  return { program, encoder, layers, last };
}

/**
 * @fileoverview The ts target's analysis of a program: value ranges of every stream, folded weight layouts and the
 * storage each buffer needs. The emitters read only this plan, so every exactness decision is made here, once.
 */
import { SnncError } from '../../base/errors.ts';
import type { ConvOp } from '../../ir/conv.ts';
import type { PoolOp } from '../../ir/pool.ts';
import type { IrLayer, Program } from '../../ir/program.ts';
import { unreachable } from '../../ir/registry.ts';
import type { Factor, SpikingOp } from '../../ir/spiking.ts';
import { windowOutSize } from '../../ir/window.ts';
import { arrayKindFor, clampRange, dotRange, fitsInt32, hull, rangeOf, roundShiftRange, SAFE, within, type ArrayKind, type Range } from './ranges.ts';

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

/** A sum or average pool: an event-driven scatter of window sums, then scaleBy and the output clamp. */
export interface PoolPlan {
  readonly kind: 'pool';
  readonly op: PoolOp;
  readonly index: number;
  readonly prefix: string;
  readonly input: Stream;
  /** Window sums and all their partial sums: at most kernel^2 input values each. */
  readonly acc: Range;
  readonly accKind: ArrayKind;
  readonly scale: FoldedFactor;
  /** Output before the clamp. */
  readonly shifted: Range;
  readonly outRange: Range;
  readonly out: Stream;
}

export interface SpikingPlan {
  readonly kind: 'spiking';
  readonly op: SpikingOp;
  readonly index: number;
  readonly prefix: string;
  readonly input: Stream;
  /**
   * dense: weights transposed to [input][unit], each multiplied by 2^accShift[unit]: drive = bias + sum w' x, exactly.
   * identity: 2^accShift[unit] per unit: drive_j = bias_j + 2^accShift[j] * x_j.
   */
  readonly weights: readonly number[];
  readonly weightKind: ArrayKind;
  /** Range of drive_j = (acc_j << accShift_j) + bias_j and of all its partial sums. */
  readonly drive: Range;
  /** Several units' accumulators packed into one double (see `packing`), or undefined when they do not fit. */
  readonly packing: Packing | undefined;
  readonly driveKind: ArrayKind;
  readonly membrane: Range;
  readonly membraneKind: ArrayKind;
  /** Values of the state v: the membrane's, and a `value` reset's constant. */
  readonly state: Range;
  readonly stateKind: ArrayKind;
  readonly decay: FoldedFactor;
  /** Range of u before its clamp. */
  readonly preClamp: Range;
  readonly out: Stream;
  /** Visible membrane and output: this step's (delay 0) or the previous step's (delay 1). */
  readonly visibleU: string;
}

export type LayerPlan = ConvPlan | SpikingPlan | PoolPlan;

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

/** Refuses a conv or pool whose kernel, stride, padding and shapes do not agree (docs/ir.md). */
function requireWindow(op: ConvOp | PoolOp, where: string, what: string): void {
  const { kernel: k, stride, padding } = op;
  const [, height, width] = op.inShape;
  const [, outHeight, outWidth] = op.outShape;
  if (!Number.isInteger(k) || k < 1) throw new SnncError('ir', `${where}: kernel ${k} is not an integer >= 1`);
  if (!Number.isInteger(stride) || stride < 1) throw new SnncError('ir', `${where}: stride ${stride} is not an integer >= 1`);
  if (!Number.isInteger(padding) || padding < 0 || padding >= k) throw new SnncError('ir', `${where}: padding ${padding} is outside 0..${k - 1}`);
  if (height + 2 * padding < k || width + 2 * padding < k || outHeight !== windowOutSize(height, k, stride, padding) || outWidth !== windowOutSize(width, k, stride, padding)) {
    throw new SnncError('ir', `${where}: outShape does not match a ${k}x${k} ${what} with stride ${stride} and padding ${padding}`);
  }
}

function planConv(op: ConvOp, index: number, input: Stream): ConvPlan {
  const [channels, height, width] = op.inShape;
  const [filters, outHeight, outWidth] = op.outShape;
  const k = op.kernel;
  const where = `layer ${op.name}`;
  if (input.length !== channels * height * width) throw new SnncError('ir', `${where}: input of ${input.length} values, inShape holds ${channels * height * width}`);
  requireWindow(op, where, 'convolution');
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

function planPool(op: PoolOp, index: number, input: Stream): PoolPlan {
  const [channels, height, width] = op.inShape;
  const [outChannels, outHeight, outWidth] = op.outShape;
  const where = `layer ${op.name}`;
  if (input.length !== channels * height * width) throw new SnncError('ir', `${where}: input of ${input.length} values, inShape holds ${channels * height * width}`);
  if (outChannels !== channels) throw new SnncError('ir', `${where}: pooling keeps the ${channels} channels, outShape has ${outChannels}`);
  requireWindow(op, where, `${op.mode} pool`);
  if (!Number.isSafeInteger(op.scale.mul) || op.scale.mul < 0 || !Number.isInteger(op.scale.shift) || op.scale.shift < 0) {
    throw new SnncError('ir', `${where}: scale ${op.scale.mul}/2^${op.scale.shift} is not a factor (mul >= 0, shift >= 0)`);
  }
  // The input range contains 0, so a window of at most kernel^2 values and every partial sum lie in kernel^2 * range.
  const taps = op.kernel * op.kernel;
  const acc = { min: taps * input.values.min, max: taps * input.values.max };
  requireSafe(acc, `${where} window sum`);
  const scale = foldFactor(op.scale);
  requireSafe({ min: acc.min * scale.mul, max: acc.max * scale.mul }, `${where} scaled window sum`);
  const shifted = factorRange(acc, scale);
  const outRange = rangeOf(op.outType);
  const values = { min: Math.max(outRange.min, Math.min(0, shifted.min)), max: Math.min(outRange.max, Math.max(0, shifted.max)) };
  const prefix = `l${index}`;
  return {
    kind: 'pool', op, index, prefix, input, acc, accKind: arrayKindFor(acc), scale, shifted, outRange,
    out: stream(prefix, channels * outHeight * outWidth, values, false, input.constant),
  };
}

/** Visible output values; `u` is the range of the clamped membrane (used by the membrane output). */
function outputValues(op: SpikingOp, u: Range): { values: Range; binary: boolean } {
  switch (op.output.kind) {
    case 'binary':
      return { values: { min: 0, max: 1 }, binary: true };
    case 'excess':
      return { values: { min: 0, max: Math.max(0, rangeOf(op.output.type).max) }, binary: false };
    case 'membrane': {
      const o = clampRange(roundShiftRange(u, op.output.shift), rangeOf(op.output.type));
      return { values: { min: Math.min(0, o.min), max: Math.max(0, o.max) }, binary: false };
    }
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

/** Range of the state v: the membrane's, widened by a `value` reset's constant (the golden runtime does not clamp it). */
function stateRange(op: SpikingOp, membrane: Range): Range {
  return op.reset.kind === 'value' ? hull([membrane, { min: op.reset.value, max: op.reset.value }]) : membrane;
}

function planSpiking(op: SpikingOp, index: number, input: Stream): SpikingPlan {
  const where = `layer ${op.name}`;
  requireLength(input.length, op.inputs, `${where} input`);
  requireLength(op.bias.length, op.units, `${where} bias`);
  requireLength(op.accShift.length, op.units, `${where} accShift`);
  if (op.threshold < 0) throw new SnncError('ir', `${where}: threshold ${op.threshold} is negative`);
  if (op.reset.kind === 'none' && op.output.kind !== 'membrane') throw new SnncError('ir', `${where}: reset none needs output membrane, but output ${op.output.kind} fires`);
  const identity = op.synapse === 'identity';
  if (identity && op.inputs !== op.units) throw new SnncError('ir', `${where}: an identity synapse needs inputs == units, got ${op.inputs} and ${op.units}`);
  requireLength(op.weights.length, identity ? 0 : op.units * op.inputs, `${where} weights`);
  const perUnit: Range[] = [];
  let weights: number[];
  if (identity) {
    weights = op.accShift.map((s) => 2 ** s);
    weights.forEach((w, j) => perUnit.push(dotRange([w], input.values, op.bias[j]!)));
  } else {
    weights = new Array<number>(op.units * op.inputs);
    for (let j = 0; j < op.units; j++) {
      const factor = 2 ** op.accShift[j]!;
      const row = op.weights.slice(j * op.inputs, (j + 1) * op.inputs).map((w) => w * factor);
      row.forEach((w, i) => (weights[i * op.units + j] = w));
      perUnit.push(dotRange(row, input.values, op.bias[j]!));
    }
  }
  const drive = hull(perUnit);
  requireSafe(drive, `${where} accumulator`);
  const maxWeight = weights.reduce((a, w) => Math.max(a, Math.abs(w)), 0);
  const membrane = rangeOf(op.membraneType);
  const state = stateRange(op, membrane);
  const decay = foldFactor(op.decay);
  const decayed = factorRange(state, decay);
  const preClamp = { min: decayed.min + drive.min, max: decayed.max + drive.max };
  requireSafe(preClamp, `${where} membrane update`);
  requireSafe({ min: state.min * decay.mul, max: state.max * decay.mul }, `${where} decay product`);
  if (op.reset.kind === 'refractory') requireSafe({ min: 0, max: membrane.max * op.reset.mul }, `${where} reset product`);
  const prefix = `l${index}`;
  const { values, binary } = outputValues(op, clampRange(preClamp, membrane));
  return {
    kind: 'spiking', op, index, prefix, input, weights,
    weightKind: arrayKindFor(hull(weights.map((w) => ({ min: w, max: w })))),
    drive, driveKind: fitsInt32(drive) ? 'Int32Array' : 'Float64Array',
    packing: identity ? undefined : planPacking(hull(perUnit.map((r, j) => ({ min: r.min - op.bias[j]!, max: r.max - op.bias[j]! }))), maxWeight, op.units),
    membrane, membraneKind: fitsInt32(membrane) ? 'Int32Array' : 'Float64Array',
    state, stateKind: fitsInt32(state) ? 'Int32Array' : 'Float64Array',
    decay, preClamp,
    out: stream(op.delay === 1 ? `${prefix}Vis` : prefix, op.units, values, binary, false),
    visibleU: op.delay === 1 ? `${prefix}UVis` : `${prefix}U`,
  };
}

/** Range of one score: T - begin visible values of the last layer, membranes or outputs by the readout's source. */
function scoreRange(program: Program, last: SpikingPlan): Range {
  const steps = program.timesteps - program.readout.begin;
  const source = program.readout.source;
  switch (source) {
    case 'membrane':
      return { min: last.membrane.min * steps, max: last.membrane.max * steps };
    case 'output':
      return { min: last.out.values.min * steps, max: last.out.values.max * steps };
    default:
      return unreachable(source, 'readout source');
  }
}

function planLayer(op: IrLayer, index: number, input: Stream): LayerPlan {
  switch (op.kind) {
    case 'conv':
      return planConv(op, index, input);
    case 'pool':
      return planPool(op, index, input);
    case 'spiking':
      return planSpiking(op, index, input);
    default:
      return unreachable(op, 'layer kind');
  }
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
    const plan = planLayer(op, index, input);
    layers.push(plan);
    input = plan.out;
  });
  const last = layers[layers.length - 1];
  if (last?.kind !== 'spiking') throw new SnncError('unsupported', 'the last layer must be spiking: the readout sums its visible values');
  if (last.op.units !== program.classes) throw new SnncError('ir', `the last layer has ${last.op.units} units, the program ${program.classes} classes`);
  if (!Number.isInteger(program.timesteps) || program.timesteps < 1) throw new SnncError('ir', `timesteps ${program.timesteps} must be >= 1`);
  const begin = program.readout.begin;
  if (!Number.isInteger(begin) || begin < 0 || begin >= program.timesteps) throw new SnncError('ir', `readout.begin ${begin} is outside 0..${program.timesteps - 1}`);
  requireSafe(scoreRange(program, last), 'the score');
  return { program, encoder, layers, last };
}

/**
 * @fileoverview The ts target's plan of a program: the storage of every stream and buffer, folded weight layouts and
 * lane packing, decided from the program and its bounds (ir/bounds.ts). The emitters read only this plan. It assumes
 * a valid program that check.ts accepted; it validates nothing.
 */
import { PIXEL_BYTES, programBounds, type ConvBounds, type PoolBounds, type SpikingBounds } from '../../ir/bounds.ts';
import type { ConvOp } from '../../ir/conv.ts';
import { foldFactor, hull, type FoldedFactor } from '../../ir/interval.ts';
import type { PoolOp } from '../../ir/pool.ts';
import type { EventBinning } from '../../ir/encoder.ts';
import type { Program } from '../../ir/program.ts';
import { unreachable } from '../../ir/registry.ts';
import { currentBias, type SpikingOp } from '../../ir/spiking.ts';
import { spikingTerms, type CurrentPlan, type RecurrentPlan } from './plan-recurrence.ts';
import { arrayKindFor, fitsInt32, rangeOf, type ArrayKind, type Range } from './ranges.ts';

export { factorInterval as factorRange, foldFactor, type FoldedFactor } from '../../ir/interval.ts';

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
  readonly kind: 'jitter' | 'direct' | 'events';
  readonly jitterBits: number;
  /** Values per image, or per frame of an events sample (C * H * W). */
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
 * 2^53; a lane is then recovered by rounding (docs: layer-spiking.ts, unpack).
 */
export interface Packing {
  readonly lanes: number;
  readonly laneBits: number;
  /** Doubles per input row: ceil(units / lanes). */
  readonly words: number;
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
  /** The bias the drive starts from: op.bias, or the current's bias when a synaptic current takes the bias after it. */
  readonly driveBias: readonly number[];
  /** Range of drive_j = (acc_j << accShift_j) + driveBias_j and of all its partial sums. */
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
  /** The recurrent synapse over this layer's outputs of the previous step, or undefined. */
  readonly recurrent: RecurrentPlan | undefined;
  /** The synaptic current state, or undefined (the drive and rec go straight to the membrane). */
  readonly current: CurrentPlan | undefined;
  /** This layer's own event buffers: before the update of step t overwrites them, its outputs of step t-1. */
  readonly own: Stream;
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
  /** Timesteps encoded and driven together (`TIME_BLOCK`, at most T), or 1: each timestep on its own. */
  readonly block: number;
}

/**
 * When a jitter encoder feeds a dense spiking layer, that layer's drive depends on the encoder alone, not on any state:
 * the encoder draws this many timesteps ahead (in the generator's order) and the drive of all of them is accumulated
 * in one pass over the nonzero pixels' weight rows, so each weight loaded serves every timestep of the block. Measured
 * in V8 on the MNIST example (784-100-10): 1.28x the images/s of one timestep per pass at T=8, 1.35x at T=128; blocks
 * of 2 and 8 timesteps came out within the noise of 4 on this shared machine.
 */
export const TIME_BLOCK = 4;

/** The name of a sample in the generated API: an image, or an events program's frames. */
export function sampleName(encoder: EncoderPlan): 'image' | 'frames' {
  return encoder.kind === 'events' ? 'frames' : 'image';
}

/** The binning of an events program that takes event lists (not a `frames` sequence), else undefined. */
export function eventBinning(program: Program): (EventBinning & { readonly source: 'dvs' | 'channels' }) | undefined {
  const encoder = program.encoder;
  if (encoder.kind !== 'events' || encoder.binning.source === 'frames') return undefined;
  return { ...encoder.binning, source: encoder.binning.source };
}

/** The name of the event type `binEvents` takes. */
export function eventTypeName(source: 'dvs' | 'channels'): string {
  return source === 'dvs' ? 'DvsEvents' : 'ChannelEvents';
}

function stream(prefix: string, length: number, values: Range, binary: boolean, constant: boolean): Stream {
  return {
    length, values, binary, constant,
    idx: `${prefix}Idx`, val: binary ? undefined : `${prefix}Val`, n: `${prefix}N`,
    valKind: arrayKindFor(values),
  };
}

function weightKindOf(weights: readonly number[]): ArrayKind {
  return arrayKindFor(hull(weights.map((w) => ({ min: w, max: w }))));
}

function planConv(op: ConvOp, bounds: ConvBounds, index: number, input: Stream): ConvPlan {
  const [channels] = op.inShape;
  const [filters, outHeight, outWidth] = op.outShape;
  const k = op.kernel;
  const weights: number[] = [];
  for (let c = 0; c < channels; c++)
    for (let ky = 0; ky < k; ky++)
      for (let kx = 0; kx < k; kx++)
        for (let f = 0; f < filters; f++) weights.push(op.weights[((f * channels + c) * k + ky) * k + kx]!);
  const acc = hull(bounds.acc);
  const maxHalf = Math.max(0, ...op.outShift.map((s) => (s > 0 ? 2 ** (s - 1) : 0)));
  const prefix = `l${index}`;
  return {
    kind: 'conv', op, index, prefix, input, weights, weightKind: weightKindOf(weights),
    acc, accKind: fitsInt32(acc) ? 'Int32Array' : 'Float64Array',
    intShift: fitsInt32({ min: acc.min, max: acc.max + maxHalf }) && op.outShift.every((s) => s <= 31),
    shifted: bounds.shifted, outRange: rangeOf(op.outType), out: stream(prefix, filters * outHeight * outWidth, bounds.output, false, input.constant),
  };
}

function planPool(op: PoolOp, bounds: PoolBounds, index: number, input: Stream): PoolPlan {
  const [channels] = op.inShape;
  const [, outHeight, outWidth] = op.outShape;
  const prefix = `l${index}`;
  return {
    kind: 'pool', op, index, prefix, input, acc: bounds.window, accKind: arrayKindFor(bounds.window), scale: foldFactor(op.scale),
    shifted: bounds.shifted, outRange: rangeOf(op.outType),
    out: stream(prefix, channels * outHeight * outWidth, bounds.output, false, input.constant),
  };
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

function planSpiking(op: SpikingOp, bounds: SpikingBounds, index: number, input: Stream): SpikingPlan {
  const identity = op.synapse === 'identity';
  let weights: number[];
  if (identity) {
    weights = op.accShift.map((s) => 2 ** s);
  } else {
    weights = new Array<number>(op.units * op.inputs);
    for (let j = 0; j < op.units; j++) {
      const factor = 2 ** op.accShift[j]!;
      for (let i = 0; i < op.inputs; i++) weights[i * op.units + j] = op.weights[j * op.inputs + i]! * factor;
    }
  }
  const terms = spikingTerms(op, bounds);
  const drive = hull(terms.drive);
  const maxWeight = weights.reduce((a, w) => Math.max(a, Math.abs(w)), 0);
  const membrane = rangeOf(op.membraneType);
  const prefix = `l${index}`;
  return {
    kind: 'spiking', op, index, prefix, input, weights, weightKind: weightKindOf(weights), driveBias: terms.driveBias,
    drive, driveKind: fitsInt32(drive) ? 'Int32Array' : 'Float64Array',
    packing: identity ? undefined : planPacking(hull(bounds.drive.map((r, j) => ({ min: r.min - op.bias[j]! - currentBias(op, j), max: r.max - op.bias[j]! - currentBias(op, j) }))), maxWeight, op.units),
    membrane, membraneKind: fitsInt32(membrane) ? 'Int32Array' : 'Float64Array',
    state: bounds.state, stateKind: fitsInt32(bounds.state) ? 'Int32Array' : 'Float64Array',
    decay: foldFactor(op.decay), preClamp: terms.preClamp, recurrent: terms.recurrent, current: terms.current,
    own: stream(prefix, op.units, bounds.output, op.output.kind === 'binary', false),
    out: stream(op.delay === 1 ? `${prefix}Vis` : prefix, op.units, bounds.output, op.output.kind === 'binary', false),
    visibleU: op.delay === 1 ? `${prefix}UVis` : `${prefix}U`,
  };
}

/** The plan of a program that check.ts accepted (its last layer is spiking). */
export function planModel(program: Program): ModelPlan {
  const [channels, height, width] = program.input.shape;
  const pixels = channels * height * width;
  const enc = program.encoder;
  const bounds = programBounds(program);
  // Pixels arrive as a Uint8Array, so encoded values lie in 0..255 whatever the declared input type says (bounds.ts).
  let encoder: EncoderPlan;
  switch (enc.kind) {
    case 'jitter':
      encoder = { kind: 'jitter', jitterBits: enc.jitterBits, pixels, out: stream('x', pixels, PIXEL_BYTES, false, false) };
      break;
    case 'direct':
      encoder = { kind: 'direct', jitterBits: 0, pixels, out: stream('pix', pixels, PIXEL_BYTES, false, true) };
      break;
    case 'events':
      // x_t = frame t: each timestep's nonzero counts, as the jitter encoder's x stream.
      encoder = { kind: 'events', jitterBits: 0, pixels, out: stream('x', pixels, PIXEL_BYTES, false, false) };
      break;
    default:
      return unreachable(enc, 'encoder');
  }
  const layers: LayerPlan[] = [];
  let input = encoder.out;
  program.layers.forEach((op, index) => {
    const at = bounds.layers[index]!;
    const plan = op.kind === 'conv' ? planConv(op, at as ConvBounds, index, input) : op.kind === 'pool' ? planPool(op, at as PoolBounds, index, input) : planSpiking(op, at as SpikingBounds, index, input);
    layers.push(plan);
    input = plan.out;
  });
  const first = program.layers[0]!;
  const blocked = enc.kind === 'jitter' && first.kind === 'spiking' && first.synapse === 'dense';
  return { program, encoder, layers, last: layers[layers.length - 1] as SpikingPlan, block: blocked ? Math.min(TIME_BLOCK, program.timesteps) : 1 };
}

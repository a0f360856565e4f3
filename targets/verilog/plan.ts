/**
 * @fileoverview The hardware plan: every width, lane count and constant the design needs, derived from a Program and
 * its bounds (ir/bounds.ts: accumulators from the actual weights and declared types), widened in bigint arithmetic,
 * so every register holds its exact value; the Verilog only wraps where the plan proves the true value fits (see the
 * comments at each width). It assumes a program check.ts accepted.
 */
import { programBounds, sentType, type ConvBounds, type LayerBounds, type PoolBounds, type SpikingBounds } from '../../ir/bounds.ts';
import type { ConvOp } from '../../ir/conv.ts';
import { foldFactor } from '../../ir/interval.ts';
import { maxOf, minOf, type IntType } from '../../ir/int-type.ts';
import type { PoolOp } from '../../ir/pool.ts';
import type { Program } from '../../ir/program.ts';
import type { Factor, RecurrentSynapse, SpikingOp, SynapticCurrent } from '../../ir/spiking.ts';
import { countBits, indexBits } from './cores/common.ts';
import { largest, smallest } from '../../base/array-extent.ts';
import { aerPlan, type AerPlan } from './aer-plan.ts';
import type { LoadPlan, PlanExtras } from './load-plan.ts';
import { SnncError } from '../../base/errors.ts';

/** [min, max] is the whole range of a `bits`-bit two's-complement value (a clamp to it tests sign bits). */
function spansSignedRange(min: bigint, max: bigint, bits: number): boolean {
  return min === -(1n << big(bits - 1)) && max === (1n << big(bits - 1)) - 1n;
}

/** Bits of a two's-complement value holding every integer in [-bound, bound]. */
export function signedBits(bound: bigint): number {
  let bits = 1;
  while ((1n << BigInt(bits - 1)) - 1n < bound) bits++;
  return bits;
}

/** Input stream width for a dense first layer: a 32-bit (AXI-stream style) bus of packed pixels. */
export const INPUT_BUS_BITS = 32;

const big = (n: number): bigint => BigInt(n);
const max = (...values: number[]): number => Math.max(...values);

/** Hardware bits of a type: two's complement, with a sign bit added to unsigned types. */
export function hwBits(t: IntType): number {
  return t.bits + (t.signed ? 0 : 1);
}

/** A multiply-and-shift factor with common powers of two removed (exactly the same roundShift result). */
export interface HwFactor {
  readonly mul: number;
  readonly shift: number;
  /** Signed bits of `mul`. */
  readonly bits: number;
}

export function normalizeFactor(f: Factor): HwFactor {
  const { mul, shift } = foldFactor(f);
  return { mul, shift, bits: signedBits(big(mul)) };
}

/** Values carried by an event list: raw bits of the producer's type. */
export interface ValuePlan {
  readonly bits: number;
  readonly signed: boolean;
  readonly type: IntType;
}

export interface ListPlan {
  readonly name: string;
  /** Address bits (flat index, or {channel, row, column} for a conv consumer). */
  readonly addrBits: number;
  readonly value: ValuePlan;
  readonly depth: number;
  readonly banks: 1 | 2;
  readonly countBits: number;
  /** Consumer wants coordinates (a conv or pool consumer): the producer writes {c, r, s} of the consumer's inShape. */
  readonly coords: boolean;
  /** With coords: the consumer's input shape, which a spiking producer's coordinate counter walks. */
  readonly shape?: readonly [channels: number, height: number, width: number];
}

export interface SpikingPlan {
  readonly kind: 'spiking';
  readonly layer: number;
  readonly op: SpikingOp;
  /** Identity synapse: no weights and no MACs; the step's events go to a unit-addressed RAM the neuron core reads. */
  readonly identity: boolean;
  readonly lanes: number;
  readonly groups: number;
  readonly unitBits: number;
  readonly laneBits: number;
  readonly groupBits: number;
  readonly indexBits: number;
  readonly wAddrBits: number;
  readonly weightBits: number;
  readonly accBits: number;
  readonly macBits: number;
  readonly memBits: number;
  readonly memMin: bigint;
  readonly memMax: bigint;
  /** [memMin, memMax] is the whole signed memBits range, so a clamp to it tests sign bits (cores/common.ts clampSigned). */
  readonly memFull: boolean;
  readonly sumBits: number;
  readonly biasBits: number;
  readonly accShift: number;
  readonly shiftBits: number;
  readonly decay: HwFactor;
  readonly reset: HwFactor;
  /** Bits of v * decay.mul plus its rounding constant 2^(shift-1); likewise for the reset product. */
  readonly decayWidth: number;
  readonly resetWidth: number;
  /** The threshold compared against (0 for output membrane, which never fires). */
  readonly threshold: bigint;
  /** Reset 'value': v after a spike (0 for other resets). */
  readonly resetValue: bigint;
  readonly outBits: number;
  readonly outMin: bigint;
  readonly outMax: bigint;
  /** Holds u - threshold (or u, for output membrane), its rounding constant, and the output clamp bounds. */
  readonly excessBits: number;
  /** op.recurrent: a second synapse whose events are the layer's own outputs of the previous step. */
  readonly recurrent?: RecurrentPlan;
  /** op.synaptic: the current state c, a second RAM in the neuron core. */
  readonly current?: CurrentPlan;
}

/**
 * The recurrent synapse: an snn_synapse over the layer's own event list (its nonzero outputs of step t - 1, two banks
 * by step parity), with weights [units, units]. A dense layer's has the layer's lanes and groups; an identity layer's
 * neuron core updates every unit in one capture, so its recurrent synapse has a lane per unit.
 */
export interface RecurrentPlan {
  readonly lanes: number;
  readonly groups: number;
  readonly wAddrBits: number;
  readonly weightBits: number;
  readonly accBits: number;
  readonly macBits: number;
  /** recurrent.accShift common to every unit (its smallest), its largest, and the bits of each unit's extra shift (0: none). */
  readonly shift: number;
  readonly shiftMax: number;
  readonly shiftBits: number;
  /** The layer's own events: {unit, o}. */
  readonly list: ListPlan;
}

/** The synaptic current c: its type's bits and bounds, its decay, and the width of c * decay.mul with its rounding. */
export interface CurrentPlan {
  readonly bits: number;
  readonly min: bigint;
  readonly max: bigint;
  /** [min, max] is the whole signed `bits` range (the clamp tests sign bits). */
  readonly full: boolean;
  readonly decay: HwFactor;
  readonly decayWidth: number;
  /** Bits of synaptic.bias in the unit word (0: no bias), and its largest |value|. */
  readonly biasBits: number;
  readonly biasMax: bigint;
}

/**
 * A conv stage; a pool layer runs on the same core as the conv with weights w[f,c,ki,kj] = (f == c) * scale.mul, bias 0
 * and outShift scale.shift (`poolAsConv`), which is exactly clamp(roundShift(windowSum * mul, shift), outType).
 */
export interface ConvPlan {
  readonly kind: 'conv';
  readonly layer: number;
  /** The conv the core computes (for a pool layer, its conv form). */
  readonly op: ConvOp;
  /** The IR layer it implements. */
  readonly source: ConvOp | PoolOp;
  readonly lanes: number;
  readonly groups: number;
  readonly chBits: number;
  readonly rowBits: number;
  readonly colBits: number;
  readonly filterBits: number;
  readonly laneBits: number;
  readonly groupBits: number;
  readonly posBits: number;
  readonly wAddrBits: number;
  readonly aAddrBits: number;
  readonly weightBits: number;
  readonly accBits: number;
  readonly macBits: number;
  readonly biasBits: number;
  readonly shiftBits: number;
  readonly sumBits: number;
  readonly outBits: number;
  readonly outMin: bigint;
  readonly outMax: bigint;
  /** Bits of a flat CHW output index. */
  readonly flatBits: number;
  /** Output event address: flat CHW index bits, or coordinate bits for a conv consumer. */
  readonly outIndexBits: number;
  /** Signed bits of the window quotients (r + padding - ki) / stride, and bits of their remainders. */
  readonly quotientBits: number;
  readonly remainderBits: number;
}

export type StagePlan = SpikingPlan | ConvPlan;


export interface DesignPlan {
  readonly program: Program;
  readonly lanes: number;
  /** Lanes of the layers after the first, when the board flow asked for fewer. */
  readonly laterLanes?: number;
  readonly load?: LoadPlan;
  /** The readout keeps its scores in a ring (cores/readout.ts): the board flow, with a one-lane last layer. */
  readonly ringReadout?: boolean;
  /** Later layers' synapse products and the jitter product in two halves a stage apart (SPLIT_PRODUCT, SPLIT_JITTER). */
  readonly splitLaterProducts?: boolean;
  readonly pixels: number;
  readonly pixelBits: number;
  /** Pixels per input beat: a 32-bit bus for a dense first layer, one pixel (with coordinates) for a conv; 1 for events. */
  readonly beatPixels: number;
  readonly input: { readonly chBits: number; readonly rowBits: number; readonly colBits: number; readonly indexBits: number };
  /** Set for an events program: the input is an address-event stream, and the input list has a bank per step parity. */
  readonly aer?: AerPlan;
  readonly stages: readonly StagePlan[];
  /** lists[l] feeds stage l. */
  readonly lists: readonly ListPlan[];
  readonly stepBits: number;
  readonly stageBits: number;
  readonly readout: {
    readonly classes: number; readonly classBits: number; readonly memBits: number; readonly scoreBits: number;
    readonly any: boolean; readonly first: number; readonly last: number;
  };
}

function valuePlan(t: IntType): ValuePlan {
  return { bits: t.bits, signed: t.signed, type: t };
}

/** The largest |acc| over rows, bias excluded (0 for no rows), from the bounds' per-row magnitudes. */
function widestRow(rowMagnitudes: readonly number[]): bigint {
  return big(largest(rowMagnitudes, 0));
}

/** Bits for the weights: the declared type, widened if an actual value falls outside it. */
function weightBitsOf(weights: readonly number[], type: IntType): number {
  let bits = hwBits(type);
  const low = smallest(weights, 0);
  const high = largest(weights, 0);
  while (low < -(2 ** (bits - 1)) || high > 2 ** (bits - 1) - 1) bits++;
  return bits;
}

/** `inType` is the type of the values the producer actually sends (the encoder's or the previous layer's output). */
function planSpiking(op: SpikingOp, bounds: SpikingBounds, layer: number, lanesWanted: number, inType: IntType): SpikingPlan {
  const identity = op.synapse === 'identity';
  // The identity synapse has no accumulator lanes: the neuron core walks every unit in one group.
  const lanes = identity ? 1 : Math.min(lanesWanted, op.units);
  const groups = identity ? 1 : Math.ceil(op.units / lanes);
  const weightBits = identity ? 1 : weightBitsOf(op.weights, op.weightType);
  // acc_j = x_j for the identity synapse: the producer's value as a signed number.
  const accBits = identity ? hwBits(inType) : signedBits(widestRow(bounds.accMagnitude));
  const memBits = hwBits(op.membraneType);
  const memMin = big(minOf(op.membraneType));
  const memMax = big(maxOf(op.membraneType));
  const vMax = -memMin > memMax ? -memMin : memMax;
  const decay = normalizeFactor(op.decay);
  const reset = op.reset.kind === 'refractory' ? normalizeFactor(op.reset) : normalizeFactor({ mul: 0, shift: 0 });
  const shiftMin = smallest(op.accShift);
  const shiftMax = largest(op.accShift);
  const biasMax = op.bias.reduce((m, b) => (big(Math.abs(b)) > m ? big(Math.abs(b)) : m), 0n);
  const biasBits = signedBits(biasMax);
  const decayMax = (vMax * big(decay.mul)) / (1n << big(decay.shift)) + 1n;
  const accMax = (1n << big(accBits - 1)) << big(shiftMax);
  const decayWidth = max(memBits + decay.bits, decay.shift + 1) + 1;
  const resetWidth = max(memBits + reset.bits, reset.shift + 1) + 1;
  const lanesOf = { lanes, groups, unitBits: indexBits(op.units) };
  const recurrent = op.recurrent ? planRecurrent(op, op.recurrent, bounds.recurrentMagnitude, identity ? { ...lanesOf, lanes: op.units, groups: 1 } : lanesOf) : undefined;
  const current = op.synaptic ? planCurrent(op.synaptic) : undefined;
  // Every intermediate of the update (the sum, the decay and reset products, u - penalty) fits SUM_BITS; with a
  // recurrent synapse or a current, so do in_j = (acc << accShift) + (rec << recurrent.accShift) and the current's sum.
  const sumBits = recurrent || current
    ? extendedSumBits(accMax, recurrent, current, [signedBits(decayMax + biasMax), decayWidth, accBits + shiftMax, biasBits, resetWidth + 1, memBits + 1], decayMax + biasMax)
    : max(signedBits(decayMax + accMax + biasMax), decayWidth, accBits + shiftMax, biasBits, resetWidth + 1, memBits + 1) + 1;
  const membraneOut = op.output.kind === 'membrane';
  const threshold = membraneOut ? 0n : big(op.threshold) > memMax ? memMax : big(op.threshold);
  const outMin = big(minOf(op.output.type));
  const outMax = big(maxOf(op.output.type));
  const outShift = op.output.kind === 'binary' ? 0 : op.output.shift;
  const round = outShift > 0 ? 1n << big(outShift - 1) : 0n;
  const excessBits = max(signedBits(memMax - memMin + round), memBits + 1, signedBits(outMax), signedBits(-outMin)) + 1;
  return {
    kind: 'spiking', layer, op, identity, lanes, groups,
    unitBits: indexBits(op.units), laneBits: indexBits(lanes), groupBits: indexBits(groups), indexBits: indexBits(op.inputs),
    wAddrBits: indexBits(op.inputs * groups), weightBits, accBits, macBits: max(accBits, weightBits, hwBits(inType) + 1),
    memBits, memMin, memMax, memFull: spansSignedRange(memMin, memMax, memBits), sumBits, biasBits, accShift: shiftMin, shiftBits: shiftMax === shiftMin ? 0 : indexBits(shiftMax - shiftMin + 1),
    decay, reset, decayWidth, resetWidth, threshold, resetValue: op.reset.kind === 'value' ? big(op.reset.value) : 0n,
    outBits: op.output.type.bits, outMin, outMax, excessBits, recurrent, current,
  };
}

/** The recurrent synapse of a layer whose neuron core takes `lanes` units per capture; `rowMagnitudes`: |rec_j| bounds. */
function planRecurrent(op: SpikingOp, rec: RecurrentSynapse, rowMagnitudes: readonly number[], at: { lanes: number; groups: number; unitBits: number }): RecurrentPlan {
  const outType = op.output.type;
  const accBits = signedBits(widestRow(rowMagnitudes));
  const weightBits = weightBitsOf(rec.weights, rec.weightType);
  const shiftMin = smallest(rec.accShift);
  const shiftMax = largest(rec.accShift);
  return {
    lanes: at.lanes, groups: at.groups, wAddrBits: indexBits(op.units * at.groups), weightBits, accBits,
    macBits: max(accBits, weightBits, hwBits(outType) + 1), shift: shiftMin, shiftMax, shiftBits: shiftMax === shiftMin ? 0 : indexBits(shiftMax - shiftMin + 1),
    list: { name: `${op.name}_own`, addrBits: at.unitBits, value: valuePlan(outType), depth: op.units, banks: 2, countBits: countBits(op.units), coords: false },
  };
}

function planCurrent(syn: SynapticCurrent): CurrentPlan {
  const bits = hwBits(syn.type);
  const decay = normalizeFactor(syn.decay);
  const [lo, hi] = [big(minOf(syn.type)), big(maxOf(syn.type))];
  const biasMax = big(largest((syn.bias ?? []).map(Math.abs), 0));
  const biasBits = syn.bias ? signedBits(biasMax) : 0;
  return { bits, min: lo, max: hi, full: spansSignedRange(lo, hi, bits), decay, decayWidth: max(bits + decay.bits, decay.shift + 1) + 1, biasBits, biasMax };
}

/**
 * SUM_BITS of a layer with a recurrent synapse or a current: it holds in_j (the aligned input and recurrent sums), the
 * current's decayed value plus in_j, and the membrane's sum scaleBy(v) + c + bias (`others` and `rest` = |scaleBy(v)| +
 * |bias| bound the terms the feed-forward core also has).
 */
function extendedSumBits(accMax: bigint, rec: RecurrentPlan | undefined, current: CurrentPlan | undefined, others: readonly number[], rest: bigint): number {
  const recMax = rec ? (1n << big(rec.accBits - 1)) << big(rec.shiftMax) : 0n;
  const inMax = accMax + recMax + (current ? current.biasMax : 0n);
  const cMax = current ? (-current.min > current.max ? -current.min : current.max) : 0n;
  const cDecayed = current ? (cMax * big(current.decay.mul)) / (1n << big(current.decay.shift)) + 1n : 0n;
  const drive = current ? cMax : inMax;
  return max(...others, signedBits(rest + drive), signedBits(cDecayed + inMax), rec ? rec.accBits + rec.shiftMax : 1, current ? current.decayWidth : 1, current ? current.bits + 1 : 1) + 1;
}

/** A pool layer as the conv the conv core computes: a diagonal filter bank of scale.mul, no bias, outShift scale.shift. */
export function poolAsConv(op: PoolOp): ConvOp {
  const [channels] = op.inShape;
  const k = op.kernel;
  const weights: number[] = [];
  for (let f = 0; f < channels; f++) for (let c = 0; c < channels; c++) for (let i = 0; i < k * k; i++) weights.push(f === c ? op.scale.mul : 0);
  return {
    kind: 'conv', name: op.name, inShape: op.inShape, outShape: op.outShape, kernel: k, stride: op.stride, padding: op.padding,
    inType: op.inType, weights, weightType: { signed: true, bits: signedBits(big(op.scale.mul)), frac: 0 }, weightFrac: new Array<number>(channels).fill(0),
    bias: new Array<number>(channels).fill(0), accType: { signed: true, bits: 48, frac: op.inType.frac },
    outShift: new Array<number>(channels).fill(op.scale.shift), outType: op.outType, learned: false,
  };
}

/** `bounds`: the layer's; a pool's conv form has rows of kernel^2 taps of scale.mul, so its bound is window * mul. */
function planConv(source: ConvOp | PoolOp, bounds: ConvBounds | PoolBounds, layer: number, lanesWanted: number, coordsOut: boolean, inType: IntType): ConvPlan {
  const op = source.kind === 'pool' ? poolAsConv(source) : source;
  const [channels, height, width] = op.inShape;
  const [filters, outHeight, outWidth] = op.outShape;
  const lanes = Math.min(lanesWanted, filters);
  const groups = Math.ceil(filters / lanes);
  const k = op.kernel;
  const weightBits = weightBitsOf(op.weights, op.weightType);
  const productMax = source.kind === 'pool' && bounds.kind === 'pool' ? big(bounds.windowMagnitude * source.scale.mul) : bounds.kind === 'conv' ? widestRow(bounds.productMagnitude) : 0n;
  const accBits = signedBits(productMax);
  const biasMax = op.bias.reduce((m, b) => (big(Math.abs(b)) > m ? big(Math.abs(b)) : m), 0n);
  const biasBits = signedBits(biasMax);
  const shiftMax = largest(op.outShift);
  const round = shiftMax > 0 ? 1n << big(shiftMax - 1) : 0n;
  const accMax = 1n << big(accBits - 1);
  const outBits = hwBits(op.outType);
  const sumBits = max(signedBits(accMax + biasMax + round), accBits, biasBits, outBits) + 1;
  const chBits = indexBits(filters);
  const rowBits = indexBits(outHeight);
  const colBits = indexBits(outWidth);
  return {
    kind: 'conv', layer, op, source, lanes, groups,
    chBits: indexBits(channels), rowBits: indexBits(height), colBits: indexBits(width),
    filterBits: chBits, laneBits: indexBits(lanes), groupBits: indexBits(groups), posBits: indexBits(outHeight * outWidth),
    wAddrBits: indexBits(channels * k * k * groups), aAddrBits: indexBits(outHeight * outWidth * groups),
    weightBits, accBits, macBits: max(accBits, weightBits, hwBits(inType) + 1), biasBits,
    shiftBits: indexBits(shiftMax + 1), sumBits, outBits: op.outType.bits,
    outMin: big(minOf(op.outType)), outMax: big(maxOf(op.outType)),
    flatBits: indexBits(filters * outHeight * outWidth),
    outIndexBits: coordsOut ? chBits + rowBits + colBits : indexBits(filters * outHeight * outWidth),
    // (r + padding - ki) / stride lies in [-(kernel - 1), height - 1 + padding]; the stride itself must fit too.
    quotientBits: signedBits(big(max(k, height + op.padding, width + op.padding, op.stride))),
    remainderBits: indexBits(op.stride),
  };
}

/** The plan for `program` with `lanes` neurons (or conv filters) per cycle. Call after target.check. */
export function planDesign(program: Program, lanes: number, extras: PlanExtras = {}): DesignPlan {
  const [channels, height, width] = program.input.shape;
  const pixels = channels * height * width;
  const layers = program.layers;
  /** The input shape of layer l when it takes coordinates (a conv or pool), else undefined. */
  const windowShape = (l: number): readonly [number, number, number] | undefined => {
    const op = layers[l];
    return op?.kind === 'conv' || op?.kind === 'pool' ? op.inShape : undefined;
  };
  const consumerIsConv = (l: number): boolean => windowShape(l) !== undefined;
  const producedType = (l: number): IntType => {
    const before = layers[l - 1];
    return before === undefined ? program.input.type : sentType(before);
  };
  const bounds = programBounds(program);
  const events = program.encoder.kind === 'events';
  const stages: StagePlan[] = layers.map((op, l) => {
    const at: LayerBounds = bounds.layers[l]!;
    const wanted = l > 0 && extras.laterLanes !== undefined ? extras.laterLanes : lanes;
    return op.kind === 'spiking' ? planSpiking(op, at as SpikingBounds, l, wanted, producedType(l)) : planConv(op, at as ConvBounds | PoolBounds, l, wanted, consumerIsConv(l + 1), producedType(l));
  });
  const inputIndexBits = indexBits(pixels);
  const coordBits = (shape: readonly [number, number, number]): number => shape.reduce((a, d) => a + indexBits(d), 0);
  const lists: ListPlan[] = [{
    name: 'input', addrBits: consumerIsConv(0) ? indexBits(channels) + indexBits(height) + indexBits(width) : inputIndexBits,
    value: valuePlan(program.input.type), depth: pixels, banks: events ? 2 : 1, countBits: countBits(pixels), coords: consumerIsConv(0), shape: windowShape(0),
  }];
  stages.forEach((stage, l) => {
    if (l === stages.length - 1) return;
    const op = stage.op;
    if (stage.kind === 'conv') {
      const depth = stage.op.outShape.reduce((a, b) => a * b, 1);
      lists.push({ name: op.name, addrBits: stage.outIndexBits, value: valuePlan(stage.op.outType), depth, banks: 2, countBits: countBits(depth), coords: consumerIsConv(l + 1), shape: windowShape(l + 1) });
    } else {
      const spiking = stage.op;
      const shape = windowShape(l + 1);
      lists.push({
        name: op.name, addrBits: shape ? coordBits(shape) : stage.unitBits, value: valuePlan(spiking.output.type), depth: spiking.units,
        banks: 2, countBits: countBits(spiking.units), coords: shape !== undefined, shape,
      });
    }
  });
  const last = stages[stages.length - 1] as SpikingPlan;
  const delay = last.op.delay;
  const firstStep = Math.max(program.readout.begin - delay, 0);
  const lastStep = program.timesteps - 1 - delay;
  const any = lastStep >= firstStep;
  const counted = any ? lastStep - firstStep + 1 : 0;
  // The readout sums the visible membrane u, or the visible output o (sign- or zero-extended by one bit).
  const fromOutput = program.readout.source === 'output';
  const low = fromOutput ? last.outMin : last.memMin;
  const high = fromOutput ? last.outMax : last.memMax;
  const vMax = -low > high ? -low : high;
  const readBits = fromOutput ? last.outBits + 1 : last.memBits;
  return {
    program, lanes, ...(extras.laterLanes !== undefined ? { laterLanes: extras.laterLanes } : {}),
    ...(extras.loaded ? { load: loadPlan(stages[0]!) } : {}), ...((extras.ringReadout ?? extras.loaded) && last.lanes === 1 && !last.identity ? { ringReadout: true } : {}),
    ...(extras.splitLaterProducts ? { splitLaterProducts: true } : {}),
    pixels, pixelBits: program.input.type.bits,
    beatPixels: lists[0]!.coords || events ? 1 : Math.max(1, Math.min(pixels, Math.floor(INPUT_BUS_BITS / program.input.type.bits))),
    input: { chBits: indexBits(channels), rowBits: indexBits(height), colBits: indexBits(width), indexBits: inputIndexBits },
    aer: events ? aerPlan(program) : undefined,
    stages, lists, stepBits: indexBits(program.timesteps), stageBits: indexBits(stages.length),
    readout: {
      classes: program.classes, classBits: last.unitBits, memBits: readBits,
      scoreBits: max(signedBits(big(counted) * vMax), readBits),
      any, first: any ? firstStep : 0, last: any ? lastStep : 0,
    },
  };
}

/** The loaded form exists for a dense spiking first layer (the weights that outgrow block RAM). */
function loadPlan(first: StagePlan): LoadPlan {
  if (first.kind !== 'spiking' || first.identity || first.recurrent) {
    throw new SnncError('usage', 'loaded weights: the first layer must be a dense spiking layer without recurrence');
  }
  return { layer: 0, words: first.groups * first.op.inputs, width: first.lanes * first.weightBits, addrBits: first.wAddrBits };
}

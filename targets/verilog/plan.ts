/**
 * @fileoverview The hardware plan: every width, lane count and constant the design needs, derived from a Program.
 * Widths come from bounds on the actual weights and types (bigint arithmetic), so every register holds its exact
 * value; the Verilog only wraps where the plan proves the true value fits (see the comments at each width).
 */
import type { ConvOp } from '../../compiler/ir/conv.ts';
import { maxOf, minOf, type IntType } from '../../compiler/ir/int-type.ts';
import type { Program } from '../../compiler/ir/program.ts';
import type { Factor, SpikingOp } from '../../compiler/ir/spiking.ts';
import { countBits, indexBits } from './cores/common.ts';

/** Bits of a two's-complement value holding every integer in [-bound, bound]. */
export function signedBits(bound: bigint): number {
  let bits = 1;
  while ((1n << BigInt(bits - 1)) - 1n < bound) bits++;
  return bits;
}

/** Input stream width for a dense first layer: a 32-bit (AXI-stream style) bus of packed pixels. */
export const INPUT_BUS_BITS = 32;

const big = (n: number): bigint => BigInt(n);
const absMax = (t: IntType): bigint => (big(-minOf(t)) > big(maxOf(t)) ? big(-minOf(t)) : big(maxOf(t)));
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
  let { mul, shift } = f;
  while (shift > 0 && mul > 0 && mul % 2 === 0) {
    mul /= 2;
    shift -= 1;
  }
  if (mul === 0) shift = 0;
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
  /** Consumer wants coordinates: the producer writes {c, r, s}. */
  readonly coords: boolean;
}

export interface SpikingPlan {
  readonly kind: 'spiking';
  readonly layer: number;
  readonly op: SpikingOp;
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
  readonly sumBits: number;
  readonly biasBits: number;
  readonly accShift: number;
  readonly shiftBits: number;
  readonly decay: HwFactor;
  readonly reset: HwFactor;
  /** Bits of v * decay.mul plus its rounding constant 2^(shift-1); likewise for the reset product. */
  readonly decayWidth: number;
  readonly resetWidth: number;
  readonly threshold: bigint;
  readonly outBits: number;
  readonly outMax: bigint;
  readonly excessBits: number;
}

export interface ConvPlan {
  readonly kind: 'conv';
  readonly layer: number;
  readonly op: ConvOp;
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
}

export type StagePlan = SpikingPlan | ConvPlan;

export interface DesignPlan {
  readonly program: Program;
  readonly lanes: number;
  readonly pixels: number;
  readonly pixelBits: number;
  /** Pixels per input beat: a 32-bit bus for a dense first layer, one pixel (with coordinates) for a conv. */
  readonly beatPixels: number;
  readonly input: { readonly chBits: number; readonly rowBits: number; readonly colBits: number; readonly indexBits: number };
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

/** Largest |sum_i w[row, i] * x_i| over rows, for |x_i| <= xMax. */
function rowBound(weights: readonly number[], rows: number, cols: number, xMax: bigint): bigint {
  let best = 0n;
  for (let r = 0; r < rows; r++) {
    let s = 0n;
    for (let c = 0; c < cols; c++) s += big(Math.abs(weights[r * cols + c]!));
    if (s > best) best = s;
  }
  return best * xMax;
}

/** Bits for the weights: the declared type, widened if an actual value falls outside it. */
function weightBitsOf(weights: readonly number[], type: IntType): number {
  let bits = hwBits(type);
  const low = Math.min(0, ...weights);
  const high = Math.max(0, ...weights);
  while (low < -(2 ** (bits - 1)) || high > 2 ** (bits - 1) - 1) bits++;
  return bits;
}

/** `inType` is the type of the values the producer actually sends (the encoder's or the previous layer's output). */
function planSpiking(op: SpikingOp, layer: number, lanesWanted: number, inType: IntType): SpikingPlan {
  const lanes = Math.min(lanesWanted, op.units);
  const groups = Math.ceil(op.units / lanes);
  const weightBits = weightBitsOf(op.weights, op.weightType);
  const accBits = signedBits(rowBound(op.weights, op.units, op.inputs, absMax(inType)));
  const memBits = hwBits(op.membraneType);
  const memMin = big(minOf(op.membraneType));
  const memMax = big(maxOf(op.membraneType));
  const vMax = -memMin > memMax ? -memMin : memMax;
  const decay = normalizeFactor(op.decay);
  const reset = op.reset.kind === 'refractory' ? normalizeFactor(op.reset) : normalizeFactor({ mul: 0, shift: 0 });
  const shiftMin = Math.min(...op.accShift);
  const shiftMax = Math.max(...op.accShift);
  const biasMax = op.bias.reduce((m, b) => (big(Math.abs(b)) > m ? big(Math.abs(b)) : m), 0n);
  const biasBits = signedBits(biasMax);
  const decayMax = (vMax * big(decay.mul)) / (1n << big(decay.shift)) + 1n;
  const accMax = (1n << big(accBits - 1)) << big(shiftMax);
  const decayWidth = max(memBits + decay.bits, decay.shift + 1) + 1;
  const resetWidth = max(memBits + reset.bits, reset.shift + 1) + 1;
  // Every intermediate of the update (the sum, the decay and reset products, u - penalty) fits SUM_BITS.
  const sumBits = max(signedBits(decayMax + accMax + biasMax), decayWidth, accBits + shiftMax, biasBits, resetWidth + 1, memBits + 1) + 1;
  const threshold = big(op.threshold) > memMax ? memMax : big(op.threshold);
  const outMax = big(maxOf(op.output.type));
  const round = op.output.kind === 'excess' && op.output.shift > 0 ? 1n << big(op.output.shift - 1) : 0n;
  const excessBits = max(signedBits(memMax - memMin + round), memBits + 1, signedBits(outMax)) + 1;
  return {
    kind: 'spiking', layer, op, lanes, groups,
    unitBits: indexBits(op.units), laneBits: indexBits(lanes), groupBits: indexBits(groups), indexBits: indexBits(op.inputs),
    wAddrBits: indexBits(op.inputs * groups), weightBits, accBits, macBits: max(accBits, weightBits, hwBits(inType) + 1),
    memBits, memMin, memMax, sumBits, biasBits, accShift: shiftMin, shiftBits: shiftMax === shiftMin ? 0 : indexBits(shiftMax - shiftMin + 1),
    decay, reset, decayWidth, resetWidth, threshold, outBits: op.output.type.bits, outMax, excessBits,
  };
}

function planConv(op: ConvOp, layer: number, lanesWanted: number, coordsOut: boolean, inType: IntType): ConvPlan {
  const [channels, height, width] = op.inShape;
  const [filters, outHeight, outWidth] = op.outShape;
  const lanes = Math.min(lanesWanted, filters);
  const groups = Math.ceil(filters / lanes);
  const k = op.kernel;
  const weightBits = weightBitsOf(op.weights, op.weightType);
  const accBits = signedBits(rowBound(op.weights, filters, channels * k * k, absMax(inType)));
  const biasMax = op.bias.reduce((m, b) => (big(Math.abs(b)) > m ? big(Math.abs(b)) : m), 0n);
  const biasBits = signedBits(biasMax);
  const shiftMax = Math.max(...op.outShift);
  const round = shiftMax > 0 ? 1n << big(shiftMax - 1) : 0n;
  const accMax = 1n << big(accBits - 1);
  const outBits = hwBits(op.outType);
  const sumBits = max(signedBits(accMax + biasMax + round), accBits, biasBits, outBits) + 1;
  const chBits = indexBits(filters);
  const rowBits = indexBits(outHeight);
  const colBits = indexBits(outWidth);
  return {
    kind: 'conv', layer, op, lanes, groups,
    chBits: indexBits(channels), rowBits: indexBits(height), colBits: indexBits(width),
    filterBits: chBits, laneBits: indexBits(lanes), groupBits: indexBits(groups), posBits: indexBits(outHeight * outWidth),
    wAddrBits: indexBits(channels * k * k * groups), aAddrBits: indexBits(outHeight * outWidth * groups),
    weightBits, accBits, macBits: max(accBits, weightBits, hwBits(inType) + 1), biasBits,
    shiftBits: indexBits(shiftMax + 1), sumBits, outBits: op.outType.bits,
    outMin: big(minOf(op.outType)), outMax: big(maxOf(op.outType)),
    flatBits: indexBits(filters * outHeight * outWidth),
    outIndexBits: coordsOut ? chBits + rowBits + colBits : indexBits(filters * outHeight * outWidth),
  };
}

/** The plan for `program` with `lanes` neurons (or conv filters) per cycle. Call after target.check. */
export function planDesign(program: Program, lanes: number): DesignPlan {
  const [channels, height, width] = program.input.shape;
  const pixels = channels * height * width;
  const layers = program.layers;
  const consumerIsConv = (l: number): boolean => layers[l]?.kind === 'conv';
  const producedType = (l: number): IntType => {
    const before = layers[l - 1];
    return before === undefined ? program.input.type : before.kind === 'conv' ? before.outType : before.output.type;
  };
  const stages: StagePlan[] = layers.map((op, l) =>
    op.kind === 'conv' ? planConv(op, l, lanes, consumerIsConv(l + 1), producedType(l)) : planSpiking(op, l, lanes, producedType(l)));
  const inputIndexBits = indexBits(pixels);
  const lists: ListPlan[] = [{
    name: 'input', addrBits: consumerIsConv(0) ? indexBits(channels) + indexBits(height) + indexBits(width) : inputIndexBits,
    value: valuePlan(program.input.type), depth: pixels, banks: 1, countBits: countBits(pixels), coords: consumerIsConv(0),
  }];
  stages.forEach((stage, l) => {
    if (l === stages.length - 1) return;
    const op = stage.op;
    if (stage.kind === 'conv') {
      const depth = stage.op.outShape.reduce((a, b) => a * b, 1);
      lists.push({ name: op.name, addrBits: stage.outIndexBits, value: valuePlan(stage.op.outType), depth, banks: 2, countBits: countBits(depth), coords: consumerIsConv(l + 1) });
    } else {
      const spiking = stage.op;
      lists.push({
        name: op.name, addrBits: stage.unitBits, value: valuePlan(spiking.output.type), depth: spiking.units,
        banks: 2, countBits: countBits(spiking.units), coords: false,
      });
    }
  });
  const last = stages[stages.length - 1] as SpikingPlan;
  const delay = last.op.delay;
  const firstStep = Math.max(program.readout.begin - delay, 0);
  const lastStep = program.timesteps - 1 - delay;
  const any = lastStep >= firstStep;
  const counted = any ? lastStep - firstStep + 1 : 0;
  const vMax = -last.memMin > last.memMax ? -last.memMin : last.memMax;
  return {
    program, lanes, pixels, pixelBits: program.input.type.bits,
    beatPixels: lists[0]!.coords ? 1 : Math.max(1, Math.min(pixels, Math.floor(INPUT_BUS_BITS / program.input.type.bits))),
    input: { chBits: indexBits(channels), rowBits: indexBits(height), colBits: indexBits(width), indexBits: inputIndexBits },
    stages, lists, stepBits: indexBits(program.timesteps), stageBits: indexBits(stages.length),
    readout: {
      classes: program.classes, classBits: last.unitBits, memBits: last.memBits,
      scoreBits: max(signedBits(big(counted) * vMax), last.memBits),
      any, first: any ? firstStep : 0, last: any ? lastStep : 0,
    },
  };
}

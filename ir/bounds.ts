/**
 * @fileoverview The bounds of every value of a program, computed once: the lowering's range-analysis narrows the
 * types with them and every target's check and plan reads them. A pure function of the Program.
 *
 * Integer semantics. Every figure is an integer bound, exact while it stays below 2^53 (a double's exact integers;
 * validateProgram keeps the declared figures below 2^48). Two views, each stated once:
 * - Declared (`*Magnitude`): the largest |value| the IR's declared types allow. A layer's input is at most
 *   maxAbs of the type its producer sends (the first layer: the pixel bytes or input.type, whichever is wider; event counts: input.type), an
 *   accumulator at most sum_i |w_i| * that (bias excluded unless named), and so is each of its partial sums.
 * - Reached (`Interval`s): the values that can actually arrive, propagated from the pixels: bytes 0..255 (Batch
 *   images are Uint8Array, and neither encoder makes a pixel larger), then each layer's output after its clamp, with
 *   0 included (a sparse stream carries the zeros it leaves out). Accumulator intervals hold every partial sum.
 * Recurrence (docs/ir.md): the recurrent synapse reads the layer's own output r, which lies in the output type's
 * values whatever happened (max|o| of output.type, declared; the clamped output of any membrane, reached), so its sum
 * rec_j is bounded without a fixed point. The synaptic current c is a leaky sum of in_j + cb_j (cb its bias), clamped
 * to its type: over T steps |c| <= ceil(|c| * decay) + 1 + |in + cb| step by step (membraneBound's rule), which for decay < 1 stays below the
 * geometric limit (|in| + 1) / (1 - decay) for any T; for decay >= 1 it grows with T and the clamp can bite
 * (`currentClampFree` says whether it can within T steps).
 */
import type { ConvOp } from './conv.ts';
import { maxOf, minOf, type IntType } from './int-type.ts';
import {
  clampInterval, dotInterval, factorInterval, foldFactor, hull, l1Norm, magnitude, roundShiftInterval, scaleInterval,
  sumInterval, typeInterval, withZero, type Interval,
} from './interval.ts';
import type { PoolOp } from './pool.ts';
import type { IrLayer, Program } from './program.ts';
import { unreachable } from './registry.ts';
import { currentBias, type SpikingOp, type SynapticCurrent } from './spiking.ts';

/** Pixels are bytes: a Batch image is a Uint8Array, whatever input.type declares. */
export const PIXEL_BYTES: Interval = { min: 0, max: 255 };

interface LayerInput {
  /** Largest |x| by the declared type of what the producer sends (declared view). */
  readonly inputMagnitude: number;
  /** The values that can reach the layer (reached view); contains 0. */
  readonly input: Interval;
}

export interface ConvBounds extends LayerInput {
  readonly kind: 'conv';
  /** Per filter: sum_i |w_i| * inputMagnitude, bias excluded. */
  readonly productMagnitude: readonly number[];
  /** Per filter: productMagnitude + |bias|: the largest |acc| the declared types allow. */
  readonly accMagnitude: readonly number[];
  /** Per filter: bias + sum_i w_i x_i over the reached input, and every partial sum. */
  readonly acc: readonly Interval[];
  /** roundShift(acc_f, outShift_f) over every filter, before the output clamp. */
  readonly shifted: Interval;
  /** The values sent on: the clamped outputs, and 0. */
  readonly output: Interval;
}

export interface PoolBounds extends LayerInput {
  readonly kind: 'pool';
  /** kernel^2 * inputMagnitude: the largest |window sum| the declared input type allows. */
  readonly windowMagnitude: number;
  /** scaleBy(window sum, scale) over the declared input type's interval. */
  readonly declaredScaled: Interval;
  /** Window sums over the reached input, and every partial sum (at most kernel^2 values, each interval holds 0). */
  readonly window: Interval;
  /** scaleBy(window sum, scale), before the output clamp. */
  readonly shifted: Interval;
  readonly output: Interval;
}

export interface SpikingBounds extends LayerInput {
  readonly kind: 'spiking';
  /** Per unit: sum_i |w_ji| * inputMagnitude (identity: inputMagnitude), bias excluded. */
  readonly accMagnitude: readonly number[];
  /** Per unit: sum_k |recurrent.weights[j,k]| * max|output.type|, the unshifted |rec_j| (0 without `recurrent`). */
  readonly recurrentMagnitude: readonly number[];
  /**
   * Per unit: the largest |c_j|, the term the membrane adds besides the decayed v and the bias: |in_j| =
   * accMagnitude * 2^accShift + recurrentMagnitude * 2^recurrent.accShift without `synaptic`; with it, the leaky sum
   * of |in_j| + |synaptic.bias_j| over T steps, at most max|synaptic.type| (see the file comment).
   */
  readonly currentMagnitude: readonly number[];
  /** False when the synaptic current's clamp can trigger within T steps (true without `synaptic`). */
  readonly currentClampFree: boolean;
  /** Per unit: currentMagnitude + |bias|: the largest |drive| the declared types allow. */
  readonly driveMagnitude: readonly number[];
  /** The largest |u| and |v| over the program's T steps, integrating decay, drive and reset (membraneBound). */
  readonly membraneMagnitude: number;
  /**
   * Per unit: drive_j = bias_j + cb_j + 2^accShift_j * acc_j + 2^recurrent.accShift_j * rec_j over the reached input
   * and the output type's values, and every partial sum (cb_j = synaptic.bias_j, 0 without it). With `synaptic`,
   * in_j + cb_j = drive_j - bias_j feeds the current (a target starting its sum from cb_j has these partial sums).
   */
  readonly drive: readonly Interval[];
  /** With `synaptic`: scaleBy(c, synaptic.decay) + in_j + cb_j over the current type and the drives, before its clamp. */
  readonly currentPreClamp?: Interval;
  /** The state v: the membrane type's interval, widened by a `value` reset's constant (not clamped). */
  readonly state: Interval;
  /** u = scaleBy(v, decay) + drive (with `synaptic`: + c + bias), before the membrane clamp. */
  readonly preClamp: Interval;
  /** The visible outputs, and 0. */
  readonly output: Interval;
}

export type LayerBounds = ConvBounds | PoolBounds | SpikingBounds;

export interface ProgramBounds {
  readonly layers: readonly LayerBounds[];
  /** (T - readout.begin) * maxAbs of the read type: the largest |score| the declared types allow. */
  readonly scoreMagnitude: number;
  /** One score over the reached values of the last layer's visible membrane or output. */
  readonly score: Interval;
}

/**
 * Bound on |u| and |v| over `timesteps` steps for one unit whose input term is at most `drive`. After a spike,
 * |v| <= |u| for subtract (0 <= u - threshold < u) and zero, <= |1 - factor| |u| + 1 for refractory, and = |value|
 * for a value reset; a membrane-output layer never fires.
 */
export function membraneBound(op: SpikingOp, drive: number, timesteps: number): number {
  const decay = op.decay.mul / 2 ** op.decay.shift;
  const refractory = op.reset.kind === 'refractory' ? Math.abs(1 - op.reset.mul / 2 ** op.reset.shift) : 0;
  const resetValue = op.reset.kind === 'value' ? Math.abs(op.reset.value) : 0;
  let v = 0;
  let peak = 0;
  for (let t = 0; t < timesteps; t++) {
    const u = (op.decay.mul === 0 ? 0 : Math.ceil(v * decay) + 1) + drive;
    const after = op.reset.kind === 'refractory' ? Math.max(u, Math.ceil(u * refractory) + 1) : Math.max(u, resetValue);
    peak = Math.max(peak, u, after);
    v = after;
    if (!Number.isFinite(v) || v > 2 ** 52) return Infinity;
  }
  return peak;
}

/**
 * The largest |c| of a synaptic current fed at most `input` per step over `timesteps` steps (the file comment's rule,
 * clamped to its type), and whether the unclamped sum stays within the type (the clamp never triggers).
 */
export function currentBound(synaptic: SynapticCurrent, input: number, timesteps: number): { magnitude: number; clampFree: boolean } {
  const decay = synaptic.decay.mul / 2 ** synaptic.decay.shift;
  const limit = maxAbs(synaptic.type);
  let c = 0;
  let peak = 0;
  let clampFree = true;
  for (let t = 0; t < timesteps; t++) {
    const unclamped = (synaptic.decay.mul === 0 ? 0 : Math.ceil(c * decay) + 1) + input;
    if (unclamped > maxOf(synaptic.type)) clampFree = false;
    c = Math.min(unclamped, limit);
    peak = Math.max(peak, c);
  }
  return { magnitude: peak, clampFree };
}

function maxAbs(t: IntType): number {
  return Math.max(maxOf(t), -minOf(t));
}

/** Rows of a row-major weight matrix. */
function rows(weights: readonly number[], count: number): (readonly number[])[] {
  const cols = count === 0 ? 0 : weights.length / count;
  return Array.from({ length: count }, (_, r) => weights.slice(r * cols, (r + 1) * cols));
}

/** Output interval of a conv or pool: the clamp of the shifted values, with 0. */
function clampedOutput(shifted: Interval, outType: IntType): Interval {
  const out = typeInterval(outType);
  return { min: Math.max(out.min, Math.min(0, shifted.min)), max: Math.min(out.max, Math.max(0, shifted.max)) };
}

function convBounds(op: ConvOp, at: LayerInput): ConvBounds {
  const filters = rows(op.weights, op.outShape[0]);
  const productMagnitude = filters.map((w) => l1Norm(w) * at.inputMagnitude);
  const acc = filters.map((w, f) => dotInterval(w, at.input, op.bias[f]!));
  const shifted = hull(acc.map((r, f) => roundShiftInterval(r, op.outShift[f]!)));
  return {
    kind: 'conv', ...at, productMagnitude, accMagnitude: productMagnitude.map((p, f) => p + Math.abs(op.bias[f]!)),
    acc, shifted, output: clampedOutput(shifted, op.outType),
  };
}

function poolBounds(op: PoolOp, at: LayerInput, declaredInput: Interval): PoolBounds {
  const taps = op.kernel * op.kernel;
  const scale = foldFactor(op.scale);
  const window = scaleInterval(at.input, taps);
  const shifted = factorInterval(window, scale);
  return {
    kind: 'pool', ...at, windowMagnitude: taps * at.inputMagnitude,
    declaredScaled: factorInterval(scaleInterval(declaredInput, taps), scale),
    window, shifted, output: clampedOutput(shifted, op.outType),
  };
}

/** Visible output values of a spiking layer whose clamped membrane lies in `u`. */
function spikingOutput(op: SpikingOp, u: Interval): Interval {
  switch (op.output.kind) {
    case 'binary':
      return { min: 0, max: 1 };
    case 'excess':
      return { min: 0, max: Math.max(0, maxOf(op.output.type)) };
    case 'membrane':
      return withZero(clampInterval(roundShiftInterval(u, op.output.shift), typeInterval(op.output.type)));
    default:
      return unreachable(op.output, 'output mode');
  }
}

function spikingBounds(op: SpikingOp, at: LayerInput, timesteps: number): SpikingBounds {
  const identity = op.synapse === 'identity';
  const units = identity ? [] : rows(op.weights, op.units);
  const accMagnitude = identity ? new Array<number>(op.units).fill(at.inputMagnitude) : units.map((w) => l1Norm(w) * at.inputMagnitude);
  const membrane = typeInterval(op.membraneType);
  // r: any output the layer can emit, whatever its membrane did (declared: max|output.type|).
  const fed = spikingOutput(op, membrane);
  const rec = op.recurrent;
  const recRows = rec ? rows(rec.weights, op.units) : [];
  const recurrentMagnitude = rec ? recRows.map((w) => l1Norm(w) * maxAbs(op.output.type)) : new Array<number>(op.units).fill(0);
  const recurrentDrive = (j: number): Interval => (rec ? dotInterval(recRows[j]!.map((w) => w * 2 ** rec.accShift[j]!), fed, 0) : { min: 0, max: 0 });
  const inMagnitude = accMagnitude.map((a, j) => a * 2 ** op.accShift[j]! + (rec ? recurrentMagnitude[j]! * 2 ** rec.accShift[j]! : 0) + Math.abs(currentBias(op, j)));
  const currents = op.synaptic ? inMagnitude.map((m) => currentBound(op.synaptic!, m, timesteps)) : [];
  const currentMagnitude = op.synaptic ? currents.map((c) => c.magnitude) : inMagnitude;
  const driveMagnitude = currentMagnitude.map((c, j) => c + Math.abs(op.bias[j]!));
  let membraneMagnitude = Math.max(op.threshold, op.reset.kind === 'value' ? Math.abs(op.reset.value) : 0);
  driveMagnitude.forEach((d, j) => (membraneMagnitude = Math.max(membraneMagnitude, Math.abs(op.bias[j]!), membraneBound(op, d, timesteps))));
  const start = (j: number): number => op.bias[j]! + currentBias(op, j);
  const inputDrive = identity
    ? op.accShift.map((s, j) => dotInterval([2 ** s], at.input, start(j)))
    : units.map((w, j) => dotInterval(w.map((x) => x * 2 ** op.accShift[j]!), at.input, start(j)));
  const drive = inputDrive.map((d, j) => sumInterval(d, recurrentDrive(j)));
  const state = op.reset.kind === 'value' ? hull([membrane, { min: op.reset.value, max: op.reset.value }]) : membrane;
  const decayed = factorInterval(state, foldFactor(op.decay));
  const bias = hull(op.bias.map((b) => ({ min: b, max: b })));
  const syn = op.synaptic;
  // With a current: in + cb = drive - bias feeds c; the membrane adds c (within its type) and the bias.
  const currentPreClamp = syn ? sumInterval(factorInterval(typeInterval(syn.type), foldFactor(syn.decay)), hull(drive.map((d, j) => sumInterval(d, { min: -op.bias[j]!, max: -op.bias[j]! })))) : undefined;
  const added = syn ? sumInterval(clampInterval(currentPreClamp!, typeInterval(syn.type)), bias) : hull(drive);
  const preClamp = sumInterval(decayed, added);
  return {
    kind: 'spiking', ...at, accMagnitude, recurrentMagnitude, currentMagnitude, currentClampFree: currents.every((c) => c.clampFree),
    driveMagnitude, membraneMagnitude, drive, ...(currentPreClamp ? { currentPreClamp } : {}), state, preClamp,
    output: spikingOutput(op, clampInterval(preClamp, membrane)),
  };
}

/** The type of the values a layer sends on. */
export function sentType(op: IrLayer): IntType {
  switch (op.kind) {
    case 'conv':
    case 'pool':
      return op.outType;
    case 'spiking':
      return op.output.type;
    default:
      return unreachable(op, 'layer kind');
  }
}

/** (T - begin) * maxAbs of the type the readout reads: the declared bound on one score. */
export function scoreMagnitude(program: Program): number {
  const last = program.layers[program.layers.length - 1];
  if (last?.kind !== 'spiking') return Infinity;
  const read = program.readout.source === 'output' ? last.output.type : last.membraneType;
  return (program.timesteps - program.readout.begin) * maxAbs(read);
}

/** The bounds of every layer's values and of the score; see the file comment for what each figure means. */
export function programBounds(program: Program): ProgramBounds {
  const layers: LayerBounds[] = [];
  // Event counts are refused above max(input.type) by every runner (runtime/sample.ts), so they need no byte hull.
  const events = program.encoder.kind === 'events' ? typeInterval(program.input.type) : undefined;
  let declared = events ?? hull([PIXEL_BYTES, typeInterval(program.input.type)]);
  let input = events ?? PIXEL_BYTES;
  for (const op of program.layers) {
    const at: LayerInput = { inputMagnitude: magnitude(declared), input };
    const bounds = op.kind === 'conv' ? convBounds(op, at) : op.kind === 'pool' ? poolBounds(op, at, declared) : spikingBounds(op, at, program.timesteps);
    layers.push(bounds);
    declared = typeInterval(sentType(op));
    input = bounds.output;
  }
  const last = layers[layers.length - 1];
  const steps = program.timesteps - program.readout.begin;
  const lastOp = program.layers[program.layers.length - 1];
  const read = lastOp?.kind !== 'spiking' || last?.kind !== 'spiking'
    ? { min: 0, max: 0 }
    : program.readout.source === 'membrane' ? typeInterval(lastOp.membraneType) : last.output;
  return { layers, scoreMagnitude: scoreMagnitude(program), score: { min: read.min * steps, max: read.max * steps } };
}


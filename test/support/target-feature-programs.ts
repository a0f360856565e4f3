/**
 * @fileoverview Hand-built tiny programs, one per IR feature added for NIR (conv stride and padding, sum and avg pools,
 * identity synapses, membrane outputs, value and none resets, output readouts), part of the shared set every target
 * runs (conformance-set.ts).
 * Every program passes validateProgram; `activity` says which layers must show nonzero values, so a test over them
 * cannot pass on programs that do nothing.
 */
import { intType, maxOf, minOf, signedBitsFor, type IntType } from '../../ir/int-type.ts';
import type { ConvOp } from '../../ir/conv.ts';
import type { PoolOp } from '../../ir/pool.ts';
import type { IrLayer, Program } from '../../ir/program.ts';
import { makeRandom } from '../../ir/random-program.ts';
import type { Factor, IrOutput, IrReset, SpikingOp } from '../../ir/spiking.ts';
import { validateProgram } from '../../ir/validate.ts';
import { windowOutSize } from '../../ir/window.ts';

type Shape = readonly [number, number, number];

const PIXEL = intType(false, 8, 8);

function maxAbs(t: IntType): number {
  return Math.max(maxOf(t), -minOf(t));
}

/** Conv with every filter's weights given; accType sized to the largest accumulator. */
function conv(name: string, inShape: Shape, inType: IntType, window: { kernel: number; stride: number; padding: number }, weights: number[][], bias: number[], outShift: number, outType: IntType): ConvOp {
  const { kernel, stride, padding } = window;
  const filters = weights.length;
  const bound = Math.max(...weights.map((w, f) => Math.abs(bias[f]!) + w.reduce((a, v) => a + Math.abs(v) * maxAbs(inType), 0)));
  return {
    kind: 'conv', name, inShape, kernel, stride, padding, inType,
    outShape: [filters, windowOutSize(inShape[1], kernel, stride, padding), windowOutSize(inShape[2], kernel, stride, padding)],
    weights: weights.flat(), weightType: intType(true, 8, 0), weightFrac: new Array<number>(filters).fill(0), bias,
    accType: intType(true, signedBitsFor(bound), inType.frac), outShift: new Array<number>(filters).fill(outShift), outType, learned: true,
  };
}

function pool(name: string, mode: 'sum' | 'avg', inShape: Shape, inType: IntType, window: { kernel: number; stride: number; padding: number }, scale: Factor, outType: IntType): PoolOp {
  const { kernel, stride, padding } = window;
  return {
    kind: 'pool', name, mode, inShape, kernel, stride, padding, inType, scale, outType,
    outShape: [inShape[0], windowOutSize(inShape[1], kernel, stride, padding), windowOutSize(inShape[2], kernel, stride, padding)],
  };
}

interface SpikingSpec {
  readonly inputs: number;
  readonly units: number;
  readonly inType: IntType;
  /** Dense weights [units][inputs], or absent for the identity synapse. */
  readonly weights?: number[][];
  readonly bias?: number[];
  readonly accShift?: number[];
  readonly membrane?: IntType;
  readonly decay?: Factor;
  readonly threshold?: number;
  readonly output: IrOutput;
  readonly reset: IrReset;
  readonly delay?: 0 | 1;
}

function spiking(name: string, s: SpikingSpec): SpikingOp {
  const weights = s.weights?.flat() ?? [];
  const bound = s.weights === undefined ? maxAbs(s.inType) : Math.max(...s.weights.map((row) => row.reduce((a, w) => a + Math.abs(w) * maxAbs(s.inType), 0)));
  return {
    kind: 'spiking', name, inputs: s.inputs, units: s.units, inType: s.inType, synapse: s.weights === undefined ? 'identity' : 'dense',
    weights, weightType: intType(true, 8, 0), weightFrac: new Array<number>(s.units).fill(0),
    accType: intType(true, Math.max(2, signedBitsFor(bound)), s.inType.frac), accShift: s.accShift ?? new Array<number>(s.units).fill(0),
    bias: s.bias ?? new Array<number>(s.units).fill(0), membraneType: s.membrane ?? intType(true, 20, 0),
    decay: s.decay ?? { mul: 58982, shift: 16 }, threshold: s.output.kind === 'membrane' ? 0 : s.threshold ?? 400,
    output: s.output, reset: s.reset, delay: s.delay ?? 0,
  };
}

/** Dense weights in [-range, range], seeded. */
function randomWeights(seed: number, units: number, inputs: number, range: number): number[][] {
  const rand = makeRandom(seed);
  return Array.from({ length: units }, () => Array.from({ length: inputs }, () => Math.round((rand() * 2 - 1) * range)));
}

function program(name: string, shape: Shape, layers: IrLayer[], readout: { source: 'membrane' | 'output'; begin?: number }, options: { timesteps?: number; jitter?: boolean } = {}): Program {
  const last = layers[layers.length - 1] as SpikingOp;
  const timesteps = options.timesteps ?? 5;
  const begin = readout.begin ?? 0;
  const read = readout.source === 'output' ? last.output.type : last.membraneType;
  return validateProgram({
    format: 'snnc-ir', version: 1, name, sourceSha256: '0'.repeat(64), timesteps, classes: last.units,
    input: { shape, type: PIXEL, realPerLsb: 1 / 255 },
    encoder: options.jitter ? { kind: 'jitter', prng: 'xorshift32', jitterBits: 8, outType: PIXEL } : { kind: 'direct', outType: PIXEL },
    layers,
    readout: { kind: 'sum', source: readout.source, begin, scoreType: intType(true, signedBitsFor((timesteps - begin) * maxAbs(read)), read.frac), realPerLsb: 2 ** -read.frac },
    quantization: { weightBits: 8, granularity: 'layer', activationBits: 8, calibration: { dataset: 'none', images: 0, seed: 0 }, provenNoSaturation: false },
  });
}

const BINARY: IrOutput = { kind: 'binary', type: intType(false, 1, 0) };
const S16 = intType(true, 16, 0);

/** conv 1x5x5, kernel 3, stride 2, padding 1: filter 0 sums its window (box), filter 1 copies the window's centre. */
export function convStridePadding(): Program {
  const box = new Array<number>(9).fill(1);
  const centre = [0, 0, 0, 0, 1, 0, 0, 0, 0];
  const c = conv('conv', [1, 5, 5], PIXEL, { kernel: 3, stride: 2, padding: 1 }, [box, centre], [0, -3], 0, S16);
  const out = spiking('out', { inputs: 18, units: 3, inType: S16, weights: randomWeights(1, 3, 18, 4), threshold: 600, output: BINARY, reset: { kind: 'subtract' } });
  return program('feature-conv-stride-padding', [1, 5, 5], [c, out], { source: 'membrane' });
}

/** conv 2x6x5, kernel 2, stride 3, no padding (rows and columns the stride skips), then stride 1 padding 2 on its output. */
export function convStrideSkips(): Program {
  const c1 = conv('conv_s3', [2, 6, 5], PIXEL, { kernel: 2, stride: 3, padding: 0 }, [[1, -2, 3, 1, 2, 1, -1, 1], [0, 1, 1, 0, 1, 0, 0, 1]], [5, 0], 1, intType(true, 12, 0));
  const c2 = conv('conv_p2', c1.outShape, c1.outType, { kernel: 3, stride: 1, padding: 2 }, [[1, 2, 1, 0, -1, 0, 1, 1, 1, 2, 0, 0, 1, 0, 1, -1, 1, 0]], [7], 2, intType(true, 10, 0));
  const inputs = c2.outShape[0] * c2.outShape[1] * c2.outShape[2];
  const out = spiking('out', { inputs, units: 2, inType: c2.outType, weights: randomWeights(2, 2, inputs, 6), threshold: 300, output: { kind: 'excess', shift: 3, type: intType(false, 6, 0) }, reset: { kind: 'zero' } });
  return program('feature-conv-stride-skips', [2, 6, 5], [c1, c2, out], { source: 'membrane' });
}

/** sum pool 2x4x4, kernel 2, stride 2 -> 2x2x2 (window sums up to 1020 in u10), into a dense excess layer. */
export function poolSum(): Program {
  const p = pool('pool', 'sum', [2, 4, 4], PIXEL, { kernel: 2, stride: 2, padding: 0 }, { mul: 1, shift: 0 }, intType(false, 10, 0));
  const out = spiking('out', { inputs: 8, units: 2, inType: p.outType, weights: randomWeights(3, 2, 8, 3), threshold: 500, output: { kind: 'excess', shift: 2, type: intType(false, 8, 0) }, reset: { kind: 'refractory', mul: 32768, shift: 16 } });
  return program('feature-pool-sum', [2, 4, 4], [p, out], { source: 'membrane' });
}

/** avg pool 1x5x5, kernel 3, stride 2, padding 1, scale 7282/2^16 (about 1/9), then a saturating u6 output. */
export function poolAvgPadded(): Program {
  const p = pool('avg', 'avg', [1, 5, 5], PIXEL, { kernel: 3, stride: 2, padding: 1 }, { mul: 7282, shift: 16 }, intType(false, 8, 0));
  const q = pool('sat', 'sum', p.outShape, p.outType, { kernel: 2, stride: 1, padding: 1 }, { mul: 3, shift: 4 }, intType(false, 6, 0));
  const inputs = q.outShape[1] * q.outShape[2];
  const out = spiking('out', { inputs, units: 3, inType: q.outType, weights: randomWeights(4, 3, inputs, 5), threshold: 200, output: BINARY, reset: { kind: 'zero' }, delay: 1 });
  return program('feature-pool-avg-padded', [1, 5, 5], [p, q, out], { source: 'membrane' });
}

/**
 * The Sinabs-style IF conv net: conv (padding 1) -> identity spiking (binary, subtract) -> sum pool -> dense binary
 * spiking, read as spike counts (source output), on the jitter encoder.
 */
export function sinabsConvNet(): Program {
  const c = conv('conv', [1, 6, 6], PIXEL, { kernel: 3, stride: 1, padding: 1 }, [[1, 2, 1, 2, 4, 2, 1, 2, 1], [-1, 0, 1, -2, 0, 2, -1, 0, 1]], [0, 40], 2, intType(true, 12, 0));
  const units = 2 * 6 * 6;
  const spikes = spiking('if', { inputs: units, units, inType: c.outType, threshold: 300, decay: { mul: 1, shift: 0 }, output: BINARY, reset: { kind: 'subtract' } });
  const p = pool('pool', 'sum', [2, 6, 6], BINARY.type, { kernel: 2, stride: 2, padding: 0 }, { mul: 1, shift: 0 }, intType(false, 3, 0));
  const out = spiking('out', { inputs: 18, units: 3, inType: p.outType, weights: randomWeights(5, 3, 18, 40), threshold: 60, decay: { mul: 1, shift: 0 }, output: BINARY, reset: { kind: 'subtract' } });
  return program('feature-sinabs-conv-net', [1, 6, 6], [c, spikes, p, out], { source: 'output' }, { timesteps: 8, jitter: true });
}

/**
 * CubaLIF as two layers: a dense layer with a membrane output (the synaptic current, never fires, reset none) feeding
 * an identity spiking layer with per-unit accShift, a value reset and delay 1.
 */
export function cubaLif(): Program {
  const current = spiking('syn', {
    inputs: 9, units: 4, inType: PIXEL, weights: randomWeights(6, 4, 9, 20), decay: { mul: 49152, shift: 16 },
    output: { kind: 'membrane', shift: 3, type: intType(true, 10, 0) }, reset: { kind: 'none' },
  });
  const neuron = spiking('lif', {
    inputs: 4, units: 4, inType: intType(true, 10, 0), accShift: [0, 1, 2, 3], bias: [0, 5, -5, 10], threshold: 700,
    output: { kind: 'excess', shift: 1, type: intType(false, 7, 0) }, reset: { kind: 'value', value: -150 }, delay: 1,
  });
  return program('feature-cuba-lif', [1, 3, 3], [current, neuron], { source: 'membrane', begin: 1 }, { timesteps: 7 });
}

/** A value reset just below the threshold (a unit that fired is primed to fire again), then identity synapses with accShift on binary input. */
export function resetValue(): Program {
  const first = spiking('burst', { inputs: 9, units: 3, inType: PIXEL, weights: randomWeights(7, 3, 9, 2).map((row) => row.map(Math.abs)), bias: [-300, 0, 100], threshold: 1500, output: BINARY, reset: { kind: 'value', value: 1400 } });
  const second = spiking('count', { inputs: 3, units: 3, inType: BINARY.type, accShift: [3, 0, 1], bias: [1, 2, 0], threshold: 2, decay: { mul: 1, shift: 1 }, output: BINARY, reset: { kind: 'value', value: -4 }, delay: 1 });
  return program('feature-reset-value', [1, 3, 3], [first, second], { source: 'output' }, { timesteps: 6 });
}

/** A leaky integrator readout: the last layer never fires, and the scores sum its rounded, clamped membrane output. */
export function integratorReadout(): Program {
  const hidden = spiking('hidden', { inputs: 12, units: 5, inType: PIXEL, weights: randomWeights(8, 5, 12, 8), bias: [100, 300, 0, 200, 50], threshold: 300, output: { kind: 'excess', shift: 4, type: intType(false, 5, 0) }, reset: { kind: 'subtract' } });
  const readout = spiking('li', {
    inputs: 5, units: 3, inType: hidden.output.type, weights: randomWeights(9, 3, 5, 30), decay: { mul: 61440, shift: 16 }, membrane: S16,
    output: { kind: 'membrane', shift: 5, type: intType(true, 6, 0) }, reset: { kind: 'none' },
  });
  return program('feature-integrator-readout', [3, 2, 2], [hidden, readout], { source: 'output' }, { timesteps: 6 });
}

export interface FeatureProgram {
  readonly program: Program;
  /** Names of the layers that must show some nonzero output on the test images. */
  readonly activity: readonly string[];
}

export function featurePrograms(): FeatureProgram[] {
  const all = (p: Program): FeatureProgram => ({ program: p, activity: p.layers.map((l) => l.name) });
  return [convStridePadding(), convStrideSkips(), poolSum(), poolAvgPadded(), sinabsConvNet(), cubaLif(), resetValue(), integratorReadout()].map(all);
}

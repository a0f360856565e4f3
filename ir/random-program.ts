/**
 * @fileoverview Random valid IR programs for tests and differential fuzzing: every layer kind, output mode, reset
 * mode and delay, decays of 0 and 1, threshold 0, and extreme weights that drive saturation. The default generator
 * makes the original conv -> dense spiking programs (its seeds stay stable); `extended: true` (random-extended.ts)
 * mixes in stride/padding, pools, identity synapses, membrane outputs, value/none resets and output readouts;
 * `recurrence` (random-recurrence.ts) adds recurrent synapses and synaptic currents to either.
 */
import { intType, maxOf, minOf, signedBitsFor, type IntType } from './int-type.ts';
import { makeRandom } from './mulberry32.ts';
import type { IrLayer, Program } from './program.ts';
import { outputForReset, randomEncoder, type RandomProgramOptions } from './random-base.ts';
import { randomExtendedProgram } from './random-extended.ts';
import { withRecurrence } from './random-recurrence.ts';
import type { IrOutput, IrReset, SpikingOp } from './spiking.ts';
import type { ConvOp } from './conv.ts';

export { makeRandom };
export type { RandomProgramOptions };

export function randomProgram(seed: number, options: RandomProgramOptions = {}): Program {
  const program = options.extended ? randomExtendedProgram(seed, options) : randomPlainProgram(seed, options);
  return options.recurrence ? withRecurrence(program, seed, options.recurrence) : program;
}

function randomPlainProgram(seed: number, options: RandomProgramOptions): Program {
  const rand = makeRandom(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;
  const weightBits = options.weightBits ?? int(2, 16);
  const timesteps = options.timesteps ?? int(1, 6);
  const channels = int(1, 2);
  const height = int(3, 6);
  const width = int(3, 6);
  const encoder = randomEncoder(options.encoder ?? pick(['jitter', 'direct'] as const), () => pick([1, 4, 8, 12, 16]), timesteps);
  const inType = encoder.outType;
  const layers: IrLayer[] = [];
  let shape: [number, number, number] = [channels, height, width];
  let xType: IntType = inType;
  const weightType = intType(true, weightBits, 0);
  const wMax = maxOf(weightType);
  const weight = (): number => (rand() < 0.15 ? pick([wMax, -wMax - 1, 0]) : int(-wMax - 1, wMax));
  if (options.conv ?? rand() < 0.4) {
    const kernel = int(1, Math.min(3, height, width));
    const filters = int(1, 3);
    const outShape: [number, number, number] = [filters, height - kernel + 1, width - kernel + 1];
    const weights = Array.from({ length: filters * channels * kernel * kernel }, weight);
    const accBound = 2 ** 20 + channels * kernel * kernel * (wMax + 1) * maxOf(xType);
    const outType = intType(true, int(2, 12), 4);
    const conv: ConvOp = {
      kind: 'conv', name: 'conv0', inShape: shape, outShape, kernel, stride: 1, padding: 0, inType: xType, weights, weightType,
      weightFrac: new Array(filters).fill(0),
      bias: Array.from({ length: filters }, () => int(-(2 ** 20), 2 ** 20)),
      accType: intType(true, signedBitsFor(accBound), inType.frac), outShift: Array.from({ length: filters }, () => int(0, 14)),
      outType, learned: true,
    };
    layers.push(conv);
    shape = outShape;
    xType = outType;
  }
  const depth = int(1, 3);
  let inputs = shape[0] * shape[1] * shape[2];
  for (let l = 0; l < depth; l++) {
    const last = l === depth - 1;
    const units = last ? int(2, 5) : int(1, 8);
    const membraneType = intType(true, int(8, 32), int(0, 12));
    const mMax = maxOf(membraneType);
    const outputKind = outputForReset(options.output, options.reset) ?? pick(['excess', 'binary'] as const);
    const output: IrOutput =
      outputKind === 'excess' ? { kind: 'excess', shift: int(0, 12), type: intType(false, int(1, 12), 0) }
      : outputKind === 'binary' ? { kind: 'binary', type: intType(false, 1, 0) }
      : { kind: 'membrane', shift: int(0, 12), type: intType(true, int(2, 12), 0) };
    const resetKind = options.reset ?? pick(['refractory', 'subtract', 'zero'] as const);
    const reset: IrReset =
      resetKind === 'refractory' ? { kind: 'refractory', mul: int(0, 2 ** 17), shift: 16 }
      : resetKind === 'value' ? { kind: 'value', value: int(-(mMax >> 2), mMax >> 2) }
      : { kind: resetKind };
    const weights = Array.from({ length: units * inputs }, weight);
    const accBound = inputs * (wMax + 1) * Math.max(maxOf(xType), -minOf(xType));
    const op: SpikingOp = {
      kind: 'spiking', name: `layer${l}`, inputs, units, inType: xType, synapse: 'dense', weights, weightType,
      weightFrac: new Array(units).fill(0), accType: intType(true, signedBitsFor(accBound), xType.frac),
      accShift: Array.from({ length: units }, () => int(0, 3)),
      bias: Array.from({ length: units }, () => int(-(mMax >> 2), mMax >> 2)),
      membraneType,
      decay: pick([{ mul: 0, shift: 16 }, { mul: 65536, shift: 16 }, { mul: int(0, 65536), shift: 16 }, { mul: int(0, 255), shift: 8 }]),
      // drawn here, after the decay, so the default stream of programs is what it always was
      threshold: ((drawn: number) => (output.kind === 'membrane' ? 0 : drawn))(rand() < 0.2 ? 0 : int(0, mMax >> 1)),
      output, reset, delay: options.delay ?? pick([0, 1] as const),
    };
    layers.push(op);
    inputs = units;
    xType = output.type;
  }
  const lastOp = layers[layers.length - 1] as SpikingOp;
  const begin = int(0, timesteps - 1);
  return {
    format: 'snnc-ir', version: 1, name: `random${seed}`, sourceSha256: '0'.repeat(64), timesteps, classes: lastOp.units,
    input: { shape: [channels, height, width], type: inType, realPerLsb: 1 / 255 },
    encoder, layers,
    readout: { kind: 'sum', source: 'membrane', begin, scoreType: intType(true, lastOp.membraneType.bits + 13, lastOp.membraneType.frac), realPerLsb: 2 ** -lastOp.membraneType.frac },
    quantization: { weightBits, granularity: 'layer', activationBits: 8, calibration: { dataset: 'none', images: 0, seed }, provenNoSaturation: false },
  };
}

/** Random pixels with about a third zero (so event-driven paths are exercised). */
export function randomPixels(seed: number, count: number): Uint8Array {
  const rand = makeRandom(seed ^ 0x5bd1e995);
  return Uint8Array.from({ length: count }, () => (rand() < 0.35 ? 0 : rand() < 0.1 ? 255 : Math.floor(rand() * 256)));
}

/** `count` sparse event counts in 0..max (about 80 % zero, a tenth of the rest at max), from `seed`. */
export function randomCounts(seed: number, count: number, max: number): Uint8Array {
  const rand = makeRandom(seed ^ 0x2545f491);
  return Uint8Array.from({ length: count }, () => (rand() < 0.8 ? 0 : rand() < 0.1 ? max : 1 + Math.floor(rand() * max)));
}

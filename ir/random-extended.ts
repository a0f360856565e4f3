/**
 * @fileoverview Random valid IR programs with every feature mixed: conv with stride and padding, sum and avg pools,
 * identity spiking layers between them, membrane (non-firing) outputs, value and none resets, output-source
 * readouts, and CubaLIF-style [dense membrane-output] -> [identity spiking] pairs at the end.
 */
import type { ConvOp } from './conv.ts';
import { intType, maxOf, minOf, signedBitsFor, type IntType } from './int-type.ts';
import { makeRandom } from './mulberry32.ts';
import type { PoolOp } from './pool.ts';
import type { IrLayer, Program } from './program.ts';
import { outputForReset, randomEncoder, type RandomProgramOptions } from './random-base.ts';
import type { IrOutput, IrReset, SpikingOp } from './spiking.ts';
import { windowOutSize } from './window.ts';

function maxAbs(t: IntType): number {
  return Math.max(maxOf(t), -minOf(t));
}

type Shape = [number, number, number];
type FrontKind = 'conv' | 'pool' | 'identity';

/** Different stream from the default generator, so extended seeds never alias default ones. */
const EXTENDED_SEED_SALT = 0x2545f491;

export function randomExtendedProgram(seed: number, options: RandomProgramOptions): Program {
  const rand = makeRandom(seed ^ EXTENDED_SEED_SALT);
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;
  const weightBits = options.weightBits ?? int(2, 16);
  const timesteps = options.timesteps ?? int(1, 6);
  const inShape: Shape = [Math.min(int(1, 3), options.encoder === 'events' ? 2 : 3), int(3, 9), int(3, 9)];
  const encoder = randomEncoder(options.encoder ?? pick(['jitter', 'direct'] as const), () => pick([1, 4, 8, 12, 16]), timesteps);
  const inType = encoder.outType;
  const weightType = intType(true, weightBits, 0);
  const wMax = maxOf(weightType);
  const weight = (): number => (rand() < 0.15 ? pick([wMax, -wMax - 1, 0]) : int(-wMax - 1, wMax));
  const layers: IrLayer[] = [];
  let shape: Shape = inShape;
  let xType: IntType = inType;
  const size = (): number => shape[0] * shape[1] * shape[2];

  // A square window that fits the (padded) image: kernel <= 3, padding < kernel, stride 1..3.
  const window = (): { kernel: number; stride: number; padding: number; outShape: Shape } => {
    const kernel = int(1, Math.min(3, shape[1], shape[2]));
    const padding = int(0, kernel - 1);
    const stride = int(1, 3);
    return { kernel, stride, padding, outShape: [shape[0], windowOutSize(shape[1], kernel, stride, padding), windowOutSize(shape[2], kernel, stride, padding)] };
  };

  const conv = (): ConvOp => {
    const { kernel, stride, padding, outShape } = window();
    const filters = int(1, 3);
    const channels = shape[0];
    const accBound = 2 ** 20 + channels * kernel * kernel * (wMax + 1) * maxAbs(xType);
    return {
      kind: 'conv', name: `conv${layers.length}`, inShape: shape, outShape: [filters, outShape[1], outShape[2]], kernel, stride, padding, inType: xType,
      weights: Array.from({ length: filters * channels * kernel * kernel }, weight), weightType,
      weightFrac: new Array<number>(filters).fill(0),
      bias: Array.from({ length: filters }, () => int(-(2 ** 20), 2 ** 20)),
      accType: intType(true, signedBitsFor(accBound), xType.frac),
      outShift: Array.from({ length: filters }, () => int(0, 14)),
      outType: intType(true, int(2, 12), int(0, 6)), learned: rand() < 0.8,
    };
  };

  const pool = (): PoolOp => {
    const { kernel, stride, padding, outShape } = window();
    const mode = pick(['sum', 'avg'] as const);
    const area = kernel * kernel;
    const exact = mode === 'sum' ? { mul: 1, shift: 0 } : Number.isInteger(Math.log2(area)) ? { mul: 1, shift: Math.log2(area) } : { mul: Math.round(2 ** 16 / area), shift: 16 };
    const scale = rand() < 0.75 ? exact : { mul: int(0, 2 ** 20), shift: int(0, 31) };
    return {
      kind: 'pool', name: `pool${layers.length}`, mode, inShape: shape, outShape, kernel, stride, padding, inType: xType, scale,
      outType: intType(xType.signed || rand() < 0.2, int(2, 12), xType.frac),
    };
  };

  const spiking = (synapse: SpikingOp['synapse'], inputs: number, units: number): SpikingOp => {
    const membraneType = intType(true, int(8, 32), int(0, 12));
    const mMax = maxOf(membraneType);
    const outputKind = outputForReset(options.output, options.reset) ?? pick(['excess', 'binary', 'membrane'] as const);
    const output: IrOutput =
      outputKind === 'excess' ? { kind: 'excess', shift: int(0, 12), type: intType(false, int(1, 12), 0) }
      : outputKind === 'binary' ? { kind: 'binary', type: intType(false, 1, 0) }
      : { kind: 'membrane', shift: int(0, 12), type: intType(rand() < 0.7, int(2, 12), int(0, 4)) };
    const resetKind = options.reset ?? (outputKind === 'membrane' ? pick(['none', 'zero', 'value'] as const) : pick(['refractory', 'subtract', 'zero', 'value'] as const));
    const reset: IrReset =
      resetKind === 'refractory' ? { kind: 'refractory', mul: int(0, 2 ** 17), shift: 16 }
      : resetKind === 'value' ? { kind: 'value', value: int(-(mMax >> 2), mMax >> 2) }
      : { kind: resetKind };
    const weights = synapse === 'dense' ? Array.from({ length: units * inputs }, weight) : [];
    const accBound = synapse === 'dense' ? inputs * (wMax + 1) * maxAbs(xType) : maxAbs(xType);
    return {
      kind: 'spiking', name: `spiking${layers.length}`, inputs, units, inType: xType, synapse, weights,
      weightType: synapse === 'dense' ? weightType : intType(true, 2, 0),
      weightFrac: new Array<number>(units).fill(0), accType: intType(true, signedBitsFor(accBound), xType.frac),
      accShift: Array.from({ length: units }, () => int(0, 3)),
      bias: Array.from({ length: units }, () => int(-(mMax >> 2), mMax >> 2)),
      membraneType,
      decay: pick([{ mul: 0, shift: 16 }, { mul: 65536, shift: 16 }, { mul: int(0, 65536), shift: 16 }, { mul: int(0, 255), shift: 8 }]),
      threshold: output.kind === 'membrane' ? 0 : rand() < 0.2 ? 0 : int(0, mMax >> 1),
      output, reset, delay: options.delay ?? pick([0, 1] as const),
    };
  };

  // The image part: up to three conv / pool / identity-spiking layers (forced or excluded by the options).
  const kinds: FrontKind[] = (['conv', 'pool', 'identity'] as const).filter((k) => options[k] !== false);
  const front: FrontKind[] = kinds.length === 0 ? [] : Array.from({ length: int(0, 3) }, () => pick(kinds));
  for (const k of ['conv', 'pool', 'identity'] as const) if (options[k] === true && !front.includes(k)) front.splice(int(0, front.length), 0, k);
  for (const kind of front) {
    const op = kind === 'conv' ? conv() : kind === 'pool' ? pool() : spiking('identity', size(), size());
    layers.push(op);
    if (op.kind === 'spiking') xType = op.output.type;
    else {
      shape = [...op.outShape];
      xType = op.outType;
    }
  }

  // The vector part: dense spiking layers, sometimes followed by an identity spiking layer (CubaLIF as two layers).
  const depth = int(1, 3);
  const tailIdentity = options.identity !== false && rand() < 0.3;
  let inputs = size();
  for (let l = 0; l < depth; l++) {
    const last = l === depth - 1;
    const units = last ? int(2, 5) : int(1, 8);
    const op = spiking('dense', inputs, units);
    layers.push(op);
    inputs = units;
    xType = op.output.type;
  }
  if (tailIdentity) {
    const op = spiking('identity', inputs, inputs);
    layers.push(op);
    xType = op.output.type;
  }

  const lastOp = layers[layers.length - 1] as SpikingOp;
  const begin = int(0, timesteps - 1);
  const source = options.source ?? pick(['membrane', 'output'] as const);
  const read = source === 'output' ? lastOp.output.type : lastOp.membraneType;
  const kind = pick(['sum', 'mean'] as const);
  return {
    format: 'snnc-ir', version: 1, name: `extended${seed}`, sourceSha256: '0'.repeat(64), timesteps, classes: lastOp.units,
    input: { shape: inShape, type: inType, realPerLsb: 1 / 255 },
    encoder, layers,
    readout: {
      kind, source, begin, scoreType: intType(true, signedBitsFor((timesteps - begin) * maxAbs(read)) + int(0, 3), read.frac),
      realPerLsb: 2 ** -read.frac / (kind === 'mean' ? timesteps - begin : 1),
    },
    quantization: { weightBits, granularity: 'layer', activationBits: 8, calibration: { dataset: 'none', images: 0, seed }, provenNoSaturation: false },
  };
}

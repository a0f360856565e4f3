/**
 * @fileoverview MNIST-sized programs for the onnx tests and benchmark until (and besides) the shipped example: 784
 * jittered pixels (28x28 draws per timestep), an optional 5x5 conv, a 100-unit hidden layer that fires on some steps,
 * and 10 classes. Weights are normal (sigma 24, int8) so both spiking and saturation happen on real images.
 */
import { intType, maxOf, signedBitsFor, type IntType } from '../../../ir/int-type.ts';
import type { ConvOp } from '../../../ir/conv.ts';
import type { IrLayer, Program } from '../../../ir/program.ts';
import { makeRandom } from '../../../ir/random-program.ts';
import type { SpikingOp } from '../../../ir/spiking.ts';

export interface SyntheticOptions {
  readonly timesteps: number;
  readonly conv?: boolean;
  readonly seed?: number;
  readonly jitterBits?: number;
  readonly hiddenThreshold?: number;
}

export function syntheticMnist(options: SyntheticOptions): Program {
  const seed = options.seed ?? 1;
  const rand = makeRandom(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const weightType = intType(true, 8, 7);
  const weights = (n: number): number[] => Array.from({ length: n }, () => Math.max(-128, Math.min(127, Math.round(24 * normal()))));
  const pixelType = intType(false, 8, 8);
  const layers: IrLayer[] = [];
  let features = 784;
  let xType: IntType = pixelType;
  if (options.conv) {
    const filters = 4;
    const outType = intType(false, 8, 4);
    const conv: ConvOp = {
      kind: 'conv', name: 'conv', inShape: [1, 28, 28], outShape: [filters, 24, 24], kernel: 5, stride: 1, padding: 0, inType: pixelType,
      weights: weights(filters * 25), weightType, weightFrac: new Array(filters).fill(7),
      bias: Array.from({ length: filters }, () => Math.round(2000 * normal())),
      accType: intType(true, signedBitsFor(25 * 128 * 255 + 8000), 15), outShift: new Array(filters).fill(8), outType, learned: true,
    };
    layers.push(conv);
    features = filters * 24 * 24;
    xType = outType;
  }
  const spiking = (name: string, inputs: number, units: number, inType: IntType, threshold: number): SpikingOp => {
    const w = weights(inputs * units);
    let bound = 0;
    for (let j = 0; j < units; j++) bound = Math.max(bound, w.slice(j * inputs, (j + 1) * inputs).reduce((a, v) => a + Math.abs(v) * maxOf(inType), 0));
    return {
      kind: 'spiking', name, inputs, units, inType, synapse: 'dense', weights: w, weightType, weightFrac: new Array(units).fill(7),
      accType: intType(true, signedBitsFor(bound), inType.frac + 7), accShift: new Array(units).fill(0),
      bias: Array.from({ length: units }, () => Math.round(500 * normal())), membraneType: intType(true, 24, 8),
      decay: { mul: 61440, shift: 16 }, threshold,
      output: { kind: 'excess', shift: 8, type: intType(false, 8, 0) }, reset: { kind: 'refractory', mul: 32768, shift: 16 }, delay: 0,
    };
  };
  layers.push(spiking('hidden', features, 100, xType, options.hiddenThreshold ?? 20000), spiking('out', 100, 10, intType(false, 8, 0), 20000));
  return {
    format: 'snnc-ir', version: 1, name: `synthetic-mnist${options.conv ? '-conv' : ''}`, sourceSha256: '0'.repeat(64), timesteps: options.timesteps, classes: 10,
    input: { shape: [1, 28, 28], type: pixelType, realPerLsb: 1 / 255 },
    encoder: { kind: 'jitter', prng: 'xorshift32', jitterBits: options.jitterBits ?? 8, outType: pixelType },
    layers,
    readout: { kind: 'sum', source: 'membrane', begin: 0, scoreType: intType(true, 24 + 13, 8), realPerLsb: 2 ** -8 },
    quantization: { weightBits: 8, granularity: 'layer', activationBits: 8, calibration: { dataset: 'none', images: 0, seed }, provenNoSaturation: false },
  };
}

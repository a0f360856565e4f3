/** @fileoverview A synthetic MNIST-sized program (784-100-10) for tests and benchmarks until the real example exists. */
import { intType, signedBitsFor, type IntType } from '../../../ir/int-type.ts';
import type { Program } from '../../../ir/program.ts';
import { makeRandom } from '../../../ir/random-program.ts';
import type { SpikingOp } from '../../../ir/spiking.ts';

/**
 * A stand-in for the MNIST example until it exists: 784-100-10, jitter encoder, int8 weights drawn from a normal
 * distribution (sigma 24), thresholds that make hidden units fire on some steps, excess outputs, refractory reset.
 */
export function syntheticMnistProgram(timesteps: number, seed = 1): Program {
  const rand = makeRandom(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const weightType = intType(true, 8, 7);
  const weights = (n: number): number[] => Array.from({ length: n }, () => Math.max(-128, Math.min(127, Math.round(24 * normal()))));
  const membraneType = intType(true, 24, 8);
  const layer = (name: string, inputs: number, units: number, xMax: number, inType: IntType): SpikingOp => {
    const w = weights(inputs * units);
    let bound = 0;
    for (let j = 0; j < units; j++) bound = Math.max(bound, w.slice(j * inputs, (j + 1) * inputs).reduce((a, v) => a + Math.abs(v) * xMax, 0));
    return {
      kind: 'spiking', name, inputs, units, inType, synapse: 'dense', weights: w, weightType, weightFrac: new Array(units).fill(7),
      accType: intType(true, signedBitsFor(bound), inType.frac + 7), accShift: new Array(units).fill(0),
      bias: Array.from({ length: units }, () => Math.round(500 * normal())), membraneType,
      decay: { mul: 61440, shift: 16 }, threshold: 20000,
      output: { kind: 'excess', shift: 8, type: intType(false, 8, 0) }, reset: { kind: 'refractory', mul: 32768, shift: 16 }, delay: 0,
    };
  };
  const hidden = layer('hidden', 784, 100, 255, intType(false, 8, 8));
  const out = layer('out', 100, 10, 255, intType(false, 8, 0));
  return {
    format: 'snnc-ir', version: 1, name: 'synthetic-mnist', sourceSha256: '0'.repeat(64), timesteps, classes: 10,
    input: { shape: [1, 28, 28], type: intType(false, 8, 8), realPerLsb: 1 / 255 },
    encoder: { kind: 'jitter', prng: 'xorshift32', jitterBits: 8, outType: intType(false, 8, 8) },
    layers: [hidden, out],
    readout: { kind: 'sum', source: 'membrane', begin: 0, scoreType: intType(true, 24 + 13, 8), realPerLsb: 2 ** -8 },
    quantization: { weightBits: 8, granularity: 'layer', activationBits: 8, calibration: { dataset: 'none', images: 0, seed }, provenNoSaturation: false },
  };
}

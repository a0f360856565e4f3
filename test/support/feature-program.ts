/**
 * @fileoverview A tiny hand-written program that uses every IR feature added for NIR models (conv stride and padding,
 * sum and avg pools, identity spiking layers, a membrane output, value and none resets, an output-source readout),
 * with its integers worked out by hand in test/golden-features.test.ts. Targets may reuse it.
 */
import { intType } from '../../ir/int-type.ts';
import type { Program } from '../../ir/program.ts';
import { validateProgram } from '../../ir/validate.ts';

/** Pixels 1..9 of a 1x3x3 image, row by row. */
export const FEATURE_PIXELS = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);

export function featureProgram(changes: Partial<Program> = {}): Program {
  const s8 = intType(true, 8, 0);
  return validateProgram({
    format: 'snnc-ir', version: 1, name: 'features', sourceSha256: '0'.repeat(64), timesteps: 3, classes: 2,
    input: { shape: [1, 3, 3], type: intType(false, 8, 8), realPerLsb: 1 / 255 },
    encoder: { kind: 'direct', outType: intType(false, 8, 8) },
    layers: [
      {
        kind: 'conv', name: 'conv', inShape: [1, 3, 3], outShape: [1, 2, 2], kernel: 2, stride: 2, padding: 1, inType: intType(false, 8, 8),
        weights: [1, 2, 3, 4], weightType: s8, weightFrac: [0], bias: [10], accType: intType(true, 16, 8), outShift: [1], outType: s8, learned: true,
      },
      { kind: 'pool', name: 'sum', mode: 'sum', inShape: [1, 2, 2], outShape: [1, 3, 3], kernel: 2, stride: 1, padding: 1, inType: s8, scale: { mul: 1, shift: 0 }, outType: s8 },
      { kind: 'pool', name: 'avg', mode: 'avg', inShape: [1, 3, 3], outShape: [1, 2, 2], kernel: 2, stride: 2, padding: 1, inType: s8, scale: { mul: 1, shift: 2 }, outType: s8 },
      {
        kind: 'spiking', name: 'lif', inputs: 4, units: 4, inType: s8, synapse: 'identity', weights: [], weightType: intType(true, 2, 0), weightFrac: [0, 0, 0, 0],
        accType: intType(true, 9, 0), accShift: [0, 0, 1, 0], bias: [0, 0, 0, -60], membraneType: intType(true, 16, 0), decay: { mul: 1, shift: 1 },
        threshold: 10, output: { kind: 'binary', type: intType(false, 1, 0) }, reset: { kind: 'value', value: 3 }, delay: 0,
      },
      {
        kind: 'spiking', name: 'syn', inputs: 4, units: 2, inType: intType(false, 1, 0), synapse: 'dense', weights: [1, 2, 3, 4, -1, 0, 5, 0], weightType: s8, weightFrac: [0, 0],
        accType: intType(true, 8, 0), accShift: [0, 0], bias: [1, -2], membraneType: intType(true, 16, 0), decay: { mul: 1, shift: 0 },
        threshold: 0, output: { kind: 'membrane', shift: 1, type: intType(true, 4, 0) }, reset: { kind: 'none' }, delay: 0,
      },
      {
        kind: 'spiking', name: 'out', inputs: 2, units: 2, inType: intType(true, 4, 0), synapse: 'identity', weights: [], weightType: intType(true, 2, 0), weightFrac: [0, 0],
        accType: intType(true, 5, 0), accShift: [0, 0], bias: [0, 0], membraneType: intType(true, 16, 0), decay: { mul: 0, shift: 0 },
        threshold: 3, output: { kind: 'excess', shift: 0, type: intType(false, 4, 0) }, reset: { kind: 'zero' }, delay: 0,
      },
    ],
    readout: { kind: 'sum', source: 'output', begin: 0, scoreType: intType(true, 8, 0), realPerLsb: 1 },
    quantization: { weightBits: 8, granularity: 'layer', activationBits: 8, calibration: { dataset: 'none', images: 0, seed: 0 }, provenNoSaturation: false },
    ...changes,
  });
}

/**
 * @fileoverview Hand-written tiny programs for the IR features added for NIR models, each built once by the verilog
 * tests: together with test/support/feature-program.ts they cover conv stride and zero padding, sum and avg pools
 * (a window that is not a power of two, a padded one, remainders of a stride), identity spiking layers feeding a pool
 * and a conv (the coordinate counter), membrane outputs (signed and unsigned), value and none resets, and both
 * readout sources, over several lanes and groups.
 */
import { intType } from '../../../ir/int-type.ts';
import type { Program } from '../../../ir/program.ts';
import { validateProgram } from '../../../ir/validate.ts';
import { featureProgram } from '../../../test/support/feature-program.ts';
import type { ModeDesign } from './programs.ts';

/** Deterministic small weights in [-span, span] (a fixed pattern, so the programs never move). */
function pattern(count: number, span: number, salt: number): number[] {
  return Array.from({ length: count }, (_, i) => (((i + salt) * 7919 + salt * 31) % (2 * span + 1)) - span);
}

const u8 = intType(false, 8, 8);
const unused = intType(true, 2, 0);
const quantization = { weightBits: 6, granularity: 'layer', activationBits: 8, calibration: { dataset: 'none', images: 0, seed: 0 }, provenNoSaturation: false } as const;

/**
 * The Sinabs-style IF conv net: 2x5x5 jitter-encoded pixels, conv 3x3 padding 1 (3 filters), an identity IF layer
 * (binary, subtract, delay 1) whose spikes a 2x2 stride-2 sum pool reads by coordinates, then a dense LIF layer
 * (excess, refractory) read by its membrane.
 */
export const SINABS: Program = validateProgram({
  format: 'snnc-ir', version: 1, name: 'sinabs', sourceSha256: '0'.repeat(64), timesteps: 4, classes: 3,
  input: { shape: [2, 5, 5], type: u8, realPerLsb: 1 / 255 },
  encoder: { kind: 'jitter', prng: 'xorshift32', jitterBits: 4, outType: u8 },
  layers: [
    {
      kind: 'conv', name: 'conv', inShape: [2, 5, 5], outShape: [3, 5, 5], kernel: 3, stride: 1, padding: 1, inType: u8,
      weights: pattern(54, 7, 1), weightType: intType(true, 4, 0), weightFrac: [0, 0, 0], bias: [-300, 450, 60],
      accType: intType(true, 20, 8), outShift: [6, 7, 5], outType: intType(true, 6, 0), learned: true,
    },
    {
      kind: 'spiking', name: 'if', inputs: 75, units: 75, inType: intType(true, 6, 0), synapse: 'identity', weights: [], weightType: unused,
      weightFrac: new Array<number>(75).fill(0), accType: intType(true, 7, 0), accShift: pattern(75, 1, 3).map((s) => s + 1),
      bias: pattern(75, 4, 5), membraneType: intType(true, 12, 0), decay: { mul: 1, shift: 0 }, threshold: 20,
      output: { kind: 'binary', type: intType(false, 1, 0) }, reset: { kind: 'subtract' }, delay: 1,
    },
    { kind: 'pool', name: 'sum', mode: 'sum', inShape: [3, 5, 5], outShape: [3, 2, 2], kernel: 2, stride: 2, padding: 0, inType: intType(false, 1, 0), scale: { mul: 1, shift: 0 }, outType: intType(false, 3, 0) },
    {
      kind: 'spiking', name: 'lif', inputs: 12, units: 3, inType: intType(false, 3, 0), synapse: 'dense', weights: pattern(36, 15, 7), weightType: intType(true, 5, 0),
      weightFrac: [0, 0, 0], accType: intType(true, 12, 0), accShift: [1, 0, 2], bias: [-5, 12, 3], membraneType: intType(true, 14, 0),
      decay: { mul: 58982, shift: 16 }, threshold: 40, output: { kind: 'excess', shift: 1, type: intType(false, 4, 0) },
      reset: { kind: 'refractory', mul: 32768, shift: 16 }, delay: 0,
    },
  ],
  readout: { kind: 'sum', source: 'membrane', begin: 1, scoreType: intType(true, 24, 0), realPerLsb: 1 },
  quantization,
});

/**
 * Strides and paddings with remainders: 1x7x7 direct pixels, conv 3x3 stride 2 padding 1, an identity layer with a
 * signed membrane output (reset none) that a conv reads by coordinates, a 3x3 stride-2 padding-2 avg pool (scale
 * 7282/2^16, about 1/9), and a dense layer (binary, reset value, delay 1) whose spike counts are the scores.
 */
export const STRIDED: Program = validateProgram({
  format: 'snnc-ir', version: 1, name: 'strided', sourceSha256: '0'.repeat(64), timesteps: 5, classes: 2,
  input: { shape: [1, 7, 7], type: u8, realPerLsb: 1 / 255 },
  encoder: { kind: 'direct', outType: u8 },
  layers: [
    {
      kind: 'conv', name: 'down', inShape: [1, 7, 7], outShape: [2, 4, 4], kernel: 3, stride: 2, padding: 1, inType: u8,
      weights: pattern(18, 6, 2), weightType: intType(true, 4, 0), weightFrac: [0, 0], bias: [100, -250],
      accType: intType(true, 20, 8), outShift: [5, 4], outType: intType(true, 8, 0), learned: true,
    },
    {
      kind: 'spiking', name: 'li', inputs: 32, units: 32, inType: intType(true, 8, 0), synapse: 'identity', weights: [], weightType: unused,
      weightFrac: new Array<number>(32).fill(0), accType: intType(true, 9, 0), accShift: new Array<number>(32).fill(2),
      bias: pattern(32, 30, 4), membraneType: intType(true, 16, 0), decay: { mul: 3, shift: 2 }, threshold: 0,
      output: { kind: 'membrane', shift: 3, type: intType(true, 6, 0) }, reset: { kind: 'none' }, delay: 0,
    },
    {
      kind: 'conv', name: 'mix', inShape: [2, 4, 4], outShape: [3, 3, 3], kernel: 2, stride: 1, padding: 0, inType: intType(true, 6, 0),
      weights: pattern(24, 5, 9), weightType: intType(true, 4, 0), weightFrac: [0, 0, 0], bias: [3, -4, 0],
      accType: intType(true, 12, 0), outShift: [1, 0, 2], outType: intType(true, 6, 0), learned: true,
    },
    { kind: 'pool', name: 'avg', mode: 'avg', inShape: [3, 3, 3], outShape: [3, 3, 3], kernel: 3, stride: 2, padding: 2, inType: intType(true, 6, 0), scale: { mul: 7282, shift: 16 }, outType: intType(true, 5, 0) },
    {
      kind: 'spiking', name: 'out', inputs: 27, units: 2, inType: intType(true, 5, 0), synapse: 'dense', weights: pattern(54, 9, 11), weightType: intType(true, 5, 0),
      weightFrac: [0, 0], accType: intType(true, 14, 0), accShift: [0, 1], bias: [250, -60], membraneType: intType(true, 14, 0),
      decay: { mul: 200, shift: 8 }, threshold: 25, output: { kind: 'binary', type: intType(false, 1, 0) }, reset: { kind: 'value', value: -7 }, delay: 1,
    },
  ],
  readout: { kind: 'sum', source: 'output', begin: 0, scoreType: intType(true, 8, 0), realPerLsb: 1 },
  quantization,
});

/** The feature designs the verilog tests build, with the lanes each is built with. */
export const FEATURE_DESIGNS: readonly ModeDesign[] = [
  { name: 'features', program: featureProgram(), lanes: 2 },
  { name: 'sinabs', program: SINABS, lanes: 2 },
  { name: 'strided', program: STRIDED, lanes: 3 },
];

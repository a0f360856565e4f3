/**
 * @fileoverview Hand-written programs fixed here (not generated, so generator changes elsewhere cannot move them), part
 * of the one shared set every target runs (test/support/conformance-set.ts): two whose identity layers are read by
 * coordinates (a pool after one, a conv after another), with strides and paddings that leave remainders, windows that
 * are not a power of two, signed membrane outputs, value and none resets and both readout sources; and TINY, the
 * program of the verilog printed-netlist golden.
 */
import { intType } from '../../ir/int-type.ts';
import type { Program } from '../../ir/program.ts';
import { validateProgram } from '../../ir/validate.ts';

/** Deterministic small weights in [-span, span] (a fixed pattern, so the programs never move). */
function pattern(count: number, span: number, salt: number): number[] {
  return Array.from({ length: count }, (_, i) => (((i + salt) * 7919 + salt * 31) % (2 * span + 1)) - span);
}

const u8 = intType(false, 8, 8);
const unused = intType(true, 2, 0);
const quantization = { weightBits: 6, granularity: 'layer', activationBits: 8, calibration: { dataset: 'none', images: 0, seed: 0 }, provenNoSaturation: false } as const;

/**
 * An identity layer with delay 1 read by a pool: 2x5x5 jitter-encoded pixels (4 jitter bits), conv 3x3 padding 1
 * (3 filters), an identity IF layer (binary, subtract, delay 1, per-unit shifts) whose spikes a 2x2 stride-2 sum pool
 * reads by coordinates (dropping the last row and column), then a dense LIF layer (excess, refractory) read by its
 * membrane from t = 1. (The Sinabs-style net of the shared set is sinabsConvNet in target-feature-programs.ts.)
 */
export const IDENTITY_DELAY_POOL: Program = validateProgram({
  format: 'snnc-ir', version: 1, name: 'identity-delay-pool', sourceSha256: '0'.repeat(64), timesteps: 4, classes: 3,
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
export const STRIDED_IDENTITY_CONV: Program = validateProgram({
  format: 'snnc-ir', version: 1, name: 'strided-identity-conv', sourceSha256: '0'.repeat(64), timesteps: 5, classes: 2,
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

/**
 * A hand-written tiny model for the printed-netlist golden (fixed here so that generator changes elsewhere cannot
 * move it): 1x3x3 pixels, jitter, a 2-filter 2x2 conv, a spiking layer 8 -> 3 (excess, refractory, delay 1) and a
 * spiking layer 3 -> 2 (binary, subtract, delay 0), T = 3.
 */
export const TINY: Program = {
  format: 'snnc-ir', version: 1, name: 'tiny', sourceSha256: '0'.repeat(64), timesteps: 3, classes: 2,
  input: { shape: [1, 3, 3], type: u8, realPerLsb: 1 / 255 },
  encoder: { kind: 'jitter', prng: 'xorshift32', jitterBits: 4, outType: u8 },
  layers: [
    {
      kind: 'conv', name: 'conv', inShape: [1, 3, 3], outShape: [2, 2, 2], kernel: 2, stride: 1, padding: 0, inType: u8,
      weights: [3, -2, 1, 0, -1, 2, 2, -3], weightType: { signed: true, bits: 4, frac: 0 }, weightFrac: [0, 0],
      bias: [-40, 25], accType: { signed: true, bits: 14, frac: 8 }, outShift: [3, 2], outType: { signed: true, bits: 6, frac: 4 }, learned: true,
    },
    {
      kind: 'spiking', name: 'hidden', inputs: 8, units: 3, inType: { signed: true, bits: 6, frac: 4 }, synapse: 'dense',
      weights: [5, -3, 2, 7, -8, 1, 0, 4, -2, 6, 3, -1, 2, -7, 5, 1, 4, 4, -6, 2, 0, 3, -5, 7],
      weightType: { signed: true, bits: 4, frac: 0 }, weightFrac: [0, 0, 0], accType: { signed: true, bits: 11, frac: 4 },
      accShift: [0, 1, 0], bias: [12, -20, 5], membraneType: { signed: true, bits: 12, frac: 4 }, decay: { mul: 58982, shift: 16 },
      threshold: 64, output: { kind: 'excess', shift: 2, type: { signed: false, bits: 4, frac: 2 } },
      reset: { kind: 'refractory', mul: 98304, shift: 16 }, delay: 1,
    },
    {
      kind: 'spiking', name: 'out', inputs: 3, units: 2, inType: { signed: false, bits: 4, frac: 2 }, synapse: 'dense',
      weights: [3, -2, 5, -4, 6, 1], weightType: { signed: true, bits: 4, frac: 0 }, weightFrac: [0, 0],
      accType: { signed: true, bits: 9, frac: 2 }, accShift: [2, 2], bias: [-3, 4], membraneType: { signed: true, bits: 10, frac: 4 },
      decay: { mul: 3, shift: 2 }, threshold: 30, output: { kind: 'binary', type: { signed: false, bits: 1, frac: 0 } },
      reset: { kind: 'subtract' }, delay: 0,
    },
  ],
  readout: { kind: 'sum', source: 'membrane', begin: 1, scoreType: { signed: true, bits: 14, frac: 4 }, realPerLsb: 1 / 16 },
  quantization: { weightBits: 4, granularity: 'channel', activationBits: 6, calibration: { dataset: 'none', images: 0, seed: 0 }, provenNoSaturation: false },
};

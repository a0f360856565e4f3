/**
 * @fileoverview The generated tiny models the verilog tests build once each: together they cover every layer kind,
 * output mode, reset mode, delay and encoder, several lanes per layer with more than one group, per-unit shifts.
 */
import type { Program } from '../../../ir/program.ts';
import { randomProgram, type RandomProgramOptions } from '../../../ir/random-program.ts';

export interface ModeDesign {
  readonly name: string;
  readonly program: Program;
  readonly lanes: number;
}

function design(name: string, seed: number, options: RandomProgramOptions, lanes: number): ModeDesign {
  return { name, program: randomProgram(seed, options), lanes };
}

/** Seeds chosen so that each has two or more spiking layers, more units than lanes, and varying accShift. */
export const MODE_DESIGNS: readonly ModeDesign[] = [
  design('conv-excess-refractory-delay1-jitter', 1, { conv: true, output: 'excess', reset: 'refractory', delay: 1, encoder: 'jitter', timesteps: 4 }, 2),
  design('binary-subtract-delay0-direct', 1, { conv: false, output: 'binary', reset: 'subtract', delay: 0, encoder: 'direct', timesteps: 5 }, 1),
  design('excess-zero-delay1-jitter', 2, { conv: false, output: 'excess', reset: 'zero', delay: 1, encoder: 'jitter', timesteps: 4 }, 3),
  design('conv-binary-zero-delay0-direct', 2, { conv: true, output: 'binary', reset: 'zero', delay: 0, encoder: 'direct', timesteps: 3 }, 2),
  design('mixed-three-layers', 6, { timesteps: 5 }, 2),
];

const u8 = { signed: false, bits: 8, frac: 8 } as const;

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

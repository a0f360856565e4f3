/**
 * @fileoverview The one set of programs every registered target runs in test/conformance.test.ts, against the golden
 * runtime: the shared set (hand-built feature programs and generated tiny programs, each with traces), the random
 * sweeps (hundreds of generated programs, for targets that run them in milliseconds; the recurrence sweep for the
 * targets that compute recurrence), and lowered MNIST-sized models
 * (the shipped example and generated float models through the real lowering). Target tests that need a program by
 * name take it from here, so every target tests the same one under that name.
 */
import { compileModel } from '../../compiler/compile-model-dir.ts';
import { intType } from '../../ir/int-type.ts';
import type { Program } from '../../ir/program.ts';
import { randomProgram, type RandomProgramOptions } from '../../ir/random-program.ts';
import { exampleProgram } from './example.ts';
import { featureProgram } from './feature-program.ts';
import { avgPoolModel, cubaModel, sinabsModel } from './feature-models.ts';
import { IDENTITY_DELAY_POOL, STRIDED_IDENTITY_CONV, TINY } from './fixed-programs.ts';
import { BOTH, currentBiasProgram, RECURRENT, recurrenceProgram } from './recurrence-program.ts';
import { featurePrograms } from './target-feature-programs.ts';
import { tinyModel, type TinyModelOptions } from './tiny-model.ts';
import { wideRecurrentPrograms } from './wide-recurrence.ts';

export interface ConformanceCase {
  readonly name: string;
  readonly program: Program;
  /**
   * Emit option for targets that time-multiplex (verilog lanes; the others ignore it), chosen so that some layers
   * need several groups of lanes.
   */
  readonly lanes: number;
  /** Layers that must show a nonzero output on the case's testBatch (hand-built programs, so a run cannot be vacuous). */
  readonly activity: readonly string[];
}

function generated(name: string, seed: number, options: RandomProgramOptions, lanes: number): ConformanceCase {
  return { name, program: randomProgram(seed, options), lanes, activity: [] };
}

/** Generated tiny programs: each has two or more spiking layers, more units than lanes, and varying accShift. */
const GENERATED: readonly ConformanceCase[] = [
  generated('conv-excess-refractory-delay1-jitter', 1, { conv: true, output: 'excess', reset: 'refractory', delay: 1, encoder: 'jitter', timesteps: 4 }, 2),
  generated('binary-subtract-delay0-direct', 1, { conv: false, output: 'binary', reset: 'subtract', delay: 0, encoder: 'direct', timesteps: 5 }, 1),
  generated('excess-zero-delay1-jitter', 2, { conv: false, output: 'excess', reset: 'zero', delay: 1, encoder: 'jitter', timesteps: 4 }, 3),
  generated('conv-binary-zero-delay0-direct', 2, { conv: true, output: 'binary', reset: 'zero', delay: 0, encoder: 'direct', timesteps: 3 }, 2),
  generated('mixed-three-layers', 6, { timesteps: 5 }, 2),
  // Event inputs: T frames of saturating counts (u6 and u7 here), dense and conv first layers, and an extended mix.
  generated('conv-excess-refractory-delay1-events', 3, { conv: true, output: 'excess', reset: 'refractory', delay: 1, encoder: 'events', timesteps: 5 }, 2),
  generated('binary-subtract-delay0-events', 4, { conv: false, output: 'binary', reset: 'subtract', delay: 0, encoder: 'events', timesteps: 6 }, 1),
  generated('extended-events-pool-identity', 5, { extended: true, encoder: 'events', pool: true, identity: true, timesteps: 4 }, 2),
  // Extended seeds that put identity layers first, back to back, before a conv and before a pool (padding 2, stride 2).
  ...([[9, 2], [22, 3], [28, 1], [38, 2]] as const).map(([seed, lanes]) => generated(`extended-${seed}`, seed, { extended: true, timesteps: 3 }, lanes)),
];

/** The shared set: hand-built programs per IR feature, then the generated ones. */
export function sharedSet(): ConformanceCase[] {
  const handBuilt: ConformanceCase[] = [
    { name: 'features', program: featureProgram(), lanes: 2, activity: [] },
    ...featurePrograms().map(({ program, activity }, i) => ({ name: program.name, program, lanes: 1 + (i % 3), activity })),
    { name: IDENTITY_DELAY_POOL.name, program: IDENTITY_DELAY_POOL, lanes: 2, activity: [] },
    { name: STRIDED_IDENTITY_CONV.name, program: STRIDED_IDENTITY_CONV, lanes: 3, activity: [] },
    { name: 'tiny', program: TINY, lanes: 2, activity: [] },
  ];
  return [...handBuilt, ...GENERATED];
}

/** The case of the shared set called `name` (throws when there is none, so a renamed case fails loudly). */
export function sharedCase(name: string): ConformanceCase {
  const found = sharedSet().find((c) => c.name === name);
  if (!found) throw new Error(`no case ${name} in the shared set`);
  return found;
}

export interface Sweep {
  readonly name: string;
  readonly programs: readonly Program[];
}

/** The random sweeps, fixed seeds: every mode combination, weight bits 2..16 at T = 1 and 9, plain and extended seeds. */
export function sweeps(): Sweep[] {
  const modes: Program[] = [];
  for (const encoder of ['jitter', 'direct', 'events'] as const)
    for (const conv of [false, true])
      for (const output of ['excess', 'binary'] as const)
        for (const reset of ['refractory', 'subtract', 'zero'] as const)
          for (const delay of [0, 1] as const) modes.push(randomProgram(1000 + modes.length, { encoder, conv, output, reset, delay, weightBits: 2 + (modes.length % 15), timesteps: 1 + (modes.length % 12) }));
  const bits: Program[] = [];
  for (let weightBits = 2; weightBits <= 16; weightBits++) for (const timesteps of [1, 9]) bits.push(randomProgram(2000 + weightBits * 10 + timesteps, { weightBits, timesteps }));
  const extendedOptions = (k: number): RandomProgramOptions => ({ extended: true, ...(k % 4 === 0 ? { pool: true } : {}), ...(k % 4 === 1 ? { identity: true } : {}) });
  return [
    { name: `${modes.length} mode combinations (encoder x conv x output x reset x delay)`, programs: modes },
    { name: `${bits.length} programs of weight bits 2..16 at T = 1 and 9`, programs: bits },
    { name: '60 random seeds', programs: Array.from({ length: 60 }, (_, k) => randomProgram(k + 1)) },
    { name: '60 extended random programs', programs: Array.from({ length: 60 }, (_, k) => randomProgram(7000 + k, extendedOptions(k))) },
  ];
}

/**
 * Targets that compute recurrent synapses and synaptic currents (docs/ir.md) and so run the recurrence cases and sweep;
 * the others refuse them in one line from their check (test/ir-recurrence.test.ts).
 */
export const RECURRENCE_TARGETS: ReadonlySet<string> = new Set(['onnx', 'ts', 'verilog', 'wasm']);

/** The hand-computed recurrence programs (test/golden-recurrence.test.ts), for the targets that compute them. */
export function recurrenceCases(): ConformanceCase[] {
  const cases: [string, Program][] = [
    ['recurrent-binary-zero', recurrenceProgram({ recurrent: RECURRENT })],
    ['recurrent-delay1', recurrenceProgram({ recurrent: RECURRENT, delay: 1 })],
    ['synaptic-saturating', recurrenceProgram({ weights: [20, 0, -5, 0], bias: [0, 4], synaptic: { decay: { mul: 3, shift: 2 }, type: intType(true, 10, 1) } })],
    ['recurrent-synaptic-excess-subtract', BOTH],
    ['synaptic-current-bias', currentBiasProgram([-100, 30])],
    ['recurrent-synaptic-current-bias-saturating', currentBiasProgram([350, -7], { recurrent: RECURRENT, accType: intType(true, 16, 1) })],
  ];
  return cases.map(([name, program], k) => ({ name, program, lanes: 1 + (k % 2), activity: ['h1'] }));
}

/**
 * Random recurrent and synaptic programs (RandomProgramOptions.recurrence: each feature alone and both), plain and
 * extended, every fourth on event frames, and 6 widened past 32 bits; run by the targets that compute them
 * (conformance.test.ts).
 */
export function recurrenceSweep(): Sweep {
  const features = ['recurrent', 'synaptic', 'both'] as const;
  const programs = Array.from({ length: 48 }, (_, k) => randomProgram(9000 + k, {
    extended: k % 2 === 1, recurrence: features[k % 3]!, ...(k % 4 === 3 ? { encoder: 'events' as const } : {}),
  }));
  return { name: `${programs.length} random recurrent and synaptic programs and 6 wide ones`, programs: [...programs, ...wideRecurrentPrograms(500, 6)] };
}

/**
 * Generated recurrent and synaptic programs whose every layer fires on testBatch, each with traces (the simulated
 * target's recurrence sweep): a recurrent layer after a dense one (3 groups), a conv then a current, both with a
 * delay, identity layers with recurrence or a current (one before a pool), and an events program.
 */
export function recurrenceDesigns(): ConformanceCase[] {
  return [
    generated('recurrent-5', 5, { recurrence: 'recurrent', timesteps: 5 }, 2),
    generated('synaptic-conv-13', 13, { recurrence: 'synaptic', timesteps: 5 }, 2),
    generated('both-delay1-9', 9, { recurrence: 'both', timesteps: 5 }, 3),
    ...([[1, 2], [8, 2], [13, 3]] as const).map(([seed, lanes]) => generated(`both-extended-${seed}`, seed, { recurrence: 'both', extended: true, timesteps: 5 }, lanes)),
    generated('both-events-7', 7, { recurrence: 'both', encoder: 'events', timesteps: 5 }, 1),
  ];
}

export interface LoweredCase {
  readonly name: string;
  /** Lowered on first call, then shared by every target. */
  readonly program: () => Promise<Program>;
}

function once(make: () => Promise<Program>): () => Promise<Program> {
  let made: Promise<Program> | undefined;
  return () => (made ??= make());
}

async function lowered(name: string, model: Parameters<typeof compileModel>[0]): Promise<Program> {
  return (await compileModel(model, name, '0'.repeat(64), { calibrationImages: 64 })).program;
}

const VARIANTS: readonly [string, TinyModelOptions][] = [
  ['784-16-10, jitter, excess, refractory', {}],
  ['conv 3x3 then 1352-16-10', { conv: 3 }],
  ['binary outputs, delay 1, direct encoder, T=8', { output: 'binary', delay: 1, encoder: 'direct', timesteps: 8 }],
];

/** MNIST-sized programs through the real lowering: the shipped example, the NIR feature models, tiny float models. */
export const LOWERED: readonly LoweredCase[] = [
  { name: 'the shipped example examples/mnist-snn', program: async () => (await exampleProgram()).program },
  { name: 'a Sinabs-style IF conv net (conv stride 2 padding 1, identity IF, sum pool, spike counts)', program: once(() => lowered('sinabs', sinabsModel(3))) },
  { name: 'a snnTorch-style CubaLIF MLP (membrane outputs, reset none, identity LIF)', program: once(() => lowered('cuba', cubaModel(4))) },
  { name: 'an avg-pool net (identity LIF with value reset, avg pools, LI readout)', program: once(() => lowered('avg-pool', avgPoolModel(6))) },
  ...VARIANTS.map(([name, options]): LoweredCase => ({ name: `a lowered ${name}`, program: once(() => lowered(name, tinyModel(11, options))) })),
];

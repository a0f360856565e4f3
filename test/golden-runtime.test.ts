/** @fileoverview Hand-computed integer cases for every neuron, output and reset mode of the golden runtime. */
import test from 'ava';
import { intType } from '../ir/int-type.ts';
import type { Program } from '../ir/program.ts';
import type { SpikingOp } from '../ir/spiking.ts';
import { validateProgram } from '../ir/validate.ts';
import { oneLayerProgram } from './support/one-layer.ts';
import { randomPixels, randomProgram } from '../ir/random-program.ts';
import { roundShift } from '../runtime/fixed.ts';
import { runGolden, traceGolden } from '../runtime/golden.ts';
import { Xorshift32 } from '../runtime/prng.ts';

/**
 * One input pair [100, 0] (direct), one firing unit and one silent unit, T = 3:
 * acc = 3*100 = 300, drive = (300 << 1) + 10 = 610; decay 3/4; threshold 500; excess >> 2; refractory factor 6/4.
 */
function handProgram(changes: Partial<SpikingOp> = {}): Program {
  const layer: SpikingOp = {
    kind: 'spiking', name: 'hand', inputs: 2, units: 2, inType: intType(false, 8, 8), synapse: 'dense',
    weights: [3, 5, 0, 0], weightType: intType(true, 8, 0), weightFrac: [0, 0], accType: intType(true, 16, 8), accShift: [1, 0],
    bias: [10, 0], membraneType: intType(true, 16, 0), decay: { mul: 3, shift: 2 }, threshold: 500,
    output: { kind: 'excess', shift: 2, type: intType(false, 8, 0) }, reset: { kind: 'refractory', mul: 6, shift: 2 }, delay: 0,
    ...changes,
  };
  return oneLayerProgram(layer, 3, intType(true, 20, 0));
}

const PIXELS = Uint8Array.from([100, 0]);

function unit0(program: Program): { u: number[]; o: number[]; scores: readonly number[] } {
  const trace = traceGolden(program, PIXELS, 0);
  const layer = trace.layers[0]!;
  return { u: layer.membrane.map((m) => m[0]!), o: layer.output.map((o) => o[0]!), scores: trace.scores };
}

test('roundShift rounds half up, also for negatives', (t) => {
  t.deepEqual([5, -5, -6, 6, 7, -7, 0, 3].map((a) => roundShift(a, 1)), [3, -2, -3, 3, 4, -3, 0, 2]);
  t.deepEqual([-6, -5, -2, 2, 6].map((a) => roundShift(a, 2)), [-1, -1, 0, 1, 2]);
  t.is(roundShift(-7, 0), -7);
});

test('xorshift32 matches the documented test vectors', (t) => {
  const g = new Xorshift32(1);
  t.deepEqual([g.next(), g.next(), g.next(), g.next()], [270369, 67634689, 2647435461, 307599695]);
  t.is(new Xorshift32(0).next(), 1085196063);
});

test('excess output, refractory reset: u = 610, 381, 896', (t) => {
  // t0: u = 0 + 600 + 10 = 610 > 500, o = rs(110, 2) = 28, v = 610 - rs(3660, 2) = -305
  // t1: u = rs(-915, 2) + 610 = -229 + 610 = 381, silent, v = 381
  // t2: u = rs(1143, 2) + 610 = 286 + 610 = 896, o = rs(396, 2) = 99
  const r = unit0(handProgram());
  t.deepEqual(r.u, [610, 381, 896]);
  t.deepEqual(r.o, [28, 0, 99]);
  t.deepEqual(r.scores, [1887, 0]);
});

test('subtract reset: v = u - threshold', (t) => {
  // t1: rs(330, 2) = 83 -> 693; t2: rs(579, 2) = 145 -> 755
  const r = unit0(handProgram({ reset: { kind: 'subtract' } }));
  t.deepEqual(r.u, [610, 693, 755]);
  t.deepEqual(r.o, [28, 48, 64]);
});

test('zero reset: every step starts from 0', (t) => {
  const r = unit0(handProgram({ reset: { kind: 'zero' } }));
  t.deepEqual(r.u, [610, 610, 610]);
  t.deepEqual(r.o, [28, 28, 28]);
  t.deepEqual(r.scores, [1830, 0]);
});

test('binary output is 1 where the unit fired', (t) => {
  const r = unit0(handProgram({ output: { kind: 'binary', type: intType(false, 1, 0) } }));
  t.deepEqual(r.o, [1, 0, 1]);
  t.deepEqual(r.u, [610, 381, 896]);
});

test('delay 1 shows the previous step, zeros first', (t) => {
  const r = unit0(handProgram({ delay: 1 }));
  t.deepEqual(r.u, [0, 610, 381]);
  t.deepEqual(r.o, [0, 28, 0]);
  t.deepEqual(r.scores, [991, 0]);
});

test('the membrane clamps to its type (s10: 511)', (t) => {
  // t0: clamp(610) = 511, o = rs(11, 2) = 3, v = 511 - rs(3066, 2) = -256
  // t1: rs(-768, 2) = -192, u = 418 (silent); t2: rs(1254, 2) = 314, u = clamp(924) = 511
  const r = unit0(handProgram({ membraneType: intType(true, 10, 0) }));
  t.deepEqual(r.u, [511, 418, 511]);
  t.deepEqual(r.o, [3, 0, 3]);
  t.deepEqual(r.scores, [1440, 0]);
});

test('threshold 0 is strict: u = 0 does not fire', (t) => {
  const r = unit0(handProgram({ threshold: 0, weights: [0, 0, 0, 0], bias: [0, 0] }));
  t.deepEqual(r.o, [0, 0, 0]);
});

test('decay 0 forgets, decay 1 integrates', (t) => {
  t.deepEqual(unit0(handProgram({ decay: { mul: 0, shift: 0 }, threshold: 5000 })).u, [610, 610, 610]);
  t.deepEqual(unit0(handProgram({ decay: { mul: 4, shift: 2 }, threshold: 5000 })).u, [610, 1220, 1830]);
});

test('jitter draws once per nonzero pixel, CHW order, carried across steps', (t) => {
  const base = handProgram({ threshold: 30000 });
  const program: Program = { ...base, input: { ...base.input, shape: [1, 1, 3] }, encoder: { kind: 'jitter', prng: 'xorshift32', jitterBits: 8, outType: intType(false, 8, 8) }, layers: [{ ...(base.layers[0] as SpikingOp), inputs: 3, weights: [1, 1, 1, 0, 0, 0], accShift: [0, 0] }] };
  // draws (top 8 bits) for seed 1: 0, 4, 157, 18, 142, 44; pixel 1 is zero and draws nothing
  const trace = traceGolden(validateProgram(program), Uint8Array.from([200, 0, 100]), 1);
  t.deepEqual(trace.inputs, [[0, 0, 1], [122, 0, 7], [110, 0, 17]]);
});

test('the same program, input and seed give the same integers every run', (t) => {
  for (let seed = 0; seed < 20; seed++) {
    const program = randomProgram(seed);
    const pixels = randomPixels(seed, program.input.shape.reduce((a, b) => a * b, 1));
    t.deepEqual(runGolden(program, pixels, seed), runGolden(program, pixels, seed));
    t.deepEqual(traceGolden(program, pixels, seed).scores, runGolden(program, pixels, seed).scores);
  }
});

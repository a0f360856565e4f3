/**
 * @fileoverview Hand-computed integers for the recurrent synapse and the synaptic current (docs/ir.md "Recurrence and
 * the synaptic current") on the golden runtime, and the fast golden's equality with it on random recurrent/synaptic
 * programs.
 */
import test from 'ava';
import { intType } from '../ir/int-type.ts';
import type { Program } from '../ir/program.ts';
import { randomPixels, randomProgram } from '../ir/random-program.ts';
import type { SpikingOp } from '../ir/spiking.ts';
import { validateProgram } from '../ir/validate.ts';
import { BOTH, currentBiasProgram, RECURRENT, recurrenceProgram } from './support/recurrence-program.ts';
import { measureActivity } from '../runtime/activity.ts';
import { estimateEnergy } from '../runtime/energy.ts';
import { runGolden, traceGolden } from '../runtime/golden.ts';
import { compileGolden } from '../runtime/golden-fast.ts';

const PIXELS = Uint8Array.from([10, 0]);

/** Per unit, the visible membrane and output over the steps, and the scores (fast and definition must agree). */
function run(program: Program): { u: number[][]; o: number[][]; scores: readonly number[] } {
  const trace = traceGolden(program, PIXELS, 0);
  const layer = trace.layers[0]!;
  const fast = compileGolden(program).run(PIXELS, 0);
  if (JSON.stringify(fast.scores) !== JSON.stringify(trace.scores)) throw new Error(`fast ${fast.scores} != golden ${trace.scores}`);
  const units = [0, 1];
  return { u: units.map((j) => layer.membrane.map((m) => m[j]!)), o: units.map((j) => layer.output.map((o) => o[j]!)), scores: trace.scores };
}

test('recurrent synapse: the previous step\'s spikes feed back through [units, units] weights', (t) => {
  // t0: r = [0, 0].  unit 0: u = 0 + 200 = 200 > 150 fires (v = 0).  unit 1: u = 0.
  // t1: r = [1, 0].  unit 0: rec = -30 -> -60, u = 0 + 200 - 60 = 140, silent (v = 140).
  //                  unit 1: rec = 90 -> 180, u = 180 fires (v = 0).
  // t2: r = [0, 1].  unit 0: rec = 10 -> 20, u = rs(140, 1) + 220 = 70 + 220 = 290 fires.
  //                  unit 1: rec = 5 -> 10, u = 10 (v = 10).
  // t3: r = [1, 0].  unit 0: u = 0 + 140 = 140 silent.  unit 1: rec = 90 -> 180, u = rs(10, 1) + 180 = 5 + 180 = 185 fires.
  const r = run(recurrenceProgram({ recurrent: RECURRENT }));
  t.deepEqual(r.u, [[200, 140, 290, 140], [0, 180, 10, 185]]);
  t.deepEqual(r.o, [[1, 0, 1, 0], [0, 1, 0, 1]]);
  t.deepEqual(r.scores, [770, 375]);
});

test('recurrent synapse with delay 1: r is the step just computed, not the delayed value shown', (t) => {
  const r = run(recurrenceProgram({ recurrent: RECURRENT, delay: 1 }));
  t.deepEqual(r.u, [[0, 200, 140, 290], [0, 0, 180, 10]]);
  t.deepEqual(r.o, [[0, 1, 0, 1], [0, 0, 1, 0]]);
  t.deepEqual(r.scores, [630, 190]);
});

test('synaptic current: c decays by its own factor, saturates at its type, and the bias stays out of it', (t) => {
  // Input weights [[20, 0], [-5, 0]]: in = [200, -50]; current decay 3/4 into s10.1 ([-512, 511]); bias [0, 4].
  // unit 0: c = 200, rs(600, 2) + 200 = 350, rs(1050, 2) + 200 = 263 + 200 = 463, rs(1389, 2) + 200 = 547 -> 511;
  //         u = c (fires every step, the zero reset clears v but never c).
  // unit 1: c = -50, rs(-150, 2) - 50 = -87, rs(-261, 2) - 50 = -115, rs(-345, 2) - 50 = -136;
  //         u = -50 + 4 = -46, rs(-46, 1) - 87 + 4 = -106, rs(-106, 1) - 115 + 4 = -164, rs(-164, 1) - 136 + 4 = -214.
  const r = run(recurrenceProgram({
    weights: [20, 0, -5, 0], bias: [0, 4], synaptic: { decay: { mul: 3, shift: 2 }, type: intType(true, 10, 1) },
  }));
  t.deepEqual(r.u, [[200, 350, 463, 511], [-46, -106, -164, -214]]);
  t.deepEqual(r.o, [[1, 1, 1, 1], [0, 0, 0, 0]]);
  t.deepEqual(r.scores, [1524, -530]);
});

test('synaptic current bias: added to c after its decay, with in_j, before its clamp; the membrane bias after c', (t) => {
  // in = [200, -50], current decay 3/4 (rs(3c, 2)), s10.1; current bias [-100, 30]; membrane decay 1/2, bias [0, 4].
  // unit 0: c = 200 - 100 = 100, rs(300, 2) + 100 = 75 + 100 = 175, rs(525, 2) + 100 = 131 + 100 = 231,
  //         rs(693, 2) + 100 = 173 + 100 = 273;
  //         u = 100 (silent, v = 100), rs(100, 1) + 175 = 225 fires (v = 0), 231 fires, 273 fires.
  // unit 1: c = -50 + 30 = -20, rs(-60, 2) - 20 = -15 - 20 = -35, rs(-105, 2) - 20 = -26 - 20 = -46,
  //         rs(-138, 2) - 20 = -34 - 20 = -54;
  //         u = -20 + 4 = -16, rs(-16, 1) - 35 + 4 = -8 - 31 = -39, rs(-39, 1) - 46 + 4 = -19 - 42 = -61,
  //         rs(-61, 1) - 54 + 4 = -30 - 50 = -80.
  const r = run(currentBiasProgram([-100, 30]));
  t.deepEqual(r.u, [[100, 225, 231, 273], [-16, -39, -61, -80]]);
  t.deepEqual(r.o, [[0, 1, 1, 1], [0, 0, 0, 0]]);
  t.deepEqual(r.scores, [829, -196]);
  // A zero current bias is the current without one.
  t.deepEqual(run(currentBiasProgram([0, 0])), run(recurrenceProgram({ weights: [20, 0, -5, 0], bias: [0, 4], synaptic: { decay: { mul: 3, shift: 2 }, type: intType(true, 10, 1) } })));
});

test('synaptic current bias saturates with the current: the clamp comes after the bias', (t) => {
  // unit 0: c = clamp(200 + 350) = 511, then rs(1533, 2) + 550 = 383 + 550 -> 511 every step; u = 511 fires every step.
  // unit 1: c = -50 - 7 = -57, rs(-171, 2) - 57 = -43 - 57 = -100, rs(-300, 2) - 57 = -75 - 57 = -132,
  //         rs(-396, 2) - 57 = -99 - 57 = -156; u = -53, rs(-53, 1) - 96 = -26 - 96 = -122, rs(-122, 1) - 128 = -61 - 128 = -189,
  //         rs(-189, 1) - 152 = -94 - 152 = -246.
  const r = run(currentBiasProgram([350, -7]));
  t.deepEqual(r.u, [[511, 511, 511, 511], [-53, -122, -189, -246]]);
  t.deepEqual(r.o, [[1, 1, 1, 1], [0, 0, 0, 0]]);
});

test('recurrent synapse into a biased current that saturates', (t) => {
  // Current bias [350, -7]; recurrent w = [-30, 10, 90, 5] (rec << 1); binary outputs, threshold 150, zero reset.
  // t0: r = [0, 0].  unit 0: c = clamp(550) = 511, u = 511 fires.  unit 1: c = -57, u = -53 (v = -53).
  // t1: r = [1, 0].  unit 0: in = 200 - 60 = 140, c = 383 + 140 + 350 -> 511, fires.
  //                  unit 1: in = -50 + 180 = 130, c = rs(-171, 2) + 130 - 7 = -43 + 123 = 80, u = -26 + 80 + 4 = 58.
  // t2: r = [1, 0].  unit 0: 511 fires.  unit 1: c = rs(240, 2) + 123 = 60 + 123 = 183, u = 29 + 183 + 4 = 216 fires.
  // t3: r = [1, 1].  unit 0: in = 200 - 40 = 160, c -> 511, fires.
  //                  unit 1: in = -50 + 190 = 140, c = rs(549, 2) + 133 = 137 + 133 = 270, u = 0 + 270 + 4 = 274 fires.
  const r = run(currentBiasProgram([350, -7], { recurrent: RECURRENT, accType: intType(true, 16, 1) }));
  t.deepEqual(r.u, [[511, 511, 511, 511], [-53, 58, 216, 274]]);
  t.deepEqual(r.o, [[1, 1, 1, 1], [0, 0, 1, 1]]);
  t.deepEqual(r.scores, [2044, 495]);
});

test('recurrent and synaptic together, excess outputs and a subtract reset', (t) => {
  // Output excess: o = clamp(rs(u - 150, 2), u4.0); recurrent w = [-3, 1, 9, 1] (rec << 1); current decay 1/2.
  // t0: r = [0, 0].   unit 0: c = 200, u = 200, o = rs(50, 2) = 13, v = 50.   unit 1: c = 0, u = 0.
  // t1: r = [13, 0].  unit 0: in = 200 - 78 = 122, c = 100 + 122 = 222, u = rs(50, 1) + 222 = 247, o = 24 -> 15, v = 97.
  //                   unit 1: in = 117 << 1 = 234, c = 234, u = 234, o = rs(84, 2) = 21 -> 15, v = 84.
  // t2: r = [15, 15]. unit 0: in = 200 - 60 = 140, c = 111 + 140 = 251, u = 49 + 251 = 300, o = 15, v = 150.
  //                   unit 1: in = 150 << 1 = 300, c = 117 + 300 = 417, u = 42 + 417 = 459, o = 15, v = 309.
  // t3: r = [15, 15]. unit 0: c = 126 + 140 = 266, u = 75 + 266 = 341.   unit 1: c = 209 + 300 = 509, u = 155 + 509 = 664.
  const r = run(BOTH);
  t.deepEqual(r.u, [[200, 247, 300, 341], [0, 234, 459, 664]]);
  t.deepEqual(r.o, [[13, 15, 15, 15], [0, 15, 15, 15]]);
  t.deepEqual(r.scores, [1088, 1357]);
});

test('without the new fields nothing changes: the same layer with recurrent zero weights and no current', (t) => {
  const plain = run(recurrenceProgram());
  const zero = run(recurrenceProgram({ recurrent: { ...RECURRENT, weights: [0, 0, 0, 0] } }));
  t.deepEqual(zero, plain);
  t.deepEqual(plain.u, [[200, 200, 200, 200], [0, 0, 0, 0]]);
});

test('the fast golden equals the definition on 300 random recurrent and synaptic programs', (t) => {
  let recurrent = 0;
  let synaptic = 0;
  let biased = 0;
  for (let seed = 0; seed < 300; seed++) {
    const program = validateProgram(randomProgram(70_000 + seed, { extended: seed % 2 === 1, recurrence: seed % 3 === 0 ? 'recurrent' : seed % 3 === 1 ? 'synaptic' : 'both' }));
    const spiking = program.layers.filter((op): op is SpikingOp => op.kind === 'spiking');
    if (spiking.some((op) => op.recurrent)) recurrent++;
    if (spiking.some((op) => op.synaptic)) synaptic++;
    if (spiking.some((op) => op.synaptic?.bias)) biased++;
    const fast = compileGolden(program);
    const size = program.input.shape.reduce((a, b) => a * b, 1);
    for (let i = 0; i < 3; i++) {
      const pixels = randomPixels(seed * 3 + i, size);
      t.deepEqual(fast.run(pixels, seed + i), runGolden(program, pixels, seed + i), `program ${70_000 + seed} image ${i}`);
    }
  }
  t.is(recurrent, 200);
  t.is(synaptic, 200);
  t.true(biased >= 80, `${biased} programs with a current bias`);
});

test('activity: recurrent synops count the previous step\'s nonzero outputs times units, whatever the delay', (t) => {
  // Outputs (computed) unit 0: 1 0 1 0, unit 1: 0 1 0 1. r at t = 1, 2, 3 has one nonzero: 3 x 2 units = 6.
  // Input synops: one nonzero pixel x 2 units x 4 steps = 8. Dense: (2 x 2 + 2 x 2) x 4 = 32.
  for (const delay of [0, 1] as const) {
    const program = recurrenceProgram({ recurrent: RECURRENT, delay });
    const a = measureActivity(program, { images: [PIXELS], seeds: [0] }).layers[0]!;
    t.deepEqual([a.synops, a.recurrentSynops, a.denseSynops], [14, 6, 32], `delay ${delay}`);
    const e = estimateEnergy(program, measureActivity(program, { images: [PIXELS], seeds: [0] })).layers[0]!;
    // Binary outputs: a recurrent event is an add of s8 and a read of the 8-bit weight, no multiply.
    t.deepEqual(e.cost.recurrentSynop.terms.map((x) => x.what.split(' ')[0]), ['add', 'recurrent']);
    t.deepEqual([e.weightReads, e.recurrentWeightReads, e.recurrentWeightBits], [8, 6, 8]);
    t.true(Math.abs(e.synopPj - (8 * e.cost.synop.pJ + 6 * e.cost.recurrentSynop.pJ)) < 1e-9);
    t.true(Math.abs(e.eventPj - (e.synopPj + e.updatePj + e.firePj)) < 1e-9);
  }
});

test('energy: a synaptic current adds its leak, add, read and write to every update', (t) => {
  const program = recurrenceProgram({ synaptic: { decay: { mul: 3, shift: 2 }, type: intType(true, 10, 1) } });
  const e = estimateEnergy(program, measureActivity(program, { images: [PIXELS], seeds: [0] })).layers[0]!;
  // decay 1/2 of the membrane is a shift (no mult); the current's 3/4 is not.
  t.deepEqual(e.cost.update.terms.map((x) => x.what), [
    'acc add 16b', 'bias add 16b', 'compare 16b', 'membrane read 16b of 4 B (8.0 KB SRAM)', 'membrane write 16b of 4 B (8.0 KB SRAM)',
    'current decay mult 10x2b', 'current add 10b', 'current read 10b of 3 B (8.0 KB SRAM)', 'current write 10b of 3 B (8.0 KB SRAM)',
  ]);
  t.is(e.recurrentSynops, 0);
});

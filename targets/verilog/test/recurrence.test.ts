/**
 * @fileoverview Recurrent synapses and synaptic currents in hardware, beyond the conformance suite's recurrence set:
 * the hand-computed integers of test/golden-recurrence.test.ts from the traced design, Icarus as a second opinion,
 * lint and one driver per net on recurrent designs, and the plan's widths and memory images.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Program } from '../../../ir/program.ts';
import { testBatch } from '../../../test/support/batches.ts';
import { recurrenceCases, recurrenceDesigns } from '../../../test/support/conformance-set.ts';
import { emitTo } from '../../../test/support/emit-to.ts';
import { BOTH, currentBiasProgram, RECURRENT, recurrenceProgram } from '../../../test/support/recurrence-program.ts';
import { TINY } from '../../../test/support/fixed-programs.ts';
import { emitDesign } from '../emit.ts';
import { target } from '../index.ts';
import { planDesign, type SpikingPlan } from '../plan.ts';
import { simulate } from '../run.ts';
import { parseTrace, recordsToTrace } from '../trace.ts';
import { assertGoldenScores, lint } from './support.ts';

const PIXELS = Uint8Array.from([10, 0]);

/** Per unit, the membrane and output over the steps, and the scores, from one run of the traced design. */
async function hardware(program: Program, lanes: number): Promise<{ u: number[][]; o: number[][]; scores: readonly number[] }> {
  const dir = await emitTo(target, program, { lanes, traces: true });
  const traceFile = join(dir, 'trace.txt');
  const { scores } = simulate(dir, { images: [PIXELS], seeds: [0] }, { traceFile });
  const layer = recordsToTrace(program, parseTrace(readFileSync(traceFile, 'utf8'))).layers[0]!;
  return { u: [0, 1].map((j) => layer.membrane.map((m) => m[j]!)), o: [0, 1].map((j) => layer.output.map((o) => o[j]!)), scores: scores[0]! };
}

// The figures worked on paper in test/golden-recurrence.test.ts, per hand-computed case (one lane or two).
const FIGURES: Readonly<Record<string, { u: number[][]; o: number[][]; scores: number[] }>> = {
  'recurrent-binary-zero': { u: [[200, 140, 290, 140], [0, 180, 10, 185]], o: [[1, 0, 1, 0], [0, 1, 0, 1]], scores: [770, 375] },
  'recurrent-delay1': { u: [[0, 200, 140, 290], [0, 0, 180, 10]], o: [[0, 1, 0, 1], [0, 0, 1, 0]], scores: [630, 190] },
  'synaptic-saturating': { u: [[200, 350, 463, 511], [-46, -106, -164, -214]], o: [[1, 1, 1, 1], [0, 0, 0, 0]], scores: [1524, -530] },
  'recurrent-synaptic-excess-subtract': { u: [[200, 247, 300, 341], [0, 234, 459, 664]], o: [[13, 15, 15, 15], [0, 15, 15, 15]], scores: [1088, 1357] },
  'synaptic-current-bias': { u: [[100, 225, 231, 273], [-16, -39, -61, -80]], o: [[0, 1, 1, 1], [0, 0, 0, 0]], scores: [829, -196] },
  'recurrent-synaptic-current-bias-saturating': { u: [[511, 511, 511, 511], [-53, 58, 216, 274]], o: [[1, 1, 1, 1], [0, 0, 1, 1]], scores: [2044, 495] },
};

const CASES = recurrenceCases();
test('every hand-computed recurrence case has its figures', (t) => {
  t.deepEqual(CASES.map((c) => c.name).sort(), Object.keys(FIGURES).sort());
});

for (const c of CASES) {
  test.serial(`${c.name}, ${c.lanes} lane(s): the design computes the hand-computed membranes, outputs and scores`, async (t) => {
    const r = await hardware(c.program, c.lanes);
    t.deepEqual(r, FIGURES[c.name]);
  });
}

const SET = [...CASES, ...recurrenceDesigns()];
const byName = (name: string) => SET.find((c) => c.name === name)!;

for (const name of ['recurrent-synaptic-excess-subtract', 'both-extended-1', 'both-events-7']) {
  test.serial(`${name}: Icarus matches the golden runtime on 4 images`, async (t) => {
    const { program, lanes } = byName(name);
    const dir = await emitTo(target, program, { lanes });
    const batch = testBatch(program, 4);
    assertGoldenScores(t, dir, program, batch, simulate(dir, batch, { simulator: 'icarus' }));
  });
}

for (const name of ['recurrent-synaptic-excess-subtract', 'recurrent-synaptic-current-bias-saturating', 'both-extended-1', 'both-extended-8', 'both-extended-13', 'both-events-7', 'synaptic-conv-13']) {
  for (const traces of [false, true]) {
    test(`${name}${traces ? ', traced' : ''}: lint clean`, async (t) => {
      const { program, lanes } = byName(name);
      t.is(lint(await emitTo(target, program, { lanes, traces })), '');
    });
  }
}

test('every net of a recurrent and synaptic design has one driver (yosys check -assert), snn_top and snn_axis', async (t) => {
  for (const name of ['both-extended-1', 'both-delay1-9']) {
    const { program, lanes } = byName(name);
    const dir = await emitTo(target, program, { lanes });
    const rtl = (JSON.parse(readFileSync(join(dir, 'design.json'), 'utf8')) as { rtl: string[] }).rtl.join(' ');
    for (const top of ['snn_top', 'snn_axis']) {
      const run = spawnSync('yosys', ['-q', '-p', `read_verilog -defer ${rtl}; hierarchy -top ${top}; proc; flatten; check -assert`], { cwd: dir, encoding: 'utf8' });
      t.is(run.status, 0, `${name} ${top}: ${run.stdout}${run.stderr}`);
    }
  }
});

test('the plan sizes the recurrent sum from the bounds and the current from its type', (t) => {
  const plan = planDesign(BOTH, 1);
  const s = plan.stages[0] as SpikingPlan;
  // |rec_j| <= (|-3| + |1|) * 15 = 60 and (9 + 1) * 15 = 150: 9 signed bits; weights s8; x u4 -> 5 bits signed.
  t.like(s.recurrent, { lanes: 1, groups: 2, accBits: 9, weightBits: 8, macBits: 9, shift: 1, shiftMax: 1, shiftBits: 0, wAddrBits: 2 });
  t.like(s.recurrent?.list, { depth: 2, banks: 2, addrBits: 1, countBits: 2, coords: false });
  t.deepEqual(s.current, { bits: 16, min: -32768n, max: 32767n, full: true, decay: { mul: 1, shift: 1, bits: 2 }, decayWidth: 19, biasBits: 0, biasMax: 0n });
  // A current bias of at most |-40| takes 7 signed bits at the end of the unit word.
  const biased = planDesign(currentBiasProgram([-40, 7], { recurrent: RECURRENT, accType: { signed: true, bits: 16, frac: 1 } }), 1).stages[0] as SpikingPlan;
  t.like(biased.current, { biasBits: 7, biasMax: 40n });
  // An identity layer's neuron core updates every unit in one capture, so its recurrent synapse has a lane per unit.
  const identity = planDesign(byName('both-extended-1').program, 2).stages[0] as SpikingPlan;
  t.true(identity.identity);
  t.like(identity.recurrent, { lanes: 90, groups: 1 });
});

test('the recurrent weights are laid out as the input synapse\'s: [group][unit], lane 0 in the low bits', (t) => {
  const words = (lanes: number): string[] => {
    const file = emitDesign(recurrenceProgram({ recurrent: RECURRENT }), { lanes, traces: false }).find((f) => f.path === 'mem/s0_recurrent.hex');
    return String(file?.contents).trim().split('\n');
  };
  // w = [[-30, 10], [90, 5]] in 8 bits: one lane, group j then input k; two lanes, unit 1 in the high byte.
  t.deepEqual(words(1), ['e2', '0a', '5a', '05']);
  t.deepEqual(words(2), ['5ae2', '050a']);
});

test('a feed-forward design has no recurrent core: snn_neuron only, no own list, no recurrent image', (t) => {
  const files = emitDesign(TINY, { lanes: 2, traces: false });
  const paths = files.map((f) => f.path);
  t.false(paths.includes('rtl/snn_neuron_current.v'));
  t.true(paths.includes('rtl/snn_neuron.v'));
  t.false(paths.some((p) => p.endsWith('_recurrent.hex')));
  const both = emitDesign(BOTH, { lanes: 2, traces: false }).map((f) => f.path);
  t.true(both.includes('rtl/snn_neuron_current.v'));
  t.false(both.includes('rtl/snn_neuron.v'));
});

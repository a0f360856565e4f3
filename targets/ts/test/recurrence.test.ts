/**
 * @fileoverview The ts target's recurrent synapse and synaptic current, beyond equality with the golden runtime on the
 * recurrence sweep (test/conformance.test.ts): the sweep reaches every new path of the emitter, and the emitted
 * recurrent sum is event-driven over the layer's own outputs of the previous step (a golden model.ts).
 */
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { randomProgram } from '../../../ir/random-program.ts';
import { recurrenceSweep } from '../../../test/support/conformance-set.ts';
import { BOTH } from '../../../test/support/recurrence-program.ts';
import { assertGolden } from '../../../test/support/golden.ts';
import { target } from '../index.ts';
import { planModel, type SpikingPlan } from '../plan.ts';
import { emitAndLoad } from './support.ts';

test('recurrent synapse and synaptic current together: the values worked out by hand (test/golden-recurrence.test.ts)', async (t) => {
  const trace = (await emitAndLoad(BOTH)).trace(Uint8Array.from([10, 0]), 0);
  t.deepEqual(trace.layers[0]!.membrane, [[200, 0], [247, 234], [300, 459], [341, 664]]);
  t.deepEqual(trace.layers[0]!.output, [[13, 0], [15, 15], [15, 15], [15, 15]]);
  t.deepEqual(trace.scores, [1088, 1357]);
});

test('the recurrence sweep reaches every new path of the emitter', (t) => {
  const plans = recurrenceSweep().programs.map((p) => planModel(p));
  const layers = plans.flatMap((p) => p.layers.flatMap((l) => (l.kind === 'spiking' ? [{ l, block: l.index === 0 ? p.block : 1 }] : [])));
  const rec = layers.flatMap(({ l, block }) => (l.recurrent ? [{ l, block }] : []));
  const syn = layers.flatMap(({ l, block }) => (l.current ? [{ l, block }] : []));
  const count = (what: string, plansOf: readonly { l: SpikingPlan; block: number }[], keep: (l: SpikingPlan, block: number) => boolean): void => {
    t.true(plansOf.some(({ l, block }) => keep(l, block)), `no program exercises ${what}`);
  };
  count('int32 recurrent sums', rec, (l) => l.recurrent!.kind === 'Int32Array');
  count('double recurrent sums', rec, (l) => l.recurrent!.kind === 'Float64Array');
  for (const output of ['binary', 'excess', 'membrane'] as const) count(`recurrence over ${output} outputs`, rec, (l) => l.op.output.kind === output);
  count('recurrence with delay 1', rec, (l) => l.op.delay === 1);
  count('recurrence after an identity synapse', rec, (l) => l.op.synapse === 'identity');
  count('recurrence beside packed lanes', rec, (l) => l.packing !== undefined);
  count('recurrence on a constant input', rec, (l) => l.input.constant);
  count('recurrence on a block of timesteps', rec, (_, block) => block > 1);
  count('a current whose clamp can trigger', syn, (l) => l.current!.preClamp.min < l.current!.range.min || l.current!.preClamp.max > l.current!.range.max);
  count('a current whose clamp never triggers', syn, (l) => l.current!.preClamp.min >= l.current!.range.min && l.current!.preClamp.max <= l.current!.range.max);
  count('a current without decay', syn, (l) => l.current!.decay.mul === 0);
  count('a current after an identity synapse', syn, (l) => l.op.synapse === 'identity');
  count('a current on a block of timesteps', syn, (_, block) => block > 1);
  count('a current beside packed lanes', syn, (l) => l.packing !== undefined);
  count('a current into a membrane output', syn, (l) => l.op.output.kind === 'membrane');
  count('a current with its recurrent synapse', syn, (l) => l.recurrent !== undefined);
  count('a current with its own bias', syn, (l) => l.op.synaptic!.bias !== undefined);
  // A current takes the bias out of the drive: the drive starts from the current's bias (zeros without one) and the
  // membrane adds the bias.
  t.true(syn.every(({ l }) => l.driveBias.every((b, j) => b === (l.op.synaptic!.bias?.[j] ?? 0))));
});

test('the recurrent sum loops over the layer\'s own output events of the previous step, before a delay-1 swap: model.ts', async (t) => {
  const program = randomProgram(2, { conv: false, recurrence: 'both', delay: 1, output: 'excess', timesteps: 3 });
  const source = String((await target.emit(program, {}))[0]!.contents);
  const step = source.slice(source.indexOf('for (let t = 0; t < 3; t++)'));
  // Seed 2: 4 recurrent units, then 4 with a current. Layer 0 adds the rows of its own nonzero outputs of the
  // previous step (l0Idx, l0Val, l0N) into l0Rec, then swaps them out of sight.
  const rec = step.indexOf('l0Rec.fill(0);');
  t.true(rec >= 0 && rec < step.indexOf('l0Idx = l0VisIdx'));
  t.regex(step.slice(rec, step.indexOf('l0Idx = l0VisIdx')), /for \(; n < l0N; n\+\+\)[\s\S]*const a0 = l0Idx\[n\]! \* 4, x0 = l0Val\[n\]!;/);
  t.true(step.includes('+ l0D[j]! + l0Rec[j]!;'));
  t.regex(step, /const c = [^;]*l1C\[j\]![^;]* \+ l1D\[j\]!;/);
  t.true(step.includes('+ c + l1MemBias[j]!;'));
  assertGolden(t, fileURLToPath(new URL('golden/recurrent-synaptic.model.ts', import.meta.url)), source);
  t.true(step.includes('l1C[j] = c;'));
});

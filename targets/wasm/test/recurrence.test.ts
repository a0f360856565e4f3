/**
 * @fileoverview The wasm target's recurrent synapse and synaptic current, beyond equality with the golden runtime on
 * the recurrence sweep (test/conformance.test.ts): the sweep reaches every new path of the builder, those layers
 * update per unit in i64, and the plan states them.
 */
import test from 'ava';
import { randomProgram } from '../../../ir/random-program.ts';
import { recurrenceSweep } from '../../../test/support/conformance-set.ts';
import { emitTo } from '../../../test/support/emit-to.ts';
import { BOTH } from '../../../test/support/recurrence-program.ts';
import { describePlan } from '../describe.ts';
import { target } from '../index.ts';
import { planWasm, type SpikingPlan } from '../plan.ts';
import { loadWasmModel } from '../run.ts';

test('recurrent synapse and synaptic current together: the values worked out by hand (test/golden-recurrence.test.ts)', async (t) => {
  const model = await loadWasmModel(await emitTo(target, BOTH), BOTH);
  const trace = model.trace(Uint8Array.from([10, 0]), 0);
  t.deepEqual(trace.layers[0]!.membrane, [[200, 0], [247, 234], [300, 459], [341, 664]]);
  t.deepEqual(trace.layers[0]!.output, [[13, 0], [15, 15], [15, 15], [15, 15]]);
  t.deepEqual(model.infer(Uint8Array.from([10, 0]), 0), { scores: [1088, 1357], label: 1 });
});

test('the recurrence sweep reaches every new path of the builder, and those layers update per unit in i64', (t) => {
  const layers = recurrenceSweep().programs.flatMap((p) => planWasm(p).layers).filter((l): l is SpikingPlan => l.kind === 'spiking');
  const rec = layers.filter((l) => l.recurrent);
  const syn = layers.filter((l) => l.current);
  const count = (what: string, n: number): void => {
    t.true(n > 0, `no program exercises ${what}`);
  };
  count('an odd number of recurrent units (a padded row)', rec.filter((l) => l.op.units % 2 === 1).length);
  count('an even number of recurrent units', rec.filter((l) => l.op.units % 2 === 0).length);
  count('per-unit recurrent shifts', rec.filter((l) => 'at' in l.recurrent!.accShift).length);
  count('one recurrent shift for every unit', rec.filter((l) => 'value' in l.recurrent!.accShift).length);
  count('recurrence after an identity synapse', rec.filter((l) => l.dense === undefined).length);
  count('recurrence with delay 1', rec.filter((l) => l.op.delay === 1).length);
  count('recurrence over binary outputs', rec.filter((l) => l.op.output.kind === 'binary').length);
  count('a current with per-unit biases after it', syn.filter((l) => 'at' in l.bias).length);
  count('a current with one bias', syn.filter((l) => 'value' in l.bias).length);
  count('a current after an identity synapse', syn.filter((l) => l.dense === undefined).length);
  count('a current without decay', syn.filter((l) => l.current!.decay.mul === 0).length);
  count('a current with its recurrent synapse', syn.filter((l) => l.recurrent).length);
  count('a current whose clamp can trigger', syn.filter((l) => l.current!.lo !== null || l.current!.hi !== null).length);
  count('a current whose clamp never triggers', syn.filter((l) => l.current!.lo === null && l.current!.hi === null).length);
  count('a layer that would run in i32x4 lanes without recurrence', [...rec, ...syn].filter((l) => l.dense && l.dense.width !== 'i64').length);
  t.deepEqual([...rec, ...syn].filter((l) => l.vector !== undefined).map((l) => l.op.name), []);
  t.true(rec.every((l) => l.recurrent!.rowBytes === 4 * (l.op.units + (l.op.units % 2))));
});

test('the plan states the recurrent synapse and the synaptic current', (t) => {
  const plan = planWasm(randomProgram(2, { conv: false, recurrence: 'both', delay: 1, output: 'excess', timesteps: 3 }));
  const [hidden, out] = describePlan(plan).slice(2);
  t.regex(hidden!, /^layer0: spiking dense 20->4, [^;]*; recurrent \[4\]\[4\] i32 from its outputs of step t-1, i64x2 lanes; update per unit in i64;/);
  t.regex(out!, /^layer1: spiking dense 4->4, [^;]*; synaptic current s30\.11, decay 6661\/2\^15; update per unit in i64;/);
});

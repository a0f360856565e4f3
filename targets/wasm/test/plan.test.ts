/**
 * @fileoverview The wasm target's plan: the accumulation width each dense layer gets from the bounds, the plan text
 * (README.md's plan section) as golden files, and exact results on every width.
 */
import test from 'ava';
import { fileURLToPath } from 'node:url';
import type { Program } from '../../../ir/program.ts';
import { randomBatch } from '../../../runtime/batch.ts';
import { runGolden } from '../../../runtime/golden.ts';
import { emitTo } from '../../../test/support/emit-to.ts';
import { assertGolden } from '../../../test/support/golden.ts';
import { cubaLif, sinabsConvNet } from '../../../test/support/target-feature-programs.ts';
import { passSizes } from '../build-spiking.ts';
import { describePlan } from '../describe.ts';
import { target } from '../index.ts';
import { planWasm, type SpikingPlan } from '../plan.ts';
import { docExample, wideInputs } from './support.ts';

const golden = (name: string): string => fileURLToPath(new URL(`golden/${name}`, import.meta.url));

const widths = (program: Program): string[] => planWasm(program).layers.map((l) => (l.kind === 'spiking' && l.dense ? l.dense.width : l.kind));

test('each dense layer gets the narrowest exact width: pair16 for int16 inputs, i32 beyond, i64 when partial sums pass int32', (t) => {
  t.deepEqual(widths(docExample()), ['pair16', 'pair16']);
  t.deepEqual(widths(wideInputs(1)), ['pair16', 'i32']);
  t.deepEqual(widths(wideInputs(300)), ['pair16', 'i64']);
  const out = planWasm(wideInputs(300)).layers[1] as SpikingPlan;
  t.is(out.dense!.rowBytes, 2 * 4, 'i64 lanes: 2 units padded, i32 weights');
});

test('the membrane update runs in i32x4 lanes only where the bounds prove int32; the exactness test below runs both', (t) => {
  const updates = (program: Program): string[] => planWasm(program).layers.map((l) => (l.kind === 'spiking' && l.vector ? `lanes ${l.vector.decay.mode}` : 'i64'));
  t.deepEqual(updates(docExample()), ['lanes split', 'lanes split']);
  t.deepEqual(updates(wideInputs(300)), ['lanes split', 'i64']);
});

test('passes over the events: balanced when few, a loop of full blocks when many', (t) => {
  t.deepEqual(passSizes(13, 5), { looped: 0, sizes: [5, 4, 4] });
  t.deepEqual(passSizes(2, 5), { looped: 0, sizes: [2] });
  t.deepEqual(passSizes(52, 8), { looped: 6, sizes: [4] });
});

test('every width is exact: the doc example and its wide variants equal the golden runtime on 40 random images', async (t) => {
  for (const program of [docExample(), wideInputs(1), wideInputs(300)]) {
    const dir = await emitTo(target, program);
    const batch = randomBatch(4, 40, 11);
    const result = await target.run(dir, program, batch);
    batch.images.forEach((image, i) => t.deepEqual(result.scores[i], runGolden(program, image, batch.seeds[i]!).scores, `${program.name} image ${i}`));
  }
  const big = await target.run(await emitTo(target, wideInputs(300)), wideInputs(300), randomBatch(4, 40, 11));
  t.true(big.scores.some((s) => s.some((v) => Math.abs(v) > 2 ** 31)), 'the i64 variant really leaves int32');
});

test('the plan, as README.md states it, for the doc example, a conv net and a CubaLIF net', async (t) => {
  for (const [name, program] of [['doc-example', docExample()], ['sinabs-conv-net', sinabsConvNet()], ['cuba-lif', cubaLif()]] as const) {
    const readme = String((await target.emit(program, {})).find((f) => f.path === 'README.md')!.contents);
    t.true(readme.includes(describePlan(planWasm(program)).map((l) => `- ${l}`).join('\n')));
    assertGolden(t, golden(`${name}.README.md`), readme);
  }
});

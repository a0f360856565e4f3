/**
 * @fileoverview The IR features added for NIR through the ts target: hand-built programs per feature (and a few values
 * worked out by hand), then a fixed-seed batch of extended random programs, all equal to the golden runtime in scores,
 * labels and full traces.
 */
import test from 'ava';
import { randomPixels, randomProgram } from '../../../ir/random-program.ts';
import type { Program } from '../../../ir/program.ts';
import { SnncError } from '../../../base/errors.ts';
import { validateProgram } from '../../../ir/validate.ts';
import { runGolden, traceGolden } from '../../../runtime/golden.ts';
import { target } from '../index.ts';
import { loadModel } from '../run.ts';
import { planModel } from '../plan.ts';
import { convStridePadding, featureImages, featurePrograms, poolAvgPadded, poolSum } from '../../../test/support/target-feature-programs.ts';
import { emitAndLoad, emitTo, pixelsOf, scratchDir } from './support.ts';

const ramp = (program: Program): Uint8Array => Uint8Array.from({ length: pixelsOf(program) }, (_, i) => i + 1);

test('hand-built programs per feature: scores, labels and every layer at every timestep equal the golden runtime', async (t) => {
  const dir = scratchDir();
  for (const { program, activity } of featurePrograms()) {
    const folder = await emitTo(dir, program.name, program);
    const batch = featureImages(program);
    const got = await target.run(folder, program, batch);
    const want = batch.images.map((image, k) => runGolden(program, image, batch.seeds[k]!));
    t.deepEqual(got, { scores: want.map((w) => w.scores), labels: want.map((w) => w.label) }, program.name);
    const model = await loadModel(folder, program);
    const active = new Set<string>();
    for (const [k, image] of batch.images.entries()) {
      const expected = traceGolden(program, image, batch.seeds[k]!);
      const actual = model.trace(image, batch.seeds[k]!);
      t.is(model.firstDifference(expected, actual), undefined, `${program.name} image ${k}`);
      t.deepEqual(actual, expected, `${program.name} image ${k}`);
      expected.layers.forEach((l) => {
        if (l.output.some((row) => row.some((v) => v !== 0))) active.add(l.name);
      });
    }
    t.deepEqual(activity.filter((name) => !active.has(name)), [], `${program.name}: layers that never produced a nonzero value`);
  }
});

test('conv stride 2 and padding 1 on a ramp image give the window sums worked out by hand', async (t) => {
  const program = convStridePadding();
  const model = await emitAndLoad(scratchDir(), 'conv', program);
  // x(r, c) = 5r + c + 1. Filter 0 sums the 3x3 window at (2i-1, 2j-1), zeros outside; filter 1 is x(2i, 2j) - 3.
  const y = model.trace(ramp(program), 0).layers[0]!.output[0]!;
  t.deepEqual([y[0], y[1], y[4], y[8]], [1 + 2 + 6 + 7, 2 + 3 + 4 + 7 + 8 + 9, 9 * 13, 19 + 20 + 24 + 25]);
  t.deepEqual([y[9], y[10], y[13], y[17]], [1 - 3, 3 - 3, 13 - 3, 25 - 3]);
});

test('sum and avg pools (padding, rounding, the clamp edge) give the values worked out by hand', async (t) => {
  const sum = poolSum();
  const sumY = (await emitAndLoad(scratchDir(), 'sum', sum)).trace(ramp(sum), 0).layers[0]!.output[0]!;
  // Channel 0 x(r, c) = 4r + c + 1, channel 1 adds 16.
  t.deepEqual(sumY, [14, 22, 46, 54, 78, 86, 110, 118]);
  const avg = poolAvgPadded();
  const model = await emitAndLoad(scratchDir(), 'avg', avg);
  // roundShift(sum * 7282, 16) of the padded 3x3 window sums: 16 -> 2, 117 -> 13, 1020 -> 113, and 2295 -> 255, u8's max.
  const rampY = model.trace(ramp(avg), 0).layers[0]!.output[0]!;
  t.deepEqual([rampY[0], rampY[4]], [2, 13]);
  const fullY = model.trace(new Uint8Array(25).fill(255), 0).layers[0]!.output[0]!;
  t.deepEqual([fullY[0], fullY[4]], [113, 255]);
});

/** 60 extended random programs of every feature mix, fixed seeds. */
const EXTENDED: readonly Program[] = Array.from({ length: 60 }, (_, k) => randomProgram(7000 + k, { extended: true, ...(k % 4 === 0 ? { pool: true } : {}), ...(k % 4 === 1 ? { identity: true } : {}) }));

test('60 extended random programs x 3 images: scores, labels and traces equal the golden runtime', async (t) => {
  const dir = scratchDir();
  for (const [n, program] of EXTENDED.entries()) {
    const folder = await emitTo(dir, `x${n}`, program);
    const size = pixelsOf(program);
    const batch = { images: [new Uint8Array(size).fill(255), randomPixels(n * 3 + 1, size), randomPixels(n * 3 + 2, size)], seeds: [n, 0, 0xffffffff] };
    const got = await target.run(folder, program, batch);
    const want = batch.images.map((image, k) => runGolden(program, image, batch.seeds[k]!));
    t.deepEqual(got, { scores: want.map((w) => w.scores), labels: want.map((w) => w.label) }, program.name);
    const model = await loadModel(folder, program);
    for (const [k, image] of batch.images.entries()) {
      const expected = traceGolden(program, image, batch.seeds[k]!);
      t.deepEqual(model.trace(image, batch.seeds[k]!), expected, `${program.name} image ${k}`);
    }
  }
});

test('the extended programs reach every new path of the emitter', (t) => {
  const plans = EXTENDED.map((p) => planModel(p));
  const layers = plans.flatMap((p) => p.layers);
  const count = (what: string, n: number): void => {
    t.true(n > 0, `no program exercises ${what}`);
  };
  const windows = layers.filter((l) => l.kind === 'conv' || l.kind === 'pool');
  count('a strided conv', windows.filter((l) => l.kind === 'conv' && l.op.stride > 1).length);
  count('a padded conv', windows.filter((l) => l.kind === 'conv' && l.op.padding > 0).length);
  count('a strided pool', windows.filter((l) => l.kind === 'pool' && l.op.stride > 1).length);
  count('a padded pool', windows.filter((l) => l.kind === 'pool' && l.op.padding > 0).length);
  count('a sum pool', windows.filter((l) => l.kind === 'pool' && l.op.mode === 'sum').length);
  count('an avg pool', windows.filter((l) => l.kind === 'pool' && l.op.mode === 'avg').length);
  count('a pool on binary events', windows.filter((l) => l.kind === 'pool' && l.input.binary).length);
  const spiking = layers.filter((l) => l.kind === 'spiking');
  count('an identity synapse without shifts', spiking.filter((l) => l.op.synapse === 'identity' && l.weights.every((f) => f === 1)).length);
  count('an identity synapse with shifts', spiking.filter((l) => l.op.synapse === 'identity' && l.weights.some((f) => f !== 1)).length);
  count('an identity synapse on binary events', spiking.filter((l) => l.op.synapse === 'identity' && l.input.binary).length);
  count('a membrane output', spiking.filter((l) => l.op.output.kind === 'membrane').length);
  count('a membrane output with delay 1', spiking.filter((l) => l.op.output.kind === 'membrane' && l.op.delay === 1).length);
  count('a value reset', spiking.filter((l) => l.op.reset.kind === 'value').length);
  count('a none reset', spiking.filter((l) => l.op.reset.kind === 'none').length);
  count('an output readout', plans.filter((p) => p.program.readout.source === 'output').length);
  count('an output readout of binary spikes', plans.filter((p) => p.program.readout.source === 'output' && p.last.out.binary).length);
});

test('check accepts 300 extended random programs', (t) => {
  for (let seed = 1; seed <= 300; seed++) t.notThrows(() => target.check(randomProgram(seed, { extended: true })), `extended random${seed}`);
});

test('windows and identity synapses whose shapes disagree are IR errors from validateProgram, met before the target', (t) => {
  const refused = (p: Program): string | undefined => {
    const error = t.throws(() => validateProgram(p), { instanceOf: SnncError });
    t.is(error?.code, 'ir');
    return error?.message;
  };
  const program = poolSum();
  const pool = program.layers[0]!;
  if (pool.kind !== 'pool') throw new Error('expected a pool first');
  const wrongShape: Program = { ...program, layers: [{ ...pool, outShape: [2, 3, 3] }, ...program.layers.slice(1)] };
  t.regex(refused(wrongShape) ?? '', /outShape: \[2, 3, 3\] is not the 2x2 stride 2 padding 0 output of \[2, 4, 4\]/);
  const widePadding: Program = { ...program, layers: [{ ...pool, padding: 2 }, ...program.layers.slice(1)] };
  t.regex(refused(widePadding) ?? '', /padding: 2 must be an integer in \[0, kernel - 1\]/);
  const feature = featurePrograms().find((f) => f.program.name === 'feature-cuba-lif')!.program;
  const lif = feature.layers[1]!;
  if (lif.kind !== 'spiking') throw new Error('expected a spiking layer');
  const uneven: Program = { ...feature, classes: 3, layers: [feature.layers[0]!, { ...lif, units: 3, bias: lif.bias.slice(0, 3), accShift: lif.accShift.slice(0, 3), weightFrac: lif.weightFrac.slice(0, 3) }] };
  t.is(refused(uneven), 'invalid IR: layers[1] (lif).units: an identity synapse needs units == inputs, got 3 and 4');
  const firingNone: Program = { ...feature, layers: [feature.layers[0]!, { ...lif, reset: { kind: 'none' } }] };
  t.is(refused(firingNone), 'invalid IR: layers[1] (lif).reset: reset none needs output membrane (a firing layer must reset), got output excess');
});

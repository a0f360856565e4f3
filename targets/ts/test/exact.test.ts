/**
 * @fileoverview The ts target's own arithmetic paths: widened programs (doubles wherever 32 bits do not hold), the
 * conformance sweeps and those programs reaching every path of the emitter (packed lanes, int32 and double drives and
 * membranes), the shipped example on sparse images several inferences in a row, and packed lanes at the very ends of
 * their range. Equality on the shared programs and sweeps is in test/conformance.test.ts.
 */
import test from 'ava';
import { makeRandom, randomPixels, randomProgram } from '../../../ir/random-program.ts';
import { intType } from '../../../ir/int-type.ts';
import type { Program } from '../../../ir/program.ts';
import type { SpikingOp } from '../../../ir/spiking.ts';
import { runGolden, traceGolden } from '../../../runtime/golden.ts';
import { pixelsOf } from '../../../test/support/batches.ts';
import { sweeps } from '../../../test/support/conformance-set.ts';
import { emitTo } from '../../../test/support/emit-to.ts';
import { exampleProgram } from '../../../test/support/example.ts';
import { target } from '../index.ts';
import { loadModel } from '../run.ts';
import { planModel } from '../plan.ts';
import { widen } from './support.ts';

/** Six generated programs widened past 32 bits, half of them with a conv. */
const WIDE: readonly Program[] = Array.from({ length: 6 }, (_, k) => widen(randomProgram(1054 + k, { weightBits: 2 + ((54 + k) % 15), timesteps: 1 + ((54 + k) % 12), conv: k % 2 === 0 })));

/** Edge images and seeds first (blank, saturated, seed 0 and 2^32-1), then random ones. */
function images(program: Program, salt: number): { images: Uint8Array[]; seeds: number[] } {
  const n = pixelsOf(program);
  return {
    images: [new Uint8Array(n), new Uint8Array(n).fill(255), randomPixels(salt, n), randomPixels(salt + 1, n), randomPixels(salt + 2, n)],
    seeds: [0, 0xffffffff, 1, 12345 + salt, 2 ** 31],
  };
}

test('6 widened programs x 5 images: scores, labels and traces equal the golden runtime', async (t) => {
  for (const [n, program] of WIDE.entries()) {
    const folder = await emitTo(target, program);
    const batch = images(program, n * 10);
    const got = await target.run(folder, program, batch);
    const want = batch.images.map((image, k) => runGolden(program, image, batch.seeds[k]!));
    t.deepEqual(got, { scores: want.map((w) => w.scores), labels: want.map((w) => w.label) }, program.name);
    const model = await loadModel(folder, program);
    for (const [k, image] of batch.images.entries()) {
      const expected = traceGolden(program, image, batch.seeds[k]!);
      const actual = model.trace(image, batch.seeds[k]!);
      t.is(model.firstDifference(expected, actual), undefined, `${program.name} image ${k}`);
      t.deepEqual(actual, expected, `${program.name} image ${k}`);
    }
  }
});

test('the conformance sweeps and the widened programs reach every arithmetic path of the emitter', (t) => {
  const layers = [...sweeps().flatMap((s) => s.programs), ...WIDE].flatMap((p) => planModel(p).layers);
  const spiking = layers.filter((l) => l.kind === 'spiking');
  const conv = layers.filter((l) => l.kind === 'conv');
  const count = (what: string, n: number): void => {
    t.true(n > 0, `no program exercises ${what}`);
  };
  count('packed accumulators', spiking.filter((l) => l.packing !== undefined).length);
  count('packing with 3 or more lanes', spiking.filter((l) => (l.packing?.lanes ?? 0) >= 3).length);
  count('unpacked int32 drive', spiking.filter((l) => l.packing === undefined && l.driveKind === 'Int32Array').length);
  count('unpacked double drive', spiking.filter((l) => l.packing === undefined && l.driveKind === 'Float64Array').length);
  count('double membranes', spiking.filter((l) => l.membraneKind === 'Float64Array').length);
  count('int32 conv accumulators', conv.filter((l) => l.accKind === 'Int32Array').length);
  count('double conv accumulators', conv.filter((l) => l.accKind === 'Float64Array').length);
  count('hoisted constant input', layers.filter((l) => l.input.constant).length);
});

test('the shipped example (both layers packed) on sparse images matches the golden runtime, over several inferences in a row', async (t) => {
  const { program } = await exampleProgram();
  t.deepEqual(planModel(program).layers.map((l) => (l.kind === 'spiking' ? l.packing?.lanes : 0)), [2, 2], 'both layers packed, two lanes a word');
  const rand = makeRandom(5);
  const batch = {
    images: Array.from({ length: 8 }, () => Uint8Array.from({ length: 784 }, () => (rand() < 0.19 ? 1 + Math.floor(rand() * 255) : 0))),
    seeds: Array.from({ length: 8 }, (_, k) => k * 7919),
  };
  const got = await target.run(await emitTo(target, program), program, batch);
  const want = batch.images.map((image, k) => runGolden(program, image, batch.seeds[k]!));
  t.deepEqual(got.scores, want.map((w) => w.scores));
  t.deepEqual(got.labels, want.map((w) => w.label));
});

test('packed lanes are exact at the very ends of their range', async (t) => {
  // Every weight at an extreme of s8 and every pixel 255: each unit's sum reaches exactly the bound its lane is sized by.
  const base = randomProgram(77, { conv: false, encoder: 'direct', weightBits: 8, timesteps: 2 });
  const template = base.layers[0]!;
  if (template.kind !== 'spiking') throw new Error('expected a spiking first layer');
  const inputs = pixelsOf(base);
  const units = 5;
  const op = {
    ...template, inputs, units, weights: Array.from({ length: units * inputs }, (_, k) => (Math.floor(k / inputs) % 2 === 0 ? -128 : 127)),
    weightFrac: new Array<number>(units).fill(0), accShift: new Array<number>(units).fill(0), bias: new Array<number>(units).fill(0),
    // A wide membrane that never decays or fires shows the drive itself: u = drive at every step.
    membraneType: intType(true, 32, 0), decay: { mul: 0, shift: 0 }, threshold: 2 ** 30,
  };
  const program: Program = { ...base, classes: units, layers: [op] };
  const plan = planModel(program).layers[0]!;
  t.true(plan.kind === 'spiking' && (plan.packing?.lanes ?? 0) >= 2, 'the layer must be packed for this test to mean anything');
  const batch = { images: [new Uint8Array(inputs).fill(255)], seeds: [3] };
  const got = await target.run(await emitTo(target, program), program, batch);
  const steps = program.timesteps - program.readout.begin;
  const ends = Array.from({ length: units }, (_, j) => steps * (j % 2 === 0 ? -128 : 127) * 255 * inputs);
  t.deepEqual(got.scores, [ends]);
  t.deepEqual(got.scores, [runGolden(program, batch.images[0]!, 3).scores]);
});

test('a lane holding exactly the power of two its width is sized by decodes exactly', async (t) => {
  // Layer 0 fires all 8 binary units every step; layer 1 then sums exactly +1024 = 2^10, -1024 and 1016.
  const base = randomProgram(78, { conv: false, encoder: 'direct', weightBits: 9, timesteps: 3 });
  const template = base.layers[0]!;
  if (template.kind !== 'spiking') throw new Error('expected a spiking first layer');
  const layer = (name: string, inputs: number, units: number, weight: (j: number) => number, threshold: number): SpikingOp => ({
    ...template, name, inputs, units, weights: Array.from({ length: units * inputs }, (_, k) => weight(Math.floor(k / inputs))),
    weightFrac: new Array<number>(units).fill(0), accShift: new Array<number>(units).fill(0), bias: new Array<number>(units).fill(0),
    membraneType: intType(true, 32, 0), decay: { mul: 0, shift: 0 }, threshold, output: { kind: 'binary', type: intType(false, 1, 0) },
    reset: { kind: 'zero' }, delay: 0,
  });
  const program: Program = {
    ...base, input: { ...base.input, shape: [1, 4, 4] }, classes: 3,
    layers: [layer('fire', 16, 8, () => 1, 0), layer('sum', 8, 3, (j) => [128, -128, 127][j]!, 2 ** 30)],
    readout: { ...base.readout, begin: 0 },
  };
  const plan = planModel(program).layers[1]!;
  t.like(plan, { kind: 'spiking', packing: { laneBits: 12, lanes: 3, words: 1 } });
  const batch = { images: [new Uint8Array(16).fill(255)], seeds: [0] };
  const got = await target.run(await emitTo(target, program), program, batch);
  t.deepEqual(got.scores, [[3 * 1024, -3 * 1024, 3 * 1016]]);
});

/** @fileoverview The plug-in's refusals and the generated API beyond infer: trace locating, input checks, staleness. */
import test from 'ava';
import { intType } from '../../../ir/int-type.ts';
import type { Program } from '../../../ir/program.ts';
import { randomPixels, randomProgram } from '../../../ir/random-program.ts';
import { SnncError } from '../../../base/errors.ts';
import { validateProgram } from '../../../ir/validate.ts';
import { traceGolden } from '../../../runtime/golden.ts';
import { target } from '../index.ts';
import { join } from 'node:path';
import { pixelsOf } from '../../../test/support/batches.ts';
import { emitTo, tempDir } from '../../../test/support/emit-to.ts';
import { emitAndLoad } from './support.ts';

const program = randomProgram(31, { conv: true, delay: 1, timesteps: 4 });

test('check refuses a program whose last layer is a conv', (t) => {
  const convOnly: Program = { ...program, layers: program.layers.slice(0, 1) };
  t.is(convOnly.layers[0]!.kind, 'conv');
  const error = t.throws(() => target.check(convOnly), { instanceOf: SnncError });
  t.is(error?.code, 'unsupported');
  t.regex(error?.message ?? '', /last layer must be spiking/);
});

test('check refuses accumulators that a double cannot hold exactly', (t) => {
  const op = program.layers[program.layers.length - 1]!;
  if (op.kind !== 'spiking') throw new Error('expected a spiking last layer');
  const huge: Program = { ...program, layers: [...program.layers.slice(0, -1), { ...op, weights: op.weights.map(() => 2 ** 40), accType: intType(true, 48, 0) }] };
  const error = t.throws(() => target.check(huge), { instanceOf: SnncError });
  t.is(error?.code, 'unsupported');
  t.regex(error?.message ?? '', /beyond 2\^53/);
});

test('inconsistent shapes are IR errors from validateProgram, which every program meets before the target', (t) => {
  const op = program.layers[1]!;
  if (op.kind !== 'spiking') throw new Error('expected a spiking second layer');
  const short: Program = { ...program, layers: [program.layers[0]!, { ...op, weights: op.weights.slice(1) }, ...program.layers.slice(2)] };
  const error = t.throws(() => validateProgram(short), { instanceOf: SnncError });
  t.is(error?.code, 'ir');
  t.is(error?.message, 'invalid IR: layers[1] (layer0).weights: has 89 values, expected 90 (and 1 more)');
});

test('firstDifference names the timestep, layer and neuron of the first difference', async (t) => {
  const model = await emitAndLoad(program);
  const image = randomPixels(1, pixelsOf(program));
  const expected = traceGolden(program, image, 9);
  const actual = model.trace(image, 9);
  t.is(model.firstDifference(expected, actual), undefined);
  const layer = actual.layers[1]!;
  const was = layer.membrane[2]![1]!;
  layer.membrane[2]![1] = was + 1;
  t.is(model.firstDifference(expected, actual), `t=2 ${layer.name} membrane[1]: expected ${was}, got ${was + 1}`);
  actual.inputs[1]![0] = 999;
  t.regex(model.firstDifference(expected, actual) ?? '', /^t=1 input\[0\]: expected \d+, got 999$/);
});

test('infer refuses an image of the wrong size, and repeated inferences do not leak state', async (t) => {
  const model = await emitAndLoad(program);
  const n = pixelsOf(program);
  t.throws(() => model.infer(new Uint8Array(n + 1), 0), { instanceOf: RangeError, message: `image has ${n + 1} pixels, the model wants ${n}` });
  const image = randomPixels(2, n);
  const first = model.infer(image, 5);
  model.infer(new Uint8Array(n).fill(255), 6);
  model.trace(randomPixels(3, n), 7);
  t.deepEqual(model.infer(image, 5), first);
});

test('run refuses a model emitted from another program, and a batch with fewer seeds than images', async (t) => {
  const dir = await emitTo(target, program);
  const other = randomProgram(32);
  const image = randomPixels(4, pixelsOf(program));
  const stale = await t.throwsAsync(target.run(dir, other, { images: [], seeds: [] }), { instanceOf: SnncError });
  t.is(stale?.code, 'io');
  t.regex(stale?.message ?? '', /emitted from another program/);
  const short = await t.throwsAsync(target.run(dir, program, { images: [image, image], seeds: [1] }), { instanceOf: SnncError });
  t.is(short?.code, 'usage');
  const missing = await t.throwsAsync(target.run(`${dir}-absent`, program, { images: [], seeds: [] }), { instanceOf: SnncError });
  t.is(missing?.code, 'io');
});

test('a model re-emitted at the same path is imported afresh', async (t) => {
  const dir = join(tempDir('ts-same'), 'same');
  const a = randomProgram(40, { timesteps: 2 });
  const b = randomProgram(41, { timesteps: 3 });
  await emitTo(target, a, {}, dir);
  const image = new Uint8Array(pixelsOf(a)).fill(7);
  await target.run(dir, a, { images: [image], seeds: [1] });
  await emitTo(target, b, {}, dir);
  const imageB = new Uint8Array(pixelsOf(b)).fill(7);
  await t.notThrowsAsync(target.run(dir, b, { images: [imageB], seeds: [1] }));
});

/**
 * @fileoverview MNIST scale, through the real compiler: programs lowered by `lowerModel` from 784-pixel models, run by
 * the generated module on 500 MNIST test images, every score equal to the golden runtime's. The shipped example runs
 * once examples/mnist-snn exists; until then lowered random float models of the same input size stand in.
 */
import test, { type ExecutionContext } from 'ava';
import { existsSync } from 'node:fs';
import type { Program } from '../../../ir/program.ts';
import { calibrationSet, DEFAULT_CALIBRATION_IMAGES, lowerModel, modelSha256, requireSnn } from '../../../compiler/lower.ts';
import type { SnnModel } from '../../../model/format.ts';
import { readModel } from '../../../model/read-model.ts';
import { loadDataset } from '../../../data/load.ts';
import { runGolden } from '../../../runtime/golden.ts';
import { avgPoolModel, cubaModel, sinabsModel } from '../../../test/support/feature-models.ts';
import { tinyModel, type TinyModelOptions } from '../../../test/support/tiny-model.ts';
import { target } from '../index.ts';
import { emitTo, scratchDir } from './support.ts';

const EXAMPLE = 'examples/mnist-snn';
const IMAGES = 500;

async function assertExact(t: ExecutionContext, program: Program, count: number): Promise<void> {
  const data = loadDataset('mnist', 'test', { limit: count });
  const batch = { images: Array.from({ length: data.count }, (_, i) => data.image(i)), seeds: Array.from({ length: data.count }, (_, i) => i) };
  const actual = await target.run(await emitTo(scratchDir(), program.name, program), program, batch);
  const expected = batch.images.map((image, i) => runGolden(program, image, i));
  const differing = expected.filter((e, i) => e.scores.some((v, k) => v !== actual.scores[i]?.[k])).length;
  t.is(data.count, count);
  t.is(differing, 0, `${differing} of ${data.count} images differ`);
  t.deepEqual(actual.labels, expected.map((e) => e.label));
  t.true(new Set(actual.labels).size >= 3, 'a program that gives (nearly) every image one label proves little');
}

if (existsSync(`${EXAMPLE}/model.json`)) {
  test(`the ${EXAMPLE} example at its default T: the generated model equals the golden runtime on ${IMAGES} MNIST test images`, async (t) => {
    const model = requireSnn(readModel(EXAMPLE), EXAMPLE);
    const calibration = await calibrationSet(model, DEFAULT_CALIBRATION_IMAGES);
    await assertExact(t, lowerModel({ model, sourceSha256: modelSha256(EXAMPLE), calibration }), IMAGES);
  });
} else {
  test.todo(`the ${EXAMPLE} example on ${IMAGES} MNIST test images (runs once the example exists)`);
}

const VARIANTS: readonly [string, TinyModelOptions][] = [
  ['784-16-10, jitter, excess, refractory', {}],
  ['conv 3x3 then 1352-16-10', { conv: 3 }],
  ['binary outputs, delay 1, direct encoder, T=8', { output: 'binary', delay: 1, encoder: 'direct', timesteps: 8 }],
];

for (const [name, options] of VARIANTS) {
  test(`a lowered ${name}: the generated model equals the golden runtime on ${IMAGES} MNIST test images`, async (t) => {
    const model = tinyModel(11, options);
    const program = lowerModel({ model, sourceSha256: '0'.repeat(64), calibration: await calibrationSet(model, 64) });
    await assertExact(t, program, IMAGES);
  });
}

const FEATURE_MODELS: readonly [string, () => SnnModel][] = [
  ['Sinabs-style IF conv net (conv stride 2 padding 1, identity IF, sum pool, spike counts)', () => sinabsModel(3)],
  ['snnTorch-style CubaLIF MLP (membrane outputs, reset none, identity LIF)', () => cubaModel(4)],
  ['avg-pool net (identity LIF with value reset, avg pools, LI readout)', () => avgPoolModel(6)],
];

for (const [name, make] of FEATURE_MODELS) {
  test(`a lowered ${name}: the generated model equals the golden runtime on 200 MNIST test images`, async (t) => {
    const model = make();
    const program = lowerModel({ model, sourceSha256: '0'.repeat(64), calibration: await calibrationSet(model, 64) });
    await assertExact(t, program, 200);
  });
}

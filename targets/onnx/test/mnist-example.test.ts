/**
 * @fileoverview The shipped MNIST example, compiled as `snnc compile` does, run by ONNX Runtime on 200 MNIST test images:
 * every score equals the golden runtime's. Until examples/mnist-snn exists, the same check runs on a synthetic
 * MNIST-sized program (784 jittered pixels, conv and dense) so the scale is covered either way.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import type { Program } from '../../../ir/program.ts';
import { calibrationSet, DEFAULT_CALIBRATION_IMAGES, lowerModel, modelSha256, requireSnn } from '../../../compiler/lower.ts';
import type { SnnModel } from '../../../model/format.ts';
import { readModel } from '../../../model/read-model.ts';
import { avgPoolModel, cubaModel, sinabsModel } from '../../../test/support/feature-models.ts';
import { loadDataset } from '../../../data/load.ts';
import { target } from '../index.ts';
import { emitToTemp, goldenBatch } from './helpers.ts';
import { syntheticMnist } from './synthetic-mnist.ts';

const EXAMPLE = 'examples/mnist-snn';
const IMAGES = 200;

async function assertExact(t: import('ava').ExecutionContext, program: Program, count: number): Promise<void> {
  const data = loadDataset('mnist', 'test', { limit: count });
  const batch = { images: Array.from({ length: data.count }, (_, i) => data.image(i)), seeds: Array.from({ length: data.count }, (_, i) => i) };
  const dir = emitToTemp(t, program);
  const expected = goldenBatch(program, batch);
  const actual = await target.run(dir, program, batch);
  const differing = expected.scores.filter((s, i) => s.some((v, k) => v !== actual.scores[i]?.[k])).length;
  t.is(differing, 0, `${differing} of ${data.count} images differ`);
  t.deepEqual(actual.labels, expected.labels);
  t.true(new Set(expected.labels).size >= 3, 'the program should not give every image the same label');
}

if (existsSync(`${EXAMPLE}/model.json`)) {
  test(`the ${EXAMPLE} example: ONNX Runtime equals the golden runtime on ${IMAGES} MNIST test images`, async (t) => {
    const model = requireSnn(readModel(EXAMPLE), EXAMPLE);
    const calibration = await calibrationSet(model, DEFAULT_CALIBRATION_IMAGES);
    const program = lowerModel({ model, sourceSha256: modelSha256(EXAMPLE), calibration });
    await assertExact(t, program, IMAGES);
  });
} else {
  test.todo(`the ${EXAMPLE} example on ${IMAGES} MNIST test images (runs once the example exists)`);
}

test('a synthetic MNIST-sized program (jitter, conv, 4608-100-10): ONNX Runtime equals the golden runtime on MNIST test images', async (t) => {
  await assertExact(t, syntheticMnist({ timesteps: 6, conv: true, seed: 3 }), 40);
});

const FEATURE_MODELS: readonly [string, () => SnnModel][] = [
  ['Sinabs-style IF conv net (conv stride 2 padding 1, identity IF, sum pool, spike counts)', () => sinabsModel(3)],
  ['snnTorch-style CubaLIF MLP (membrane outputs, reset none, identity LIF)', () => cubaModel(4)],
  ['avg-pool net (identity LIF with value reset, avg pools, LI readout)', () => avgPoolModel(6)],
];

for (const [name, make] of FEATURE_MODELS) {
  test(`a lowered ${name}: ONNX Runtime equals the golden runtime on ${IMAGES} MNIST test images`, async (t) => {
    const model = make();
    const program = lowerModel({ model, sourceSha256: '0'.repeat(64), calibration: await calibrationSet(model, 64) });
    await assertExact(t, program, IMAGES);
  });
}

/**
 * @fileoverview `--precision float`: model-float.onnx against the float reference simulator on random float models of
 * every mode. Float sums in a different order differ in the last bits, so scores are compared to 1e-9 relative; the
 * labels and the jitter draws (exact) must agree.
 */
import test from 'ava';
import { join } from 'node:path';
import type { AnnModel, ConvLayer, DenseLayer, Model, ModelMetadata, SnnModel, SpikingLayer } from '../../../model/format.ts';
import { makeRandom, randomPixels, randomProgram } from '../../../ir/random-program.ts';
import { runFloat } from '../../../runtime/float-reference.ts';
import { FLOAT_MODEL_FILE } from '../emit.ts';
import { OnnxModelSession } from '../run.ts';
import { avgPoolModel, cubaModel, sinabsModel } from '../../../test/support/feature-models.ts';
import { emitTo } from '../../../test/support/emit-to.ts';
import { target } from '../index.ts';

/** Seeds at the generator's seeding corners (0, 1, 2^32 - 1, 2^31) and ordinary values. */
const SEEDS = [0, 1, 0xffffffff, 12345, 2 ** 31, 77] as const;

const METADATA: ModelMetadata = { name: 'random-float', dataset: 'mnist', arch: 'random', seed: 0, trainCommand: 'none' };

function randomFloatModel(seed: number, kind: 'snn' | 'ann'): Model {
  const rand = makeRandom(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const tensor = (shape: number[], scale: number) => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rand() * 2 - 1) * scale) });
  const shape: [number, number, number] = [int(1, 2), int(4, 6), int(4, 6)];
  let features = shape[0] * shape[1] * shape[2];
  const conv: ConvLayer[] = [];
  if (rand() < 0.5) {
    const kernel = int(1, 3);
    const filters = int(1, 3);
    conv.push({ kind: 'conv', name: 'conv0', filters, kernel, weights: tensor([filters, shape[0], kernel, kernel], 0.8), bias: tensor([filters], 0.2), learned: true });
    features = filters * (shape[1] - kernel + 1) * (shape[2] - kernel + 1);
  }
  const input = { shape, scale: 1 / 255 };
  const classes = int(2, 5);
  if (kind === 'ann') {
    const hidden = int(2, 8);
    const activations = ['relu', 'leaky-relu', 'sigmoid', 'none'] as const;
    const layers: DenseLayer[] = [
      { kind: 'dense', name: 'dense0', units: hidden, weights: tensor([hidden, features], 0.5), bias: tensor([hidden], 0.1), activation: activations[seed % 4]!, alpha: 0.05 },
      { kind: 'dense', name: 'dense1', units: classes, weights: tensor([classes, hidden], 0.5), bias: tensor([classes], 0.1), activation: 'none' },
    ];
    const model: AnnModel = { format: 'snnc-model', version: 1, kind: 'ann', metadata: METADATA, input, layers: [...conv, ...layers], classes };
    return model;
  }
  const spiking = (name: string, inputs: number, units: number, i: number): SpikingLayer => ({
    kind: 'spiking', name, units, weights: tensor([units, inputs], 1.5), bias: tensor([units], 0.2), decay: [0, 0.5, 0.9, 1][(seed + i) % 4]!,
    threshold: [0.25, 1, 0][(seed + i) % 3]!, output: (seed + i) % 2 === 0 ? 'excess' : 'binary', delay: (seed >> 1) % 2 === 0 ? 0 : 1,
    reset: [{ kind: 'refractory', penalty: 0.3 }, { kind: 'subtract' }, { kind: 'zero' }][(seed + i) % 3] as SpikingLayer['reset'],
  });
  const hidden = int(2, 6);
  const model: SnnModel = {
    format: 'snnc-model', version: 1, kind: 'snn', metadata: METADATA, input, encoder: { kind: seed % 3 === 0 ? 'direct' : 'jitter' }, timesteps: int(1, 6),
    layers: [...conv, spiking('layer0', features, hidden, 0), spiking('layer1', hidden, classes, 1)], readout: { kind: seed % 2 ? 'mean' : 'sum', begin: 0 }, classes,
  };
  return model;
}

/** Any valid program stands in for the compiled one: the float graph reads only the float model. */
const PROGRAM = randomProgram(1);

async function compare(t: import('ava').ExecutionContext, model: Model, seed: number): Promise<number> {
  const dir = await emitTo(target, PROGRAM, { precision: 'float', model });
  const session = await OnnxModelSession.open(join(dir, FLOAT_MODEL_FILE), model.input.shape);
  const size = model.input.shape.reduce((a, b) => a * b, 1);
  const images = SEEDS.map((_, i) => randomPixels(seed * 10 + i, size));
  const result = await session.run({ images, seeds: [...SEEDS] });
  await session.close();
  let nonzero = 0;
  images.forEach((image, i) => {
    const expected = runFloat(model, image, SEEDS[i]!);
    const got = result.scores[i]!;
    expected.scores.forEach((s, k) => {
      t.true(Math.abs(got[k]! - s) <= 1e-9 * (1 + Math.abs(s)), `${model.kind} model ${seed}, image ${i}, class ${k}: ${got[k]} vs ${s}`);
      if (s !== 0) nonzero++;
    });
    t.is(result.labels[i], expected.label, `${model.kind} model ${seed}, image ${i}: label`);
  });
  return nonzero;
}

test('the float SNN graph computes what the float reference computes, every mode', async (t) => {
  let nonzero = 0;
  for (let seed = 1; seed <= 24; seed++) nonzero += await compare(t, randomFloatModel(seed, 'snn'), seed);
  t.true(nonzero > 200);
});

test('the float ANN graph computes what the float reference computes, every activation', async (t) => {
  let nonzero = 0;
  for (let seed = 1; seed <= 8; seed++) nonzero += await compare(t, randomFloatModel(seed, 'ann'), seed);
  t.true(nonzero > 100);
});

test('the float graph of the NIR features (strided padded conv, identity synapses, pools, membrane outputs, value and none resets, output readouts) computes what the float reference computes', async (t) => {
  const models: Model[] = [sinabsModel(3), cubaModel(4), cubaModel(5, { kind: 'value', value: -0.25 }), avgPoolModel(6)];
  let nonzero = 0;
  for (const [i, model] of models.entries()) nonzero += await compare(t, model, 100 + i);
  t.true(nonzero > 60, `only ${nonzero} nonzero scores`);
});

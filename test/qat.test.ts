/**
 * @fileoverview Quantization-aware training computes the compiled integers: its weights are the program's weights, its
 * forward pass gives the golden runtime's scores integer for integer, and a QAT model's own quantized accuracy is the
 * accuracy of `snnc compile`'s program on the same images and seeds.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchDataset } from '../data/fetch.ts';
import { loadDataset } from '../data/load.ts';
import { lowerModel } from '../compiler/lower.ts';
import { datasetBatch } from '../runtime/batch.ts';
import { runGolden, traceGolden } from '../runtime/golden.ts';
import { parseProgram } from '../ir/validate.ts';
import { readModel } from '../model/read-model.ts';
import type { SnnModel } from '../model/format.ts';
import { initBackend } from '../training/backend.ts';
import { initialModel } from '../training/arch.ts';
import { toParams, disposeParams } from '../training/tf-params.ts';
import { foldedScale, layerIntegers, qatOp, qatSpec } from '../training/qat-quantizer.ts';
import { qatIntegerScores } from '../training/qat-evaluate.ts';
import { shardGradients } from '../training/step.ts';
import { paramVariables } from '../training/tf-params.ts';
import { tinyModel } from './support/tiny-model.ts';
import { cli } from './support/cli.ts';

const IMAGES = 12;
let scratch = '';
test.before(async () => {
  await fetchDataset('mnist');
  await initBackend('cpu');
  scratch = mkdtempSync(join(tmpdir(), 'snnc-qat-'));
});
test.after.always(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const spikingConv = (): SnnModel => {
  const m = initialModel({ arch: 'snn-conv3', conv: 'spiking', dataset: 'mnist', seed: 3, timesteps: 3, classes: 10, metadata: tinyModel(0).metadata });
  if (m.kind !== 'snn') throw new Error('expected an snn');
  return m;
};

/** Index of the first element where a and b differ (or -1); ava's deep diff overflows on 10^4 elements. */
function firstDifference(a: ArrayLike<number>, b: readonly number[]): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

const cases: [string, () => SnnModel, number][] = [
  ['dense, excess, refractory, 8-bit', () => tinyModel(1), 8],
  ['dense, excess, refractory, 4-bit', () => tinyModel(2, { timesteps: 5 }), 4],
  ['dense, 2-bit', () => tinyModel(3), 2],
  ['binary outputs, subtract reset, direct encoder', () => tinyModel(4, { output: 'binary', reset: { kind: 'subtract' }, encoder: 'direct' }), 4],
  ['zero reset', () => tinyModel(5, { reset: { kind: 'zero' } }), 6],
  ['conv 3x3 into dense', () => tinyModel(6, { conv: 3 }), 6],
  ['conv into spiking conv neurons (identity synapse)', spikingConv, 4],
];

for (const [name, make, bits] of cases) {
  test.serial(`QAT forward = golden runtime on the lowered program: ${name}`, (t) => {
    const model = make();
    const data = loadDataset('mnist', 'test', { limit: IMAGES });
    const calibration = { dataset: 'mnist train', ...datasetBatch(loadDataset('mnist', 'train', { limit: 32 })) };
    const program = lowerModel({ model, sourceSha256: 'test', calibration, options: { weightBits: bits } });
    const params = toParams(model);
    try {
      // the quantizer gives the program's integers, weight for weight
      model.layers.forEach((layer, l) => {
        const p = params[l];
        const op = qatOp(qatSpec(program), l);
        if (!p || layer.kind === 'pool') return;
        const ints = layerIntegers(op, p.w.dataSync() as Float32Array, p.b.dataSync() as Float32Array, bits, foldedScale(model, l));
        const full = program.layers[l]!;
        if (full.kind === 'pool') return t.fail('unexpected pool');
        t.is(firstDifference(ints.weights, full.weights), -1, `layer ${l} weights`);
        t.is(firstDifference(ints.bias, full.bias), -1, `layer ${l} bias`);
      });
      const seeds = Array.from({ length: IMAGES }, (_, i) => i);
      const scores = qatIntegerScores(model, params, qatSpec(program), data.images, IMAGES, seeds);
      let fired = 0;
      for (let i = 0; i < IMAGES; i++) {
        const golden = runGolden(program, data.image(i), i);
        t.deepEqual(Array.from(scores.subarray(i * 10, (i + 1) * 10)), golden.scores, `image ${i}`);
        for (const layer of traceGolden(program, data.image(i), i).layers.slice(0, -1)) for (const step of layer.output) fired += step.filter((o) => o !== 0).length;
      }
      // the hidden layers fire, so outputs, thresholds and resets are exercised
      t.true(fired > 0);
    } finally {
      disposeParams(params);
    }
  });
}

/** Cosine of the angle between two gradient vectors. */
function cosine(a: Float32Array, b: Float32Array): number {
  let [ab, aa, bb] = [0, 0, 0];
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
}

test.serial('QAT gradients point where float training\'s do when the quantization is fine (16-bit weights)', (t) => {
  const model = tinyModel(8, { encoder: 'direct', timesteps: 3 });
  const train = loadDataset('mnist', 'train', { limit: 40 });
  const calibration = { dataset: 'mnist train', ...datasetBatch(train) };
  const spec = qatSpec(lowerModel({ model, sourceSha256: 'test', calibration, options: { weightBits: 16 } }));
  const params = toParams(model);
  try {
    const trainable = paramVariables(params).filter((v) => v.trainable);
    const shard = { pixels: train.images, labels: Int32Array.from(train.labels), n: train.count, seed: 1 };
    const float = shardGradients({ model, params }, trainable, shard);
    const qat = shardGradients({ model, params, qat: spec }, trainable, shard);
    // weights and biases of both layers: the straight-through gradient, with the folded pixel scale, matches
    float.grads.forEach((g, i) => {
      const q = qat.grads[i]!;
      t.true(cosine(g, q) > 0.999, `variable ${i}: cosine ${cosine(g, q)}`);
      const ratio = Math.sqrt(q.reduce((a, b) => a + b * b, 0) / g.reduce((a, b) => a + b * b, 0));
      t.true(Math.abs(ratio - 1) < 0.01, `variable ${i}: norm ratio ${ratio}`);
    });
    t.true(Math.abs(float.loss - qat.loss) < 0.02 * float.loss, `loss ${float.loss} vs ${qat.loss}`);
  } finally {
    disposeParams(params);
  }
});

test.serial('a QAT model compiles to a program whose golden accuracy is its own quantized accuracy', async (t) => {
  const out = join(scratch, 'qat4');
  const r = await cli('train', '--arch', 'snn', '--epochs', '1', '--timesteps', '3', '--train-limit', '400', '--test-limit', '60', '--qat-bits', '4', '--threads', '2', '--out', out);
  t.is(r.code, 0, r.err.join('\n'));
  const model = readModel(out);
  t.is(model.metadata.qat?.weightBits, 4);
  t.regex(model.metadata.trainCommand, /--center none .*--qat-bits 4/);
  const build = join(scratch, 'build');
  const c = await cli('compile', out, '--out', build, '--target', 'none');
  t.is(c.code, 0, c.err.join('\n'));
  const program = parseProgram(readFileSync(join(build, 'ir.json'), 'utf8'), 'ir.json');
  // the QAT bits are the compile default
  t.is(program.quantization.weightBits, 4);
  const data = loadDataset('mnist', 'test', { limit: 60 });
  let correct = 0;
  for (let i = 0; i < data.count; i++) if (runGolden(program, data.image(i), i).label === data.labels[i]) correct++;
  t.is(correct / data.count, model.metadata.qat?.accuracy.test ?? -1);
  t.is(model.metadata.qat?.accuracy.samples, 60);
});

test('QAT refuses what it cannot train, in one line', async (t) => {
  const cases: [string[], RegExp][] = [
    [['train', '--arch', 'ann-relu', '--qat-bits', '4', '--out', join(scratch, 'a')], /float baseline; QAT trains spiking models/],
    [['train', '--arch', 'snn', '--qat-bits', '4', '--center', 'feature', '--out', join(scratch, 'b')], /--center must be none/],
    [['train', '--arch', 'snn', '--qat-bits', '1', '--out', join(scratch, 'c')], /--qat-bits: 1 is outside/],
    [['train', '--arch', 'snn-binary', '--qat-bits', '4', '--from', 'examples/mnist-snn', '--out', join(scratch, 'd')], /a snn model on mnist, not snn-binary on mnist/],
  ];
  for (const [argv, message] of cases) {
    const r = await cli(...argv);
    t.is(r.code, 2, argv.join(' '));
    t.is(r.err.length, 1, `${argv.join(' ')}: ${r.err.join('|')}`);
    t.regex(r.err[0]!, message);
  }
});

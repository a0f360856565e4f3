/**
 * @fileoverview The tfjs training forward pass against hand-computed values and against runtime/float-reference.ts.
 * Comparisons to the float64 reference use a float32 tolerance: tfjs computes in float32, the reference in float64.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import type { SnnModel, SpikingLayer } from '../model/format.ts';
import { runAnnFloat, runSnnFloat } from '../runtime/float-reference.ts';
import { Xorshift32 } from '../runtime/prng.ts';
import { initialModel } from '../training/arch.ts';
import { initBackend } from '../training/backend.ts';
import { gaborBank } from '../training/gabor.ts';
import { SURROGATE_SLOPE } from '../training/surrogate.ts';
import { linear } from '../training/tf-ops.ts';
import { setWeights, shardGradients } from '../training/step.ts';
import { centeringVector, computeCentering, foldCentering } from '../training/centering.ts';
import type { LoadedDataset } from '../data/load.ts';
import { annForward, convFlat, repeatSteps, scaledInputs, snnForward, spikingSteps } from '../training/tf-forward.ts';
import { disposeParams, fromParams, paramVariables, toParams, weighted } from '../training/tf-params.ts';
import { tinyModel } from './support/tiny-model.ts';

const FLOAT32_TOLERANCE = 1e-4;

test.before(async () => {
  await initBackend();
});

function layer(output: SpikingLayer['output'], reset: SpikingLayer['reset'] = { kind: 'refractory', penalty: 1.5 }): SpikingLayer {
  const empty = { shape: [1, 1], data: new Float32Array(1) };
  return {
    kind: 'spiking', name: 'l', units: 1, weights: empty, bias: { shape: [1], data: new Float32Array(1) },
    decay: 0.9, threshold: 1, output, reset, delay: 0,
  };
}

function near(t: { true: (c: boolean, m?: string) => void }, actual: ArrayLike<number>, expected: readonly number[], what: string): void {
  for (let i = 0; i < expected.length; i++) {
    t.true(Math.abs(actual[i]! - expected[i]!) <= 1e-6 + FLOAT32_TOLERANCE * Math.abs(expected[i]!), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

test('a spiking layer integrates, fires with excess output and applies the refractory reset (hand-computed)', (t) => {
  // Constant current 0.6: u0 = 0.6; u1 = 0.9*0.6 + 0.6 = 1.14 fires, o1 = 0.14, v1 = 1.14 - 1.5*1.14 = -0.57;
  // u2 = 0.9*(-0.57) + 0.6 = 0.087.
  const currents = tf.tensor3d([0.6, 0.6, 0.6], [3, 1, 1]);
  const { u, o } = spikingSteps(layer('excess'), currents);
  near(t, u.dataSync(), [0.6, 1.14, 0.087], 'u');
  near(t, o.dataSync(), [0, 0.14, 0], 'o');
  const binary = spikingSteps(layer('binary'), currents);
  t.deepEqual(Array.from(binary.o.dataSync()), [0, 1, 0]);
});

test('the fired mask is a stop-gradient: gradients flow through u and the reset factor only', (t) => {
  // d u2 / d c2 = 1; d u2 / d c1 = 0.9 * (1 - 1.5) = -0.45 (fired at t=1); d u2 / d c0 = -0.45 * 0.9 = -0.405.
  const grad = tf.grad((c: tf.Tensor) => spikingSteps(layer('excess'), c as tf.Tensor3D).u.slice([2, 0, 0], [1, 1, 1]).sum())(tf.tensor3d([0.6, 0.6, 0.6], [3, 1, 1]));
  near(t, grad.dataSync(), [-0.405, -0.45, 1], 'du2/dc');
  // The excess output's gradient is 1 where it fired, 0 elsewhere: d o1 / d c0 = 0.9, d o1 / d c1 = 1.
  const gradO = tf.grad((c: tf.Tensor) => spikingSteps(layer('excess'), c as tf.Tensor3D).o.slice([1, 0, 0], [1, 1, 1]).sum())(tf.tensor3d([0.6, 0.6, 0.6], [3, 1, 1]));
  near(t, gradO.dataSync(), [0.9, 1, 0], 'do1/dc');
});

/** The recurrence written step by step with plain tfjs ops (autograd, tf.step as the stop-gradient mask). */
function opsReference(l: SpikingLayer, currents: tf.Tensor3D): tf.Tensor {
  let v: tf.Tensor | undefined;
  const terms: tf.Tensor[] = [];
  (tf.unstack(currents) as tf.Tensor2D[]).forEach((c, step) => {
    const u = v ? v.mul(l.decay).add(c) : c;
    const fired = tf.step(u.sub(l.threshold));
    const o = tf.relu(u.sub(l.threshold));
    const r = l.reset.kind === 'refractory' ? u.mul(fired).mul(l.reset.penalty / l.threshold) : l.reset.kind === 'subtract' ? fired.mul(l.threshold) : u.mul(fired);
    v = u.sub(r);
    // an arbitrary loss that weights every step's u and o differently
    terms.push(u.mul(0.3 + 0.1 * step).add(o.mul(1.7 - 0.2 * step)).sum());
  });
  return tf.addN(terms);
}

for (const reset of [{ kind: 'refractory', penalty: 1.5 }, { kind: 'subtract' }, { kind: 'zero' }] as const) {
  test(`the recurrence kernel has the values and gradients of step-by-step tfjs ops (${reset.kind} reset)`, (t) => {
    const prng = new Xorshift32(reset.kind.length);
    const currents = tf.tensor3d(Float32Array.from({ length: 6 * 2 * 3 }, () => (prng.next() / 4294967296) * 1.6 - 0.3), [6, 2, 3]);
    const l = layer('excess', reset);
    const kernelLoss = (c: tf.Tensor): tf.Scalar => {
      const { u, o } = spikingSteps(l, c as tf.Tensor3D);
      const weightsU = tf.tensor1d([0.3, 0.4, 0.5, 0.6, 0.7, 0.8]).reshape([6, 1, 1]);
      const weightsO = tf.tensor1d([1.7, 1.5, 1.3, 1.1, 0.9, 0.7]).reshape([6, 1, 1]);
      return u.mul(weightsU).add(o.mul(weightsO)).sum();
    };
    near(t, [kernelLoss(currents).dataSync()[0]!], [opsReference(l, currents).dataSync()[0]!], 'loss');
    near(t, tf.grad(kernelLoss)(currents).dataSync(), Array.from(tf.grad((c: tf.Tensor) => opsReference(l, c as tf.Tensor3D) as tf.Scalar)(currents).dataSync()), 'dL/dc');
  });
}

test('binary outputs use the fast-sigmoid surrogate 1/(1 + k|u - threshold|)^2', (t) => {
  // Current 1.1 at t=0 only: u0 = 1.1, |u0 - 1| = 0.1, so do0/dc0 = 1/(1 + 0.1k)^2.
  const grad = tf.grad((c: tf.Tensor) => spikingSteps(layer('binary'), c as tf.Tensor3D).o.sum())(tf.tensor3d([1.1], [1, 1, 1]));
  near(t, grad.dataSync(), [1 / (1 + 0.1 * SURROGATE_SLOPE) ** 2], 'do0/dc0');
});

/** The reference's jitter for one image, as a [T, 1, N] tensor: same xorshift draws, same skipped zero pixels. */
function referenceJitter(model: SnnModel, image: Uint8Array, seed: number): tf.Tensor3D {
  const prng = new Xorshift32(seed);
  const values = new Float32Array(model.timesteps * image.length);
  for (let s = 0; s < model.timesteps; s++) {
    image.forEach((p, i) => {
      values[s * image.length + i] = p === 0 ? 0 : p * model.input.scale * (prng.next() / 4294967296);
    });
  }
  return tf.tensor3d(values, [model.timesteps, 1, image.length]);
}

function randomImage(seed: number): Uint8Array {
  const prng = new Xorshift32(seed);
  // About half the pixels zero, like MNIST, so the skipped draws matter.
  return Uint8Array.from({ length: 784 }, () => {
    const r = prng.next();
    return r % 2 === 0 ? 0 : r >>> 24;
  });
}

for (const [name, options] of [
  ['dense', {}],
  ['conv 3x3', { conv: 3 }],
  ['binary outputs', { output: 'binary' as const }],
  ['direct encoder', { encoder: 'direct' as const }],
] as const) {
  test(`tfjs forward matches runSnnFloat on a tiny model (${name})`, (t) => {
    const model = tinyModel(7, { ...options, timesteps: 6 });
    const params = toParams(model);
    for (const seed of [1, 2, 3]) {
      const image = randomImage(100 + seed);
      const reference = runSnnFloat(model, image, seed);
      const xt = model.encoder.kind === 'jitter' ? referenceJitter(model, image, seed) : repeatSteps(scaledInputs(image, 1, model.input), model.timesteps);
      const scores = snnForward(model, params, xt).scores.dataSync();
      near(t, scores, Array.from(reference.scores), `scores (seed ${seed})`);
    }
    disposeParams(params);
  });
}

test('the ANN forward pass matches runAnnFloat', (t) => {
  for (const arch of ['ann-relu', 'ann-leaky', 'ann-sigmoid'] as const) {
    const model = initialModel({ arch, dataset: 'mnist', seed: 3, timesteps: 1, classes: 10, metadata: { name: 'x', dataset: 'mnist', arch, seed: 3, trainCommand: 'test' } });
    if (model.kind !== 'ann') throw new Error('expected an ann');
    const params = toParams(model);
    const image = randomImage(9);
    const scores = annForward(model, params, scaledInputs(image, 1, model.input)).dataSync();
    near(t, scores, Array.from(runAnnFloat(model, image).scores), arch);
    disposeParams(params);
  }
});

test('weights survive the trip to tfjs variables and back bit for bit', (t) => {
  const model = tinyModel(11, { conv: 5 });
  const params = toParams(model);
  const back = fromParams(model, params);
  model.layers.forEach((l, i) => {
    t.deepEqual(weighted(back.layers[i]!).weights.data, weighted(l).weights.data);
    t.deepEqual(weighted(back.layers[i]!).bias.data, weighted(l).bias.data);
  });
  disposeParams(params);
});

test('initial models are a pure function of the seed and each architecture has the paper shape', (t) => {
  const meta = { name: 'x', dataset: 'mnist' as const, arch: 'snn', seed: 5, trainCommand: 'test' };
  const a = initialModel({ arch: 'snn-conv5', dataset: 'mnist', seed: 5, timesteps: 8, classes: 10, metadata: meta });
  const b = initialModel({ arch: 'snn-conv5', dataset: 'mnist', seed: 5, timesteps: 8, classes: 10, metadata: meta });
  t.deepEqual(a, b);
  t.deepEqual(a.layers.map((l) => [l.kind, weighted(l).weights.shape]), [['conv', [5, 1, 5, 5]], ['spiking', [100, 5 * 24 * 24]], ['spiking', [10, 100]]]);
  const cifar = initialModel({ arch: 'snn-gabor', dataset: 'cifar10', seed: 5, timesteps: 8, classes: 10, metadata: { ...meta, dataset: 'cifar10' } });
  t.deepEqual(cifar.layers.map((l) => weighted(l).weights.shape), [[5, 3, 5, 5], [100, 5 * 28 * 28], [10, 100]]);
  t.false(cifar.layers[0]!.kind === 'conv' && cifar.layers[0]!.learned);
});

test('a spiking conv feeds an identity-synapse layer of the paper neuron; tfjs matches the float reference, centering folded', (t) => {
  const meta = { name: 'x', dataset: 'mnist' as const, arch: 'snn-conv3', seed: 4, trainCommand: 'test' };
  const model = initialModel({ arch: 'snn-conv3', conv: 'spiking', dataset: 'mnist', seed: 4, timesteps: 4, classes: 10, metadata: meta }) as SnnModel;
  t.deepEqual(model.layers.map((l) => [l.kind, l.name, l.kind === 'pool' ? 0 : l.kind === 'conv' ? l.filters : l.units]), [['conv', 'conv', 5], ['spiking', 'conv_neurons', 5 * 26 * 26], ['spiking', 'hidden', 100], ['spiking', 'out', 10]]);
  const neurons = model.layers[1] as SpikingLayer;
  t.is(neurons.weights, undefined);
  t.deepEqual([neurons.decay, neurons.threshold, neurons.output, neurons.reset, neurons.delay], [0.9, 1, 'excess', { kind: 'refractory', penalty: 1.5 }, 0]);
  const params = toParams(model);
  t.is(params[1], null);
  t.deepEqual(fromParams(model, params).layers[1], neurons);
  const centering = { layer: 0, mean: Float32Array.of(0.1) };
  const center = { layer: 0, vector: tf.tensor1d(centeringVector(model, centering)) };
  const image = randomImage(8);
  const { scores, traces } = snnForward(model, params, referenceJitter(model, image, 6), true, center);
  const reference = runSnnFloat(foldCentering(model, centering), image, 6);
  near(t, scores.dataSync(), Array.from(reference.scores), 'scores');
  const fired = traces[0]!.o.greater(0).sum().dataSync()[0]!;
  t.true(fired > 0, 'some conv neurons fire on a digit');
  const gabor = initialModel({ arch: 'snn-gabor', conv: 'spiking', dataset: 'mnist', seed: 4, timesteps: 4, classes: 10, metadata: meta });
  const images = { count: 1, image: () => image } as unknown as LoadedDataset;
  t.is(computeCentering(gabor, images, 'feature'), undefined, 'a fixed conv feeding neurons is not centered');
  disposeParams(params);
});

test('the Gabor bank is zero-mean and unit-norm per filter, with distinct orientations', (t) => {
  const bank = gaborBank(5, 1, 5);
  const filters = Array.from({ length: 5 }, (_, f) => Array.from(bank.data.subarray(f * 25, (f + 1) * 25)));
  for (const f of filters) {
    t.true(Math.abs(f.reduce((a, b) => a + b, 0)) < 1e-6);
    t.true(Math.abs(Math.sqrt(f.reduce((a, b) => a + b * b, 0)) - 1) < 1e-6);
  }
  t.is(new Set(filters.map((f) => f.map((v) => v.toFixed(4)).join())).size, 5);
});

test('the conv filter gradient (a conv of input and output gradient) equals autograd through explicit patches', (t) => {
  for (const [channels, k] of [[1, 3], [3, 2]] as const) {
    const [h, w, filters, n] = [5, 6, 2, 2];
    const prng = new Xorshift32(40 + channels);
    const rand = (): number => prng.next() / 4294967296 - 0.5;
    const x = tf.tensor2d(Float32Array.from({ length: n * channels * h * w }, rand), [n, channels * h * w]);
    const upstream = tf.tensor2d(Float32Array.from({ length: n * filters * (h - k + 1) * (w - k + 1) }, rand), [n, filters * (h - k + 1) * (w - k + 1)]);
    const conv = { kind: 'conv', name: 'c', filters, kernel: k, learned: true, weights: { shape: [filters, channels, k, k], data: Float32Array.from({ length: filters * channels * k * k }, rand) }, bias: { shape: [filters], data: new Float32Array(filters) } } as const;
    const [p] = toParams({ ...tinyModel(1), layers: [conv, ...tinyModel(1).layers] } as SnnModel);
    const viaConv = tf.grad((wv: tf.Tensor) => convFlat(x, conv, { w: wv as tf.Variable<tf.Rank.R2>, b: p!.b }, [channels, h, w]).y.mul(upstream).sum())(p!.w);
    // Reference: y[f, i, j] = sum over (c, ki, kj) of W[(c*k + ki)*k + kj, f] * x[c, i+ki, j+kj], by slices.
    const viaPatches = tf.grad((wv: tf.Tensor) => {
      const img = x.reshape([n, channels, h, w]);
      const [oh, ow] = [h - k + 1, w - k + 1];
      const rows: tf.Tensor[] = [];
      for (let c = 0; c < channels; c++) for (let ki = 0; ki < k; ki++) for (let kj = 0; kj < k; kj++) rows.push(img.slice([0, c, ki, kj], [n, 1, oh, ow]).reshape([n * oh * ow]));
      const y = tf.stack(rows, 1).matMul(wv).reshape([n, oh, ow, filters]).transpose([0, 3, 1, 2]).reshape([n, filters * oh * ow]);
      return y.mul(upstream).sum();
    })(p!.w);
    near(t, viaConv.dataSync(), Array.from(viaPatches.dataSync()), `dW (${channels} channels, k=${k})`);
    disposeParams([p!]);
  }
});

test('the linear op (hand-written gradient) has the gradients of x W + b', (t) => {
  const prng = new Xorshift32(77);
  const rand = (n: number): Float32Array => Float32Array.from({ length: n }, () => prng.next() / 4294967296 - 0.5);
  const [x, w, b, up] = [tf.tensor2d(rand(12), [3, 4]), tf.tensor2d(rand(20), [4, 5]), tf.tensor1d(rand(5)), tf.tensor2d(rand(15), [3, 5])];
  const ours = tf.grads((xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => linear(xi as tf.Tensor2D, wi as tf.Tensor2D, bi as tf.Tensor1D).mul(up).sum());
  const plain = tf.grads((xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => tf.matMul(xi as tf.Tensor2D, wi as tf.Tensor2D).add(bi).mul(up).sum());
  const [a, e] = [ours([x, w, b]), plain([x, w, b])];
  ['dx', 'dW', 'db'].forEach((name, i) => near(t, a[i]!.dataSync(), Array.from(e[i]!.dataSync()), name));
});

test('a training step leaves no tensor behind (workers run thousands of them)', (t) => {
  const model = tinyModel(5, { conv: 3, timesteps: 3 });
  const params = toParams(model);
  const trainable = paramVariables(params);
  const shard = { pixels: randomImage(1), labels: Int32Array.from([3]), n: 1, seed: 9 };
  const net = { model, params, center: { layer: 0, vector: tf.fill([784], 0.2) as tf.Tensor1D } };
  const step = (): void => {
    setWeights(trainable, trainable.map((v) => v.dataSync() as Float32Array));
    shardGradients(net, trainable, shard);
  };
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) step();
  t.is(tf.memory().numTensors, before);
  disposeParams(params);
});

test('centering is folded exactly: the trained (centered) network and the saved (folded) model compute the same scores', (t) => {
  for (const [name, model] of [['dense', tinyModel(21, { timesteps: 4 })], ['learned conv', tinyModel(22, { conv: 3, timesteps: 4 })]] as const) {
    const first = model.layers[0]!;
    const prng = new Xorshift32(name.length);
    const mean = Float32Array.from({ length: first.kind === 'conv' ? 1 : 784 }, () => (prng.next() / 4294967296) * 0.5);
    const centering = { layer: 0, mean };
    const params = toParams(model);
    const folded = foldCentering(model, centering);
    t.notDeepEqual(weighted(folded.layers[0]!).bias.data, weighted(model.layers[0]!).bias.data);
    t.deepEqual(weighted(folded.layers[0]!).weights.data, weighted(model.layers[0]!).weights.data);
    const image = randomImage(5);
    const center = { layer: 0, vector: tf.tensor1d(centeringVector(model, centering)) };
    const scores = snnForward(model, params, referenceJitter(model, image, 3), false, center).scores.dataSync();
    near(t, scores, Array.from(runSnnFloat(folded, image, 3).scores), `${name} scores`);
    disposeParams(params);
  }
});

test('the centering mean is the encoded input mean: per pixel (halved under jitter), or per channel before a learned conv', (t) => {
  const images = [Uint8Array.from({ length: 784 }, (_, i) => (i < 392 ? 255 : 0)), Uint8Array.from({ length: 784 }, () => 51)];
  const data = { count: 2, image: (i: number) => images[i]! } as unknown as LoadedDataset;
  const dense = computeCentering(tinyModel(1), data, 'feature')!;
  t.is(dense.layer, 0);
  // pixel 0: (255 + 51) / 2 / 255 * 0.5 = 0.3; pixel 783: 51 / 2 / 255 * 0.5 = 0.05
  near(t, [dense.mean[0]!, dense.mean[783]!], [0.3, 0.05], 'per-pixel mean');
  const conv = computeCentering(tinyModel(1, { conv: 3 }), data, 'feature')!;
  t.is(conv.mean.length, 1);
  near(t, conv.mean, [((255 * 392 + 51 * 784) / (2 * 784) / 255) * 0.5], 'per-channel mean');
  t.is(computeCentering(tinyModel(1), data, 'none'), undefined);
});

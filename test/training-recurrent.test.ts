/**
 * @fileoverview The recurrent arch (`--arch rsnn`): the spiking kernel's recurrence and its gradients through time
 * against step-by-step tfjs autograd, the tfjs forward pass against the float reference, the weights' round trip,
 * and the refusal of an image dataset.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import type { SnnModel, SpikingLayer } from '../model/format.ts';
import { runSnnFloat } from '../runtime/float-reference.ts';
import { Xorshift32 } from '../runtime/prng.ts';
import { initialModel, RSNN_HIDDEN_NEURON } from '../training/arch.ts';
import { initBackend } from '../training/backend.ts';
import { eventEncoderFor } from '../training/sample-set.ts';
import { eventSteps, spikingSteps, snnForward } from '../training/tf-forward.ts';
import { disposeParams, fromParams, paramVariables, toParams } from '../training/tf-params.ts';
import { cli } from './support/cli.ts';

const FLOAT32_TOLERANCE = 1e-4;

test.before(async () => {
  await initBackend();
});

function near(t: { true: (c: boolean, m?: string) => void }, actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  t.true(actual.length === expected.length, `${what}: ${actual.length} values, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    t.true(Math.abs(actual[i]! - expected[i]!) <= 1e-5 + FLOAT32_TOLERANCE * Math.abs(expected[i]!), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

function uniform(prng: Xorshift32, n: number, low: number, high: number): Float32Array {
  return Float32Array.from({ length: n }, () => low + (prng.next() / 4294967296) * (high - low));
}

function layer(reset: SpikingLayer['reset']): SpikingLayer {
  const empty = { shape: [1, 1], data: new Float32Array(1) };
  return { kind: 'spiking', name: 'l', units: 3, weights: empty, bias: { shape: [3], data: new Float32Array(3) }, decay: 0.9, threshold: 1, output: 'excess', reset, delay: 0 };
}

/** The recurrence with plain tfjs ops: c_t + o_{t-1} R^T, tf.step as the stop-gradient mask, autograd through time. */
function opsReference(l: SpikingLayer, currents: tf.Tensor3D, rt: tf.Tensor2D): tf.Scalar {
  let v: tf.Tensor | undefined;
  let o: tf.Tensor2D | undefined;
  const terms: tf.Tensor[] = [];
  (tf.unstack(currents) as tf.Tensor2D[]).forEach((c, step) => {
    const drive = o ? c.add(tf.matMul(o, rt)) : c;
    const u = v ? v.mul(l.decay).add(drive) : drive;
    const fired = tf.step(u.sub(l.threshold));
    o = tf.relu(u.sub(l.threshold)) as tf.Tensor2D;
    const r = l.reset.kind === 'refractory' ? u.mul(fired).mul(l.reset.penalty / l.threshold) : l.reset.kind === 'subtract' ? fired.mul(l.threshold) : u.mul(fired);
    v = u.sub(r);
    terms.push(u.mul(0.3 + 0.1 * step).add(o.mul(1.7 - 0.2 * step)).sum());
  });
  return tf.addN(terms) as tf.Scalar;
}

for (const reset of [{ kind: 'refractory', penalty: 1.5 }, { kind: 'subtract' }, { kind: 'zero' }] as const) {
  test(`the recurrent kernel has the values and gradients (currents and R) of step-by-step tfjs ops (${reset.kind} reset)`, (t) => {
    const prng = new Xorshift32(7 + reset.kind.length);
    const steps = 6;
    const currents = tf.tensor3d(uniform(prng, steps * 2 * 3, -0.3, 1.3), [steps, 2, 3]);
    const rt = tf.tensor2d(uniform(prng, 9, -0.8, 0.8), [3, 3]);
    const l = layer(reset);
    const kernelLoss = (c: tf.Tensor, r: tf.Tensor): tf.Scalar => {
      const { u, o } = spikingSteps(l, c as tf.Tensor3D, r as tf.Tensor2D);
      const weightsU = tf.tensor1d([0.3, 0.4, 0.5, 0.6, 0.7, 0.8]).reshape([steps, 1, 1]);
      const weightsO = tf.tensor1d([1.7, 1.5, 1.3, 1.1, 0.9, 0.7]).reshape([steps, 1, 1]);
      return u.mul(weightsU).add(o.mul(weightsO)).sum();
    };
    near(t, kernelLoss(currents, rt).dataSync(), opsReference(l, currents, rt).dataSync(), 'loss');
    const [gc, gr] = tf.grads((c: tf.Tensor, r: tf.Tensor) => kernelLoss(c, r))([currents, rt]);
    const [ec, er] = tf.grads((c: tf.Tensor, r: tf.Tensor) => opsReference(l, c as tf.Tensor3D, r as tf.Tensor2D))([currents, rt]);
    near(t, gc!.dataSync(), ec!.dataSync(), 'dL/dc');
    near(t, gr!.dataSync(), er!.dataSync(), 'dL/dR^T');
    t.true(er!.abs().sum().dataSync()[0]! > 0.1, 'the case exercises the recurrent gradient');
  });
}

function rsnn(seed: number): SnnModel {
  const events = eventEncoderFor('smnist', 28);
  const model = initialModel({ arch: 'rsnn', dataset: 'smnist', seed, timesteps: 28, classes: 10, events, metadata: { name: 'x', dataset: 'smnist', arch: 'rsnn', seed, trainCommand: 'test' } });
  if (model.kind !== 'snn') throw new Error('expected an snn');
  return model;
}

test('rsnn: 28 -> 100 recurrent binary LIF -> 10, a mean readout; tfjs matches the float reference', (t) => {
  const model = rsnn(3);
  const [hidden, out] = model.layers as SpikingLayer[];
  t.deepEqual([hidden!.weights!.shape, hidden!.recurrent!.shape, out!.weights!.shape, out!.recurrent], [[100, 28], [100, 100], [10, 100], undefined]);
  t.deepEqual([hidden!.output, hidden!.reset, hidden!.decay, hidden!.threshold], ['binary', RSNN_HIDDEN_NEURON.reset, RSNN_HIDDEN_NEURON.decay, 1]);
  t.deepEqual(model.readout, { kind: 'mean', begin: 0 });
  t.deepEqual(rsnn(3), model, 'a pure function of the seed');
  // a trained-looking loop: scale R up so that the recurrence changes which units fire
  const strong: SnnModel = { ...model, layers: [{ ...hidden!, recurrent: { shape: [100, 100], data: hidden!.recurrent!.data.map((w) => w * 4) } }, out!] };
  const params = toParams(strong);
  const prng = new Xorshift32(5);
  for (let s = 0; s < 3; s++) {
    const frames = Uint8Array.from({ length: 28 * 28 }, () => (prng.next() % 3 === 0 ? prng.next() >>> 24 : 0));
    const scores = snnForward(strong, params, eventSteps(frames, 1, 28, strong.input)).scores.dataSync();
    near(t, scores, runSnnFloat(strong, frames, s).scores, `scores of sample ${s}`);
  }
  const withoutLoop = runSnnFloat({ ...strong, layers: [{ ...strong.layers[0] as SpikingLayer, recurrent: undefined }, out!] }, Uint8Array.from({ length: 784 }, (_, i) => (i % 5 === 0 ? 200 : 0)), 0);
  const withLoop = runSnnFloat(strong, Uint8Array.from({ length: 784 }, (_, i) => (i % 5 === 0 ? 200 : 0)), 0);
  t.notDeepEqual(Array.from(withLoop.scores), Array.from(withoutLoop.scores), 'the recurrence matters in this case');
  disposeParams(params);
});

test('rsnn weights (R held transposed) survive the trip to tfjs variables and back bit for bit', (t) => {
  const model = rsnn(4);
  const params = toParams(model);
  t.is(paramVariables(params).length, 5, 'hidden w, b, r; out w, b');
  t.deepEqual(fromParams(model, params), model);
  disposeParams(params);
});

test('rsnn on an image dataset is refused in one line', async (t) => {
  const r = await cli('train', '--arch', 'rsnn', '--dataset', 'mnist', '--epochs', '1', '--train-limit', '10', '--test-limit', '10', '--out', '/tmp/snnc-rsnn-refused');
  t.is(r.code, 2);
  t.deepEqual(r.err.filter((l) => l.startsWith('snnc:')), ['snnc: --arch rsnn is a recurrent SNN for sequences: train it on an event or sequence dataset (mnist-dvs-sim, nmnist, shd, smnist), not mnist']);
});

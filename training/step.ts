/**
 * @fileoverview One training step's arithmetic, shared by the main thread and the gradient workers: scores for a batch
 * of raw pixels, and the loss gradient of one shard of a batch.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../model/format.ts';
import { annForward, eventSteps, jitter, repeatSteps, scaledInputs, snnForward, type InputCenter } from './tf-forward.ts';
import type { ModelParams } from './tf-params.ts';
import { encodedInputs, qatForward, shardImageSeeds } from './qat-forward.ts';
import type { QatSpec } from './qat-quantizer.ts';

/** What a training thread holds: the model's structure, its weights as variables, and the input centering. */
export interface Net {
  readonly model: Model;
  readonly params: ModelParams;
  readonly center?: InputCenter;
  /** Quantization-aware training: the program whose formats the forward pass quantizes to (qat-forward.ts). */
  readonly qat?: QatSpec;
}

/** Scores [n, classes] for `n` samples (raw pixels, or T event frames each); `seed` drives the jitter of SNNs. */
export function forwardScores(net: Net, pixels: Uint8Array, count: number, seed: number): tf.Tensor2D {
  const { model, params, center } = net;
  return tf.tidy(() => {
    if (model.kind === 'snn' && model.encoder.kind === 'events') return snnForward(model, params, eventSteps(pixels, count, model.timesteps, model.input), false, center).scores;
    const x = scaledInputs(pixels, count, model.input);
    if (model.kind === 'ann') return annForward(model, params, x, center);
    if (net.qat) return qatForward(model, params, net.qat, encodedInputs(net.qat, pixels, count, shardImageSeeds(seed, count)), count).scores;
    const xt = model.encoder.kind === 'jitter' ? jitter(x, model.timesteps, seed) : repeatSteps(x, model.timesteps);
    return snnForward(model, params, xt, false, center).scores;
  });
}

export interface Shard {
  /** `n` images of raw pixels, back to back. */
  readonly pixels: Uint8Array;
  readonly labels: Int32Array;
  readonly n: number;
  /** Jitter seed of this shard. */
  readonly seed: number;
}

export interface ShardGradients {
  /** d(mean loss over the shard)/d(variable), one per trainable variable, in order. */
  readonly grads: Float32Array[];
  /** Mean loss over the shard. */
  readonly loss: number;
  readonly predicted: Int32Array;
}

/** Softmax cross-entropy gradients of one shard, read back to plain arrays (so they can cross threads). */
export function shardGradients(net: Net, trainable: readonly tf.Variable[], shard: Shard): ShardGradients {
  let predicted: tf.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const scores = forwardScores(net, shard.pixels, shard.n, shard.seed);
    predicted = tf.keep(scores.argMax(1));
    const onehot = tf.oneHot(tf.tensor1d(shard.labels.subarray(0, shard.n), 'int32'), net.model.classes);
    return tf.losses.softmaxCrossEntropy(onehot, scores) as tf.Scalar;
  }, trainable as tf.Variable[]);
  const result: ShardGradients = {
    grads: trainable.map((v) => grads[v.name]!.dataSync() as Float32Array),
    loss: value.dataSync()[0]!,
    predicted: Int32Array.from(predicted!.dataSync()),
  };
  tf.dispose([value, predicted!, ...Object.values(grads)]);
  return result;
}

/** Sets the variables to `weights` (a worker's copy of the model) without leaking the uploaded tensors. */
export function setWeights(trainable: readonly tf.Variable[], weights: readonly Float32Array[]): void {
  tf.tidy(() => trainable.forEach((v, i) => v.assign(tf.tensor(weights[i]!, v.shape))));
}

/**
 * @fileoverview The binary spike's surrogate gradient. Forward: o = (u - threshold) > 0 ? 1 : 0, exactly the runtime's
 * binary output. Backward: the fast-sigmoid derivative of SuperSpike (Zenke & Ganguli 2018),
 *   do/du = 1 / (1 + SLOPE * |u - threshold|)^2,
 * which is 1 at the threshold and decays smoothly on both sides, so silent neurons still get a learning signal.
 */
import * as tf from '@tensorflow/tfjs';

/** Steepness of the surrogate; 10 per unit of membrane is SuperSpike's usual setting for a threshold of 1. */
export const SURROGATE_SLOPE = 10;

const spike = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [over, save] = args as [tf.Tensor, tf.GradSaveFunc];
  save([over]);
  return {
    value: tf.step(over),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const denom = tf.abs(saved[0]!).mul(SURROGATE_SLOPE).add(1);
      return dy.div(denom.square());
    },
  };
});

/** over = u - threshold; returns the 0/1 spikes with the surrogate gradient. */
export function spikeWithSurrogate(over: tf.Tensor2D): tf.Tensor2D {
  return spike(over) as tf.Tensor2D;
}

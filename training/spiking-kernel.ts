/**
 * @fileoverview A spiking layer's whole recurrence over T steps as one tfjs op with a hand-written backward pass, in
 * plain JS loops. As ~10 tfjs ops per step it cost more in op dispatch, unstacking and concatenation than in
 * arithmetic (a third of the time at T=128); here it is two array passes.
 *
 * Forward, per unit, v_{-1} = 0:  u_t = decay v_{t-1} + c_t;  f_t = u_t > threshold;
 *   o_t = f_t (u_t - threshold) (excess) or f_t (binary);  v_t = f_t ? reset(u_t) : u_t.
 * Backward, with f_t held constant (the stop-gradient mask) and g_v = dL/dv_t (zero after the last step):
 *   g_u_t = dL/du_t + (do_t/du_t) dL/do_t + (dv_t/du_t) g_v;  dL/dc_t = g_u_t;  g_v <- decay g_u_t
 * where do/du is f_t (excess) or the surrogate (binary), and dv/du is 1 - f_t penalty/threshold (refractory),
 * 1 (subtract) or 1 - f_t (zero).
 */
import * as tf from '@tensorflow/tfjs';
import type { SpikingLayer } from '../model/format.ts';
import { surrogateDerivative } from './surrogate.ts';

/**
 * Every reset as v = u - (k u + s) on a fired step: refractory k = penalty/threshold, s = 0; subtract k = 0,
 * s = threshold; zero k = 1, s = 0. Then dv/du = 1 - k, with the fired mask held constant.
 */
function resetCoefficients(layer: SpikingLayer): { k: number; s: number } {
  switch (layer.reset.kind) {
    case 'refractory':
      return { k: layer.reset.penalty / layer.threshold, s: 0 };
    case 'subtract':
      return { k: 0, s: layer.threshold };
    case 'zero':
      return { k: 1, s: 0 };
    case 'value':
    case 'none':
      throw new Error(`${layer.name}: training has no ${layer.reset.kind} reset (tf-forward refuses it first)`);
    default: {
      const never: never = layer.reset;
      return never;
    }
  }
}

export type KernelOutputs = 'u' | 'o' | 'both';

/**
 * Membrane u and/or output o of every step, [T, batch, units] each, from the input currents c = W x_t + b. Training
 * asks only for what is used (o of hidden layers, u of the readout layer): splitting a joint result costs a copy.
 */
export function spikingRecurrence(layer: SpikingLayer, currents: tf.Tensor3D, outputs: KernelOutputs = 'both'): { u?: tf.Tensor3D; o?: tf.Tensor3D } {
  const [steps, batch, units] = currents.shape;
  const n = batch * units;
  // Hoisted into locals: this loop runs T * batch * units times per step of training.
  const { decay, threshold } = layer;
  const excess = layer.output === 'excess';
  const { k: resetK, s: resetS } = resetCoefficients(layer);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const c = (args[0] as tf.Tensor).dataSync() as Float32Array;
    const out = new Float32Array(2 * steps * n); // [u for all t, then o for all t]
    const fired = new Uint8Array(steps * n);
    const v = new Float64Array(n);
    const oBase = steps * n;
    for (let t = 0; t < steps; t++) {
      const base = t * n;
      for (let j = 0; j < n; j++) {
        const u = decay * v[j]! + c[base + j]!;
        out[base + j] = u;
        if (u > threshold) {
          out[oBase + base + j] = excess ? u - threshold : 1;
          fired[base + j] = 1;
          v[j] = u - (resetK * u + resetS);
        } else {
          v[j] = u;
        }
      }
    }
    const value =
      outputs === 'both' ? tf.tensor(out, [2, steps, batch, units]) : tf.tensor(outputs === 'u' ? out.subarray(0, oBase) : out.subarray(oBase), [steps, batch, units]);
    return {
      value,
      gradFunc: (dy: tf.Tensor) => {
        // dL/du and dL/do at the same offsets as in `out`; the output not returned has a zero gradient
        const given = dy.dataSync() as Float32Array;
        const g = outputs === 'both' ? given : new Float32Array(2 * oBase);
        if (outputs !== 'both') g.set(given, outputs === 'u' ? 0 : oBase);
        const gc = new Float32Array(steps * n);
        const gv = new Float64Array(n);
        const firedSlope = 1 - resetK;
        for (let t = steps - 1; t >= 0; t--) {
          const base = t * n;
          for (let j = 0; j < n; j++) {
            const f = fired[base + j] === 1;
            const dodu = excess ? (f ? 1 : 0) : surrogateDerivative(out[base + j]! - threshold);
            const gu = g[base + j]! + dodu * g[oBase + base + j]! + (f ? firedSlope : 1) * gv[j]!;
            gc[base + j] = gu;
            gv[j] = decay * gu;
          }
        }
        return tf.tensor(gc, [steps, batch, units]);
      },
    };
  });
  const result = op(currents);
  if (outputs === 'u') return { u: result as tf.Tensor3D };
  if (outputs === 'o') return { o: result as tf.Tensor3D };
  const both = result as tf.Tensor4D;
  return {
    u: both.slice([0, 0, 0, 0], [1, steps, batch, units]).reshape([steps, batch, units]) as tf.Tensor3D,
    o: both.slice([1, 0, 0, 0], [1, steps, batch, units]).reshape([steps, batch, units]) as tf.Tensor3D,
  };
}

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
 * Recurrent (R, given as R^T): c_t gains R o_{t-1}, so dL/do_t gains (dL/dc_{t+1}) R and dL/dR = sum_t dL/dc_t o_{t-1}^T:
 * backpropagation through time, with the same stop-gradient mask.
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
export function spikingRecurrence(layer: SpikingLayer, currents: tf.Tensor3D, outputs: KernelOutputs = 'both', recurrentT?: tf.Tensor2D): { u?: tf.Tensor3D; o?: tf.Tensor3D } {
  const [steps, batch, units] = currents.shape;
  const n = batch * units;
  // Hoisted into locals: this loop runs T * batch * units times per step of training.
  const { decay, threshold } = layer;
  const excess = layer.output === 'excess';
  const { k: resetK, s: resetS } = resetCoefficients(layer);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const c = (args[0] as tf.Tensor).dataSync() as Float32Array;
    const rt = recurrentT ? ((args[1] as tf.Tensor).dataSync() as Float32Array) : undefined;
    const out = new Float32Array(2 * steps * n); // [u for all t, then o for all t]
    const fired = new Uint8Array(steps * n);
    const v = new Float64Array(n);
    const oBase = steps * n;
    const drive = rt ? new Float32Array(n) : c;
    for (let t = 0; t < steps; t++) {
      const base = t * n;
      // recurrent: this step's currents plus R o_{t-1}, read below at offset 0 instead of `base`
      const at = rt ? 0 : base;
      if (rt) withRecurrent(drive, c.subarray(base, base + n), t > 0 ? out.subarray(oBase + base - n, oBase + base) : undefined, rt, batch, units);
      for (let j = 0; j < n; j++) {
        const u = decay * v[j]! + drive[at + j]!;
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
        // recurrent: dL/do_t also takes (dL/dc_{t+1}) R, what o_t did to the next step's current
        const gBack = rt ? new Float32Array(n) : undefined;
        for (let t = steps - 1; t >= 0; t--) {
          const base = t * n;
          if (gBack) backThroughRecurrent(gBack, t + 1 < steps ? gc.subarray(base + n, base + 2 * n) : undefined, rt!, batch, units);
          for (let j = 0; j < n; j++) {
            const f = fired[base + j] === 1;
            const dodu = excess ? (f ? 1 : 0) : surrogateDerivative(out[base + j]! - threshold);
            const go = gBack ? g[oBase + base + j]! + gBack[j]! : g[oBase + base + j]!;
            const gu = g[base + j]! + dodu * go + (f ? firedSlope : 1) * gv[j]!;
            gc[base + j] = gu;
            gv[j] = decay * gu;
          }
        }
        const gCurrents = tf.tensor(gc, [steps, batch, units]);
        return rt ? [gCurrents, tf.tensor(recurrentGradient(gc, out.subarray(oBase), steps, batch, units), [units, units])] : gCurrents;
      },
    };
  });
  const result = recurrentT ? op(currents, recurrentT) : op(currents);
  if (outputs === 'u') return { u: result as tf.Tensor3D };
  if (outputs === 'o') return { o: result as tf.Tensor3D };
  const both = result as tf.Tensor4D;
  return {
    u: both.slice([0, 0, 0, 0], [1, steps, batch, units]).reshape([steps, batch, units]) as tf.Tensor3D,
    o: both.slice([1, 0, 0, 0], [1, steps, batch, units]).reshape([steps, batch, units]) as tf.Tensor3D,
  };
}

/** drive[b, j] = c[b, j] + sum_k prev[b, k] R[j, k] (rt = R^T, [k, j]); silent units (o = 0) are skipped. */
function withRecurrent(drive: Float32Array, c: Float32Array, prev: Float32Array | undefined, rt: Float32Array, batch: number, units: number): void {
  drive.set(c);
  if (!prev) return;
  for (let b = 0; b < batch; b++) {
    const row = b * units;
    for (let k = 0; k < units; k++) {
      const o = prev[row + k]!;
      if (o === 0) continue;
      const from = k * units;
      for (let j = 0; j < units; j++) drive[row + j]! += o * rt[from + j]!;
    }
  }
}

/** gBack[b, k] = sum_j gNext[b, j] R[j, k] = sum_j rt[k, j] gNext[b, j]; zero after the last step. */
function backThroughRecurrent(gBack: Float32Array, gNext: Float32Array | undefined, rt: Float32Array, batch: number, units: number): void {
  gBack.fill(0);
  if (!gNext) return;
  for (let b = 0; b < batch; b++) {
    const row = b * units;
    for (let k = 0; k < units; k++) {
      const from = k * units;
      let sum = 0;
      for (let j = 0; j < units; j++) sum += rt[from + j]! * gNext[row + j]!;
      gBack[row + k] = sum;
    }
  }
}

/** dL/dR^T [k, j] = sum over t >= 1 and b of o_{t-1}[b, k] dL/dc_t[b, j]. */
function recurrentGradient(gc: Float32Array, o: Float32Array, steps: number, batch: number, units: number): Float32Array {
  const grad = new Float32Array(units * units);
  const n = batch * units;
  for (let t = 1; t < steps; t++) {
    for (let b = 0; b < batch; b++) {
      const prev = (t - 1) * n + b * units;
      const now = t * n + b * units;
      for (let k = 0; k < units; k++) {
        const ok = o[prev + k]!;
        if (ok === 0) continue;
        const to = k * units;
        for (let j = 0; j < units; j++) grad[to + j]! += ok * gc[now + j]!;
      }
    }
  }
  return grad;
}

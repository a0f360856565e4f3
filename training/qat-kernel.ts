/**
 * @fileoverview A spiking layer of quantization-aware training as one tfjs op: the forward pass is the IR's integer
 * step (docs/ir.md, runtime/golden.ts) in float64, exact; the backward pass is the float kernel's (spiking-kernel.ts)
 * with the IR's factors as reals, rounding and clamps passed straight through. Per unit j, v_{-1} = 0:
 *   acc = sum_i w[j,i] x_i  (or x_j, identity);  u = clamp(scaleBy(v, decay) + (acc << accShift[j]) + bias[j], membrane)
 *   f = u > threshold;  o = f ? clamp(roundShift(u - threshold, shift), out) (excess) or f (binary) : 0
 *   v = f ? reset(u) : u
 * Tensors carry real values (integer * 2^-frac), which is exact for inputs, weights and outputs (few bits each).
 */
import * as tf from '@tensorflow/tfjs';
import { SnncError } from '../base/errors.ts';
import type { SpikingOp } from '../ir/spiking.ts';
import { clamp, roundShift, scaleBy } from '../runtime/fixed.ts';
import { surrogateDerivative } from './surrogate.ts';

/** Exact per-image scores of the readout layer, filled by the forward pass when asked: [batch, units]. */
export interface ExactScores {
  readonly begin: number;
  readonly source: 'membrane' | 'output';
  readonly scores: Float64Array;
}

export interface QatLayerInputs {
  readonly op: SpikingOp;
  readonly steps: number;
  readonly batch: number;
  /** Dense: integer weights [units, inputs] row-major; identity: null. */
  readonly weights: Int32Array | null;
  readonly bias: Float64Array;
  readonly exact?: ExactScores;
}

/** v - reset(v) as k v + s for the backward pass (the fired mask held constant), from the IR's reset. */
function resetSlope(op: SpikingOp): number {
  switch (op.reset.kind) {
    case 'refractory':
      return op.reset.mul / 2 ** op.reset.shift;
    case 'subtract':
      return 0;
    case 'zero':
      return 1;
    default:
      throw new SnncError('unsupported', `QAT: layer ${op.name}: training has no ${op.reset.kind} reset`);
  }
}

/** The integer forward pass: u and o (integers) for every step, [T, batch, units] each, and the fired mask. */
function integerSteps(q: QatLayerInputs, x: Float32Array): { u: Float64Array; o: Float64Array; fired: Uint8Array } {
  const { op, steps, batch, weights, bias } = q;
  const units = op.units;
  const inputs = op.inputs;
  const xScale = 2 ** op.inType.frac;
  const shifts = op.accShift.map((s) => 2 ** s);
  const transposed = weights ? new Float64Array(inputs * units) : null;
  if (weights && transposed) for (let j = 0; j < units; j++) for (let i = 0; i < inputs; i++) transposed[i * units + j] = weights[j * inputs + i]!;
  const n = batch * units;
  const u = new Float64Array(steps * n);
  const o = new Float64Array(steps * n);
  const fired = new Uint8Array(steps * n);
  const v = new Float64Array(n);
  const acc = new Float64Array(units);
  const out = op.output;
  for (let t = 0; t < steps; t++) {
    for (let b = 0; b < batch; b++) {
      const row = (t * batch + b) * inputs;
      if (transposed) {
        acc.fill(0);
        for (let i = 0; i < inputs; i++) {
          const xi = x[row + i]! * xScale;
          if (xi === 0) continue;
          const w = i * units;
          for (let j = 0; j < units; j++) acc[j] = acc[j]! + xi * transposed[w + j]!;
        }
      } else {
        for (let j = 0; j < units; j++) acc[j] = x[row + j]! * xScale;
      }
      for (let j = 0; j < units; j++) {
        const at = t * n + b * units + j;
        const s = b * units + j;
        const uj = clamp(scaleBy(v[s]!, op.decay) + acc[j]! * shifts[j]! + bias[j]!, op.membraneType);
        const f = out.kind !== 'membrane' && uj > op.threshold;
        u[at] = uj;
        if (f) {
          fired[at] = 1;
          o[at] = out.kind === 'excess' ? clamp(roundShift(uj - op.threshold, out.shift), out.type) : 1;
          v[s] = resetValue(op, uj);
        } else {
          v[s] = uj;
        }
      }
    }
  }
  return { u, o, fired };
}

function resetValue(op: SpikingOp, u: number): number {
  const reset = op.reset;
  if (reset.kind === 'refractory') return clamp(u - scaleBy(u, reset), op.membraneType);
  if (reset.kind === 'subtract') return u - op.threshold;
  return 0;
}

function addScores(q: QatLayerInputs, u: Float64Array, o: Float64Array): void {
  const { exact, steps, batch, op } = q;
  if (!exact) return;
  const values = exact.source === 'membrane' ? u : o;
  const n = batch * op.units;
  for (let t = exact.begin; t < steps; t++) for (let k = 0; k < n; k++) exact.scores[k] = exact.scores[k]! + values[t * n + k]!;
}

/**
 * Runs the layer on x [T*batch, inputs] (real values). Dense layers also take the straight-through weights
 * wq [inputs, units] and the bias variable b [units], which receive gradients. Returns u and o as reals [T*batch, units].
 */
export function qatSpikingLayer(q: QatLayerInputs, x: tf.Tensor2D, wq?: tf.Tensor2D, b?: tf.Tensor1D): { u: tf.Tensor2D; o: tf.Tensor2D } {
  const { op, steps, batch } = q;
  const units = op.units;
  const n = batch * units;
  const uLsb = 2 ** -op.membraneType.frac;
  const oLsb = 2 ** -op.output.type.frac;
  const decay = op.decay.mul / 2 ** op.decay.shift;
  const slope = 1 - resetSlope(op);
  const threshold = op.threshold * uLsb;
  const binary = op.output.kind === 'binary';
  const kernel = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const tensors = args.slice(0, -1) as tf.Tensor[];
    save(tensors);
    const { u, o, fired } = integerSteps(q, tensors[0]!.dataSync() as Float32Array);
    addScores(q, u, o);
    const value = new Float32Array(2 * steps * n);
    for (let k = 0; k < steps * n; k++) {
      value[k] = u[k]! * uLsb;
      value[steps * n + k] = o[k]! * oLsb;
    }
    return {
      value: tf.tensor(value, [2, steps * batch, units]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const g = dy.dataSync() as Float32Array;
        const gc = new Float32Array(steps * n);
        const gv = new Float64Array(n);
        for (let t = steps - 1; t >= 0; t--) {
          for (let k = 0; k < n; k++) {
            const at = t * n + k;
            const f = fired[at] === 1;
            const dodu = binary ? surrogateDerivative(u[at]! * uLsb - threshold) : f ? 1 : 0;
            const gu = g[at]! + dodu * g[steps * n + at]! + (f ? slope : 1) * gv[k]!;
            gc[at] = gu;
            gv[k] = decay * gu;
          }
        }
        const dc = tf.tensor2d(gc, [steps * batch, units]);
        const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D | undefined];
        if (!ws) return [dc];
        // dx = dc W^T, dW = x^T dc, db = sum dc (plain matmuls of explicit transposes, as tf-ops.ts explains)
        return [tf.matMul(dc, ws.transpose()), tf.matMul(dc.transpose(), xs).transpose(), dc.sum(0)];
      },
    };
  });
  const both = (wq && b ? kernel(x, wq, b) : kernel(x)) as tf.Tensor3D;
  return {
    u: both.slice([0, 0, 0], [1, steps * batch, units]).reshape([steps * batch, units]) as tf.Tensor2D,
    o: both.slice([1, 0, 0], [1, steps * batch, units]).reshape([steps * batch, units]) as tf.Tensor2D,
  };
}

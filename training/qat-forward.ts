/**
 * @fileoverview The forward pass of quantization-aware training: the program's integer semantics (docs/ir.md) with the
 * weights quantized from the current float weights at every step (qat-quantizer.ts), and straight-through gradients.
 * Inputs are the IR's own jitter (xorshift32, one generator per image), so with the seeds the golden runtime uses the
 * scores are the golden runtime's, integer for integer (test/qat.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { SnncError } from '../base/errors.ts';
import type { ConvOp } from '../ir/conv.ts';
import { maxOf } from '../ir/int-type.ts';
import type { SnnModel } from '../model/format.ts';
import { encode } from '../runtime/golden.ts';
import { clamp, roundShift } from '../runtime/fixed.ts';
import { Xorshift32 } from '../runtime/prng.ts';
import { qatSpikingLayer, type ExactScores } from './qat-kernel.ts';
import { foldedScale, foldFactor, identityBias, layerIntegers, qatOp, type QatSpec } from './qat-quantizer.ts';
import { convConstInput } from './tf-ops.ts';
import type { LayerParams, ModelParams } from './tf-params.ts';

/** Encoded inputs [T * count, pixels] as reals (integer * 2^-inputFrac); image i draws its jitter from seeds[i]. */
export function encodedInputs(spec: QatSpec, pixels: Uint8Array, count: number, seeds: readonly number[]): tf.Tensor2D {
  const width = spec.input.shape.reduce((a, b) => a * b, 1);
  const steps = spec.timesteps;
  const lsb = 2 ** -spec.input.type.frac;
  const out = new Float32Array(steps * count * width);
  for (let i = 0; i < count; i++) {
    const image = pixels.subarray(i * width, (i + 1) * width);
    const prng = spec.encoder.kind === 'jitter' ? new Xorshift32(seeds[i]!) : undefined;
    for (let t = 0; t < steps; t++) {
      const x = encode(spec.encoder, image, prng);
      const base = (t * count + i) * width;
      for (let k = 0; k < width; k++) out[base + k] = x[k]! * lsb;
    }
  }
  return tf.tensor2d(out, [steps * count, width]);
}

/** Weights quantized for the forward pass; the gradient passes straight through (times the folded pixel scale). */
function straightThrough(w: tf.Variable<tf.Rank.R2>, real: Float32Array, factor: number): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.tensor2d(real, (args[0] as tf.Tensor2D).shape),
    gradFunc: (dy: tf.Tensor) => (factor === 1 ? dy : dy.mul(factor)),
  }));
  return op(w) as tf.Tensor2D;
}

/** tfjs's float32 conv is exact while every partial sum is an integer below 2^24; refuse a layer that could leave it. */
function checkConvExact(op: ConvOp, weights: Int32Array): void {
  const cols = weights.length / op.outShape[0];
  const xMax = maxOf(op.inType);
  for (let f = 0; f < op.outShape[0]; f++) {
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += Math.abs(weights[f * cols + c]!);
    if (sum * xMax >= 2 ** 24) throw new SnncError('unsupported', `QAT: conv ${op.name}: filter ${f} can sum beyond 2^24, where float32 convolution is no longer exact`);
  }
}

/** The IR conv on x [n, C*H*W] (reals): y = clamp(roundShift(acc + bias, outShift), outType), straight-through. */
function qatConv(op: ConvOp, p: LayerParams, x: tf.Tensor2D, weightBits: number, scale: number | undefined): tf.Tensor2D {
  if (op.stride !== 1 || op.padding !== 0) throw new SnncError('unsupported', `QAT: conv ${op.name}: training has valid stride-1 convs only`);
  const ints = layerIntegers(op, p.w.dataSync() as Float32Array, p.b.dataSync() as Float32Array, weightBits, scale);
  checkConvExact(op, ints.weights);
  const [c, h, w] = op.inShape;
  const [filters, oh, ow] = op.outShape;
  const k = op.kernel;
  const n = x.shape[0];
  const wq = straightThrough(p.w, ints.realTransposed, foldFactor(scale));
  const nhwc = x.reshape([n, c, h, w]).transpose([0, 2, 3, 1]) as tf.Tensor4D;
  const acc = convConstInput(nhwc, wq.reshape([c, k, k, filters]).transpose([1, 2, 0, 3]) as tf.Tensor4D).transpose([0, 3, 1, 2]).reshape([n, filters * oh * ow]) as tf.Tensor2D;
  const plane = oh * ow;
  const outLsb = 2 ** -op.outType.frac;
  const requantize = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const a = (args[0] as tf.Tensor).dataSync() as Float32Array;
    const y = new Float32Array(a.length);
    const passed = new Uint8Array(a.length);
    for (let e = 0; e < a.length; e++) {
      const f = Math.floor(e / plane) % filters;
      const v = a[e]! * 2 ** (op.weightFrac[f]! + op.inType.frac) + ints.bias[f]!;
      const r = roundShift(v, op.outShift[f]!);
      const out = clamp(r, op.outType);
      passed[e] = out === r ? 1 : 0;
      y[e] = out * outLsb;
    }
    return {
      value: tf.tensor2d(y, [n, filters * plane]),
      gradFunc: (dy: tf.Tensor) => {
        const g = (dy.dataSync() as Float32Array).map((d, e) => (passed[e] ? d : 0));
        const grad = tf.tensor2d(g, [n, filters * plane]);
        return [grad, grad.reshape([n, filters, plane]).sum([0, 2])];
      },
    };
  });
  return requantize(acc, p.b) as tf.Tensor2D;
}

export interface QatForward {
  /** Readout scores as reals [count, classes], for the loss. */
  readonly scores: tf.Tensor2D;
}

/**
 * The SNN under QAT on encoded inputs x [T * count, pixels]; with `exact`, also the readout's integer scores
 * [count * classes]. Call inside tf.tidy.
 */
export function qatForward(model: SnnModel, params: ModelParams, spec: QatSpec, x: tf.Tensor2D, count: number, exact?: Float64Array): QatForward {
  const steps = spec.timesteps;
  const bits = spec.quantization.weightBits;
  let act = x;
  let readout: tf.Tensor2D | undefined;
  const last = model.layers.length - 1;
  model.layers.forEach((layer, l) => {
    const op = qatOp(spec, l);
    const p = params[l] ?? null;
    const scale = foldedScale(model, l);
    if (op.kind === 'conv') {
      act = qatConv(op, p!, act, bits, scale);
      return;
    }
    if (layer.kind !== 'spiking') throw new SnncError('unsupported', `QAT: layer ${l} does not match its program`);
    const scores: ExactScores | undefined = l === last && exact ? { begin: spec.readout.begin, source: spec.readout.source, scores: exact } : undefined;
    const base = { op, steps, batch: count, ...(scores ? { exact: scores } : {}) };
    if (!p) {
      const { u, o } = qatSpikingLayer({ ...base, weights: null, bias: identityBias(op, layer.bias.data) }, act);
      act = o;
      readout = spec.readout.source === 'membrane' ? u : o;
      return;
    }
    const ints = layerIntegers(op, p.w.dataSync() as Float32Array, p.b.dataSync() as Float32Array, bits, scale);
    const wq = straightThrough(p.w, ints.realTransposed, foldFactor(scale));
    const { u, o } = qatSpikingLayer({ ...base, weights: ints.weights, bias: ints.bias }, act, wq, p.b);
    act = o;
    readout = spec.readout.source === 'membrane' ? u : o;
  });
  const units = readout!.shape[1];
  const window = steps - spec.readout.begin;
  let scores = readout!.reshape([steps, count, units]).slice([spec.readout.begin, 0, 0], [window, count, units]).sum(0) as tf.Tensor2D;
  if (spec.readout.kind === 'mean') scores = scores.div(window);
  return { scores };
}

/** Seeds of a training shard's images: a pure function of the shard's seed. */
export function shardImageSeeds(seed: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => (Math.imul(seed ^ 0x51ed27, 0x9e3779b1) + Math.imul(i + 1, 0x85ebca6b)) >>> 0);
}

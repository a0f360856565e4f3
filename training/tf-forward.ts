/**
 * @fileoverview The tfjs forward passes, written to match runtime/float-reference.ts formula for formula:
 *   u_t = decay * v_{t-1} + W x_t + b;  f_t = u_t > threshold (a constant mask: no gradient flows through it)
 *   o_t = max(u_t - threshold, 0) (excess) or f_t (binary, surrogate gradient, see surrogate.ts)
 *   v_t = u_t - f_t * reset(u_t);  readout = sum (or mean) over t >= begin of the last layer's u_t.
 * A recurrent layer's currents gain R o_{t-1} (its own previous output), through time in spiking-kernel.ts.
 * The gradient flows through u_t, through the excess output and through the reset's u factor, never through f_t.
 */
import * as tf from '@tensorflow/tfjs';
import { SnncError } from '../base/errors.ts';
import type { AnnModel, ConvLayer, DenseLayer, InputSpec, PoolLayer, SnnModel, SpikingLayer } from '../model/format.ts';
import { spikingRecurrence } from './spiking-kernel.ts';
import { convConstInput, linear } from './tf-ops.ts';
import type { LayerParams, ModelParams } from './tf-params.ts';

/** Scaled inputs x = pixel * scale as a [batch, C*H*W] float tensor. */
export function scaledInputs(pixels: Uint8Array, count: number, input: InputSpec): tf.Tensor2D {
  const width = input.shape[0] * input.shape[1] * input.shape[2];
  return tf.tidy(() => tf.tensor2d(pixels.subarray(0, count * width), [count, width], 'int32').toFloat().mul(input.scale));
}

/** Jitter encoding for T steps: x_t = x * u_t, u_t uniform [0,1) per pixel per step. Returns [T, batch, N]. */
export function jitter(x: tf.Tensor2D, timesteps: number, seed: number): tf.Tensor3D {
  return tf.tidy(() => x.expandDims(0).mul(tf.randomUniform([timesteps, ...x.shape], 0, 1, 'float32', seed)) as tf.Tensor3D);
}

/** Event frames as inputs, [T, batch, P]: sample n is T frames of P counts (frame-major), x_t = count * scale. */
export function eventSteps(frames: Uint8Array, count: number, timesteps: number, input: InputSpec): tf.Tensor3D {
  const width = input.shape[0] * input.shape[1] * input.shape[2];
  return tf.tidy(() => tf.tensor3d(frames.subarray(0, count * timesteps * width), [count, timesteps, width], 'int32').toFloat().mul(input.scale).transpose([1, 0, 2]) as tf.Tensor3D);
}

/** The same input at every step (direct encoding), [T, batch, N]. */
export function repeatSteps(x: tf.Tensor2D, timesteps: number): tf.Tensor3D {
  return tf.tidy(() => x.expandDims(0).tile([timesteps, 1, 1]) as tf.Tensor3D);
}

/**
 * Valid stride-1 conv on flat CHW rows [n, C*H*W] (the encoded input), returning flat CHW [n, filters*oh*ow].
 * The weights are held as [C*k*k, filters] (row (c*k + ki)*k + kj), the format's [filters, C, k, k] transposed.
 */
export function convFlat(x: tf.Tensor2D, layer: ConvLayer, p: LayerParams, shape: readonly [number, number, number]): { y: tf.Tensor2D; shape: [number, number, number] } {
  const [c, h, w] = shape;
  const k = layer.kernel;
  const [oh, ow] = [h - k + 1, w - k + 1];
  const n = x.shape[0];
  const y = tf.tidy(() => {
    const nhwc = (c === 1 ? x.reshape([n, h, w, 1]) : x.reshape([n, c, h, w]).transpose([0, 2, 3, 1])) as tf.Tensor4D;
    const filters = p.w.reshape([c, k, k, layer.filters]).transpose([1, 2, 0, 3]) as tf.Tensor4D;
    const out = convConstInput(nhwc, filters).add(p.b);
    return out.transpose([0, 3, 1, 2]).reshape([n, layer.filters * oh * ow]) as tf.Tensor2D;
  });
  return { y, shape: [layer.filters, oh, ow] };
}

export interface SpikingTrace {
  /** Membrane u and output o of every step, [T, batch, units]. */
  readonly u: tf.Tensor3D;
  readonly o: tf.Tensor3D;
}

/**
 * Runs one spiking layer over all steps; `currents` is W x_t + b for every t, [T, batch, units]; a recurrent layer
 * adds R o_{t-1}, with R given transposed as `recurrentT`.
 */
export function spikingSteps(layer: SpikingLayer, currents: tf.Tensor3D, recurrentT?: tf.Tensor2D): SpikingTrace {
  checkTrainable(layer);
  const { u, o } = spikingRecurrence(layer, currents, 'both', recurrentT);
  return { u: u!, o: o! };
}

function checkTrainable(layer: SpikingLayer | PoolLayer): SpikingLayer {
  if (layer.kind === 'pool') throw new SnncError('unsupported', `${layer.name}: training supports conv, dense and identity spiking layers, not pools`);
  if (layer.output === 'membrane' || layer.reset.kind === 'value' || layer.reset.kind === 'none') {
    throw new SnncError('unsupported', `${layer.name}: training supports excess and binary outputs with refractory, subtract and zero resets`);
  }
  if (layer.delay !== 0) throw new SnncError('unsupported', `${layer.name}: training supports delay 0 only`);
  return layer;
}

/** A spiking layer's input currents: W x + b, or x + b for an identity synapse (whose bias is fixed). */
function synapse(layer: SpikingLayer, x: tf.Tensor2D, p: LayerParams | null, constant: boolean): tf.Tensor2D {
  if (p) return linear(x, p.w, p.b, constant);
  if (x.shape[1] !== layer.units) throw new SnncError('model', `${layer.name}: an identity synapse needs ${layer.units} inputs, got ${x.shape[1]}`);
  // training's own identity layers keep a zero bias: skip a batch-sized add (and its gradient) on every step
  return layer.bias.data.every((b) => b === 0) ? x : x.add(tf.tensor1d(layer.bias.data));
}

export interface SnnForward {
  /** Class scores (the readout), [batch, classes]. */
  readonly scores: tf.Tensor2D;
  /** Per spiking layer, membrane and output of every step; only with `withTraces` (it costs a copy per layer). */
  readonly traces: SpikingTrace[];
}

/** Subtract `vector` from the input of layer `layer` (see centering.ts); training only, folded away on export. */
export interface InputCenter {
  readonly layer: number;
  readonly vector: tf.Tensor1D;
}

/** The SNN on encoded inputs xt [T, batch, N]; call inside tf.tidy or dispose the result. */
export function snnForward(model: SnnModel, params: ModelParams, xt: tf.Tensor3D, withTraces = false, center?: InputCenter): SnnForward {
  const [steps, batch] = xt.shape;
  let act: tf.Tensor2D = xt.reshape([steps * batch, xt.shape[2]]);
  // Nothing upstream is trained while the activations are the encoded input or a fixed conv's output.
  let constant = true;
  let shape = model.input.shape as readonly [number, number, number];
  const traces: SpikingTrace[] = [];
  const lastSpiking = model.layers.map((l) => l.kind).lastIndexOf('spiking');
  let readoutU: tf.Tensor3D | undefined;
  model.layers.forEach((layer, i) => {
    const p = params[i] ?? null;
    if (center?.layer === i) act = act.sub(center.vector);
    if (layer.kind === 'conv') {
      ({ y: act, shape } = convFlat(act, layer, p!, shape));
      constant = constant && !layer.learned;
      return;
    }
    const spiking = checkTrainable(layer);
    const currents = synapse(spiking, act, p, constant).reshape([steps, batch, spiking.units]) as tf.Tensor3D;
    const { u, o } = spikingRecurrence(spiking, currents, withTraces ? 'both' : i === lastSpiking ? 'u' : 'o', p?.r);
    if (withTraces) traces.push({ u: u!, o: o! });
    if (i === lastSpiking) readoutU = u!;
    else act = o!.reshape([steps * batch, spiking.units]);
    constant = false;
  });
  const units = readoutU!.shape[2];
  const window = steps - model.readout.begin;
  let scores = readoutU!.slice([model.readout.begin, 0, 0], [window, batch, units]).sum(0) as tf.Tensor2D;
  if (model.readout.kind === 'mean') scores = scores.div(window);
  return { scores, traces };
}

function activate(layer: DenseLayer, y: tf.Tensor2D): tf.Tensor2D {
  switch (layer.activation) {
    case 'relu':
      return tf.relu(y);
    case 'leaky-relu':
      return tf.leakyRelu(y, layer.alpha ?? 0.01);
    case 'sigmoid':
      return tf.sigmoid(y);
    case 'none':
      return y;
    default: {
      const never: never = layer.activation;
      return never;
    }
  }
}

/** The ANN on scaled inputs x [batch, N]; returns the scores [batch, classes]. */
export function annForward(model: AnnModel, params: ModelParams, x: tf.Tensor2D, center?: InputCenter): tf.Tensor2D {
  let act = x;
  let constant = true;
  let shape = model.input.shape as readonly [number, number, number];
  model.layers.forEach((layer, i) => {
    const p = params[i]!;
    if (center?.layer === i) act = act.sub(center.vector);
    if (layer.kind === 'conv') {
      ({ y: act, shape } = convFlat(act, layer, p, shape));
      constant = constant && !layer.learned;
    } else {
      act = activate(layer, linear(act, p.w, p.b, constant));
      constant = false;
    }
  });
  return act;
}

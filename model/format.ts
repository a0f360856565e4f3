/**
 * @fileoverview The float model format (version 1): plain readonly data, as read from `model.json` + `weights.bin`.
 *
 * Float semantics, per input image, over `timesteps` steps t = 0..T-1 (see docs/model-format.md):
 *   x      = pixel * input.scale                        (pixels are integers 0..255, CHW order)
 *   x_t    = x * u_t  (jitter, u_t uniform in [0,1) per pixel)  or  x_t = x  (direct)
 *   events: the sample is T frames of counts f[t, i] (frame-major, CHW), x_t[i] = f[t, i] * input.scale
 *   layers run in order; each consumes the previous layer's visible output at the same step t.
 */

import type { EventBinning } from '../ir/encoder.ts';

/** A tensor's values, row-major, float32-exact numbers. */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Image datasets (pixels 0..255). */
export type Dataset = 'mnist' | 'fashion-mnist' | 'cifar10';
/** Event and sequence datasets (samples are T frames of counts): an emulated DVS MNIST, N-MNIST, SHD, sequential MNIST. */
export const EVENT_DATASETS = ['mnist-dvs-sim', 'nmnist', 'shd', 'smnist'] as const;
export type EventDataset = (typeof EVENT_DATASETS)[number];
/** What a model names as its training data: an image or an event dataset, or `none` (an import without one). */
export type ModelDataset = Dataset | EventDataset | 'none';
export const MODEL_DATASETS: readonly ModelDataset[] = ['mnist', 'fashion-mnist', 'cifar10', ...EVENT_DATASETS, 'none'];

export interface ModelMetadata {
  readonly name: string;
  readonly dataset: ModelDataset;
  readonly arch: string;
  readonly seed: number;
  /** The exact command that produced the weights. */
  readonly trainCommand: string;
  /** Test accuracy in [0,1] and mean test cross-entropy, as measured by training. */
  readonly accuracy?: { readonly test: number; readonly crossEntropy?: number; readonly samples: number };
  readonly epochs?: number;
  /**
   * Set by quantization-aware training: the weight bits it trained for (the default of `snnc compile`) and the test
   * accuracy of its own quantized evaluation, which equals the compiled program's on the same images and seeds.
   */
  readonly qat?: { readonly weightBits: number; readonly accuracy: { readonly test: number; readonly samples: number } };
  readonly backend?: string;
  readonly createdAt?: string;
  readonly notes?: string;
}

/**
 * Input: `x = pixel * scale`, pixels 0..255 in CHW order; `scale` is 1/255 for [0,1] images. With the events encoder,
 * `x = count * scale`: `scale` is the real value of one event (normally 1), a flat input of N channels is [N, 1, 1].
 */
export interface InputSpec {
  readonly shape: readonly [channels: number, height: number, width: number];
  readonly scale: number;
}

/**
 * Events: each step t reads frame t of the sample, T frames of event counts, each at most 2^countBits - 1 (binning
 * saturates; docs/ir.md "Event input" and data/events.ts define how events become frames).
 */
export interface EventsEncoderSpec {
  readonly kind: 'events';
  readonly binning: EventBinning;
  /** Bits of one count, 1..8: the compiled input type is u{countBits}.0. */
  readonly countBits: number;
}

export type Encoder = { readonly kind: 'jitter' } | { readonly kind: 'direct' } | EventsEncoderSpec;

/**
 * Conv (stateless, applied each timestep):
 *   y[c,i,j] = b[c] + sum_{ci,ki,kj} w[c,ci,ki,kj] * x[ci, i*stride+ki-padding, j*stride+kj-padding]   (0 outside)
 * stride (default 1) and zero padding (default 0) are omitted from model.json at their defaults. The output is
 * flattened (CHW) for the next layer. `learned: false` marks a fixed bank (Gabor).
 */
export interface ConvLayer {
  readonly kind: 'conv';
  readonly name: string;
  readonly filters: number;
  readonly kernel: number;
  readonly stride?: number;
  readonly padding?: number;
  readonly weights: Tensor; // [filters, inChannels, kernel, kernel]
  readonly bias: Tensor; // [filters]
  readonly learned: boolean;
}

export type ResetMode =
  | { readonly kind: 'refractory'; readonly penalty: number } // v = v - (penalty/threshold) * v
  | { readonly kind: 'subtract' } // v = v - threshold
  | { readonly kind: 'zero' } // v = 0
  | { readonly kind: 'value'; readonly value: number } // v = value (NIR v_reset)
  | { readonly kind: 'none' }; // output 'membrane' only: never fires

/**
 * Spiking layer (dense synapse W [units, inputs], or identity when `weights` is absent; bias b; optional recurrent
 * weights R [units, units]). At step t, input x_t, in the order of docs/ir.md:
 *   r_t   = this layer's own o_{t-1} (0 at t = 0), whatever its delay         (recurrent only)
 *   in_t  = W x_t + R r_t                   (identity: W x_t = x_t, inputs == units; no recurrent: R r_t = 0)
 *   c_t   = synapticDecay * c_{t-1} + in_t + cb   (c_{-1} = 0; a current-based synapse, NIR CubaLIF; cb = synapticBias,
 *           0 without it)   absent: c_t = in_t
 *   u_t   = decay * v_{t-1} + c_t + b       (v_{-1} = 0)
 *   f_t   = output membrane: false               otherwise: u_t > threshold
 *   o_t   = excess: f_t ? u_t - threshold : 0      binary: f_t ? 1 : 0      membrane: u_t (non-firing LI / integrator)
 *   v_t   = f_t ? reset(u_t) : u_t
 * Visible at step t: output o_t and membrane u_t (delay 0), or o_{t-1} and u_{t-1} (delay 1, zero at t = 0).
 */
export interface SpikingLayer {
  readonly kind: 'spiking';
  readonly name: string;
  readonly units: number;
  readonly weights?: Tensor; // [units, inputs]; absent: identity synapse
  /** [units, units]: recurrent[j, k] carries unit k's output of the previous step to unit j; absent: none. */
  readonly recurrent?: Tensor;
  readonly bias: Tensor; // [units]
  /** The synaptic current's decay, 0..1: c_t = synapticDecay * c_{t-1} + in_t; absent: no current state. */
  readonly synapticDecay?: number;
  /** [units]: the synaptic current's own bias cb (NIR: an Affine's bias into a CubaLIF); only with synapticDecay. */
  readonly synapticBias?: Tensor;
  readonly decay: number;
  readonly threshold: number; // 0 with output membrane
  readonly output: 'excess' | 'binary' | 'membrane';
  readonly reset: ResetMode;
  readonly delay: 0 | 1;
}

/**
 * Pool (stateless, each timestep), per channel, square window, zero padding (0 outside):
 *   sum: y[c,i,j] = sum_{ki,kj} x[c, i*stride+ki-padding, j*stride+kj-padding]     avg: that sum / kernel^2
 */
export interface PoolLayer {
  readonly kind: 'pool';
  readonly name: string;
  readonly mode: 'sum' | 'avg';
  readonly kernel: number;
  readonly stride: number;
  readonly padding: number;
}

/** ANN dense layer: y = act(W x + b). `leaky-relu` uses `alpha`. */
export interface DenseLayer {
  readonly kind: 'dense';
  readonly name: string;
  readonly units: number;
  readonly weights: Tensor; // [units, inputs]
  readonly bias: Tensor; // [units]
  readonly activation: 'relu' | 'leaky-relu' | 'sigmoid' | 'none';
  readonly alpha?: number;
}

export type Layer = ConvLayer | SpikingLayer | PoolLayer | DenseLayer;

/**
 * Readout: scores[k] = sum (or mean) over t in [begin, T) of the last spiking layer's visible membrane (source
 * 'membrane', the default, omitted from model.json) or of its visible output (source 'output': spike counts).
 */
export interface Readout {
  readonly kind: 'sum' | 'mean';
  readonly source?: 'membrane' | 'output';
  readonly begin: number;
}

export interface SnnModel {
  readonly format: 'snnc-model';
  readonly version: 1;
  readonly kind: 'snn';
  readonly metadata: ModelMetadata;
  readonly input: InputSpec;
  readonly encoder: Encoder;
  readonly timesteps: number;
  readonly layers: readonly (ConvLayer | SpikingLayer | PoolLayer)[];
  readonly readout: Readout;
  readonly classes: number;
}

/** ANN baseline: evaluated once (no timesteps); scores are the last dense layer's output. */
export interface AnnModel {
  readonly format: 'snnc-model';
  readonly version: 1;
  readonly kind: 'ann';
  readonly metadata: ModelMetadata;
  readonly input: InputSpec;
  readonly layers: readonly (ConvLayer | DenseLayer)[];
  readonly classes: number;
}

export type Model = SnnModel | AnnModel;

export const MODEL_FORMAT_VERSION = 1;
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
/** The training log `snnc train` writes beside a model it trained. */
export const TRAINING_JSON = 'training.json';

/**
 * @fileoverview The float reference simulator: evaluates a model exactly as docs/model-format.md states, in float64.
 * It is the yardstick for accuracy; the fixed-point golden runtime (golden.ts) is the yardstick for targets.
 */
import type { AnnModel, ConvLayer, DenseLayer, Model, PoolLayer, SnnModel, SpikingLayer } from '../model/format.ts';
import { windowOutSize } from '../ir/window.ts';
import { Xorshift32 } from './prng.ts';

const TWO_POW_32 = 4294967296;

export interface FloatResult {
  readonly scores: Float64Array;
  readonly label: number;
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] ?? -Infinity) > (values[best] ?? -Infinity)) best = i;
  return best;
}

/** y = W x + b for W [units, inputs] row-major; zero inputs are skipped. */
export function denseForward(weights: Float32Array, bias: Float32Array, x: Float64Array): Float64Array {
  const units = bias.length;
  const inputs = x.length;
  const y = Float64Array.from(bias);
  for (let i = 0; i < inputs; i++) {
    const xi = x[i]!;
    if (xi === 0) continue;
    for (let j = 0; j < units; j++) y[j]! += weights[j * inputs + i]! * xi;
  }
  return y;
}

/** x[c, i, j] of a CHW image, or 0 outside it (zero padding). */
function at(x: Float64Array, shape: readonly [number, number, number], c: number, i: number, j: number): number {
  const [, h, w] = shape;
  return i < 0 || j < 0 || i >= h || j >= w ? 0 : x[(c * h + i) * w + j]!;
}

/** Convolution of x [C,H,W] with stride and zero padding; the result is flattened CHW. */
export function convForward(layer: ConvLayer, x: Float64Array, shape: readonly [number, number, number]): { y: Float64Array; shape: [number, number, number] } {
  const c = shape[0];
  const k = layer.kernel;
  const stride = layer.stride ?? 1;
  const padding = layer.padding ?? 0;
  const oh = windowOutSize(shape[1], k, stride, padding);
  const ow = windowOutSize(shape[2], k, stride, padding);
  const y = new Float64Array(layer.filters * oh * ow);
  for (let f = 0; f < layer.filters; f++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let acc = layer.bias.data[f]!;
        for (let ci = 0; ci < c; ci++)
          for (let ki = 0; ki < k; ki++)
            for (let kj = 0; kj < k; kj++)
              acc += layer.weights.data[((f * c + ci) * k + ki) * k + kj]! * at(x, shape, ci, i * stride + ki - padding, j * stride + kj - padding);
        y[(f * oh + i) * ow + j] = acc;
      }
    }
  }
  return { y, shape: [layer.filters, oh, ow] };
}

/** Sum or average pooling per channel; padding counts as zeros (avg always divides by kernel^2). */
export function poolForward(layer: PoolLayer, x: Float64Array, shape: readonly [number, number, number]): { y: Float64Array; shape: [number, number, number] } {
  const [c, h, w] = shape;
  const k = layer.kernel;
  const oh = windowOutSize(h, k, layer.stride, layer.padding);
  const ow = windowOutSize(w, k, layer.stride, layer.padding);
  const y = new Float64Array(c * oh * ow);
  for (let ci = 0; ci < c; ci++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let acc = 0;
        for (let ki = 0; ki < k; ki++)
          for (let kj = 0; kj < k; kj++) acc += at(x, shape, ci, i * layer.stride + ki - layer.padding, j * layer.stride + kj - layer.padding);
        y[(ci * oh + i) * ow + j] = layer.mode === 'avg' ? acc / (k * k) : acc;
      }
    }
  }
  return { y, shape: [c, oh, ow] };
}

interface NeuronState {
  v: Float64Array;
  /** synaptic only: the current c of the previous step. */
  c?: Float64Array;
  /** recurrent only: the output o this layer computed at the previous step (not what its delay shows). */
  lastO?: Float64Array;
  visibleU: Float64Array;
  visibleO: Float64Array;
  /** delay 1 only: what this step computed, shown at the next step. */
  pendingU?: Float64Array;
  pendingO?: Float64Array;
}

/** One timestep of a spiking layer: returns the visible (membrane, output) after applying its delay. */
export function spikingStep(layer: SpikingLayer, state: NeuronState, x: Float64Array): void {
  // identity synapse (no weights): W x = x. With a synaptic current the bias joins after it (c carries W x + R r only).
  const bias = layer.synapticDecay === undefined ? layer.bias.data : new Float32Array(layer.units);
  const current = layer.weights ? denseForward(layer.weights.data, bias, x) : x.map((xj, j) => xj + bias[j]!);
  if (layer.recurrent && state.lastO) addRecurrent(layer.recurrent.data, state.lastO, current);
  if (layer.synapticDecay !== undefined) synapticCurrent(layer, state, current);
  const u = new Float64Array(layer.units);
  const o = new Float64Array(layer.units);
  for (let j = 0; j < layer.units; j++) {
    const uj = layer.decay * state.v[j]! + current[j]!;
    const fired = layer.output !== 'membrane' && uj > layer.threshold;
    u[j] = uj;
    o[j] = layer.output === 'membrane' ? uj : fired ? (layer.output === 'excess' ? uj - layer.threshold : 1) : 0;
    state.v[j] = fired ? resetFloat(layer, uj) : uj;
  }
  if (layer.recurrent) state.lastO = o;
  if (layer.delay === 0) {
    state.visibleU = u;
    state.visibleO = o;
  } else {
    // delay 1: this step shows what the previous step computed
    const [pu, po] = [state.pendingU ?? new Float64Array(layer.units), state.pendingO ?? new Float64Array(layer.units)];
    state.visibleU = pu;
    state.visibleO = po;
    state.pendingU = u;
    state.pendingO = o;
  }
}

/** c = synapticDecay * c + in + synapticBias, kept in the state; then current = c + b, what the membrane adds. */
function synapticCurrent(layer: SpikingLayer, state: NeuronState, current: Float64Array): void {
  const c = (state.c ??= new Float64Array(layer.units));
  const cb = layer.synapticBias?.data;
  for (let j = 0; j < layer.units; j++) {
    c[j] = layer.synapticDecay! * c[j]! + current[j]! + (cb ? cb[j]! : 0);
    current[j] = c[j]! + layer.bias.data[j]!;
  }
}

/** current += R r for R [units, units] row-major; silent units (r_k = 0) are skipped, as event-driven hardware does. */
function addRecurrent(weights: Float32Array, r: Float64Array, current: Float64Array): void {
  const units = r.length;
  for (let k = 0; k < units; k++) {
    const rk = r[k]!;
    if (rk === 0) continue;
    for (let j = 0; j < units; j++) current[j]! += weights[j * units + k]! * rk;
  }
}

/** The membrane after a spike at u, as the layer's reset states (docs/model-format.md). */
export function resetFloat(layer: SpikingLayer, u: number): number {
  switch (layer.reset.kind) {
    case 'refractory':
      return u - (layer.reset.penalty / layer.threshold) * u;
    case 'subtract':
      return u - layer.threshold;
    case 'zero':
      return 0;
    case 'value':
      return layer.reset.value;
    case 'none':
      throw new Error(`layer ${layer.name}: reset none on a layer that fired`);
    default: {
      const never: never = layer.reset;
      return never;
    }
  }
}

/** Called for every layer at every timestep with what it made visible (membrane is null for conv and pool layers). */
export type FloatObserver = (layer: number, t: number, membrane: Float64Array | null, output: Float64Array) => void;

/**
 * x_t of one step: jitter x * u_t, direct x, or events frame t * scale (the sample is T frames of P counts).
 * Refuses an events sample that is not T * P counts.
 */
function inputEncoder(model: SnnModel, sample: Uint8Array, seed: number): (t: number) => Float64Array {
  const scale = model.input.scale;
  if (model.encoder.kind === 'events') {
    const pixels = model.input.shape[0] * model.input.shape[1] * model.input.shape[2];
    if (sample.length !== model.timesteps * pixels) throw new RangeError(`sample has ${sample.length} values, the model wants ${model.timesteps} frames of ${pixels} counts`);
    return (t) => Float64Array.from(sample.subarray(t * pixels, (t + 1) * pixels), (c) => c * scale);
  }
  const x = Float64Array.from(sample, (p) => p * scale);
  if (model.encoder.kind === 'direct') return () => x;
  const prng = new Xorshift32(seed);
  return () => x.map((xi) => (xi === 0 ? 0 : xi * (prng.next() / TWO_POW_32)));
}

/** Evaluates an SNN on one sample (pixels 0..255, CHW; or T frames of event counts) with a jitter seed. */
export function runSnnFloat(model: SnnModel, image: Uint8Array, seed: number, observe?: FloatObserver): FloatResult {
  const states = model.layers.map((l) => (l.kind === 'spiking' ? ({ v: new Float64Array(l.units), visibleU: new Float64Array(l.units), visibleO: new Float64Array(l.units) } as NeuronState) : undefined));
  const scores = new Float64Array(model.classes);
  const encode = inputEncoder(model, image, seed);
  for (let t = 0; t < model.timesteps; t++) {
    let act: Float64Array = encode(t);
    let shape = model.input.shape as [number, number, number];
    let read: Float64Array = new Float64Array(model.classes);
    model.layers.forEach((layer, l) => {
      switch (layer.kind) {
        case 'conv':
        case 'pool':
          ({ y: act, shape } = layer.kind === 'conv' ? convForward(layer, act, shape) : poolForward(layer, act, shape));
          observe?.(l, t, null, act);
          return;
        case 'spiking': {
          // an identity spiking layer keeps its input's image shape; `shape` is only read by conv and pool
          const state = states[l]!;
          spikingStep(layer, state, act);
          observe?.(l, t, state.visibleU, state.visibleO);
          act = state.visibleO;
          read = model.readout.source === 'output' ? state.visibleO : state.visibleU;
          return;
        }
        default: {
          const never: never = layer;
          return never;
        }
      }
    });
    if (t >= model.readout.begin) for (let k = 0; k < model.classes; k++) scores[k]! += read[k]!;
  }
  if (model.readout.kind === 'mean') for (let k = 0; k < scores.length; k++) scores[k]! /= model.timesteps - model.readout.begin;
  return { scores, label: argmax(scores) };
}

function activate(layer: DenseLayer, y: number): number {
  switch (layer.activation) {
    case 'relu':
      return Math.max(y, 0);
    case 'leaky-relu':
      return y >= 0 ? y : (layer.alpha ?? 0.01) * y;
    case 'sigmoid':
      return 1 / (1 + Math.exp(-y));
    case 'none':
      return y;
    default: {
      const never: never = layer.activation;
      return never;
    }
  }
}

export function runAnnFloat(model: AnnModel, image: Uint8Array): FloatResult {
  let act: Float64Array = Float64Array.from(image, (p) => p * model.input.scale);
  let shape = model.input.shape as [number, number, number];
  for (const layer of model.layers) {
    if (layer.kind === 'conv') {
      ({ y: act, shape } = convForward(layer, act, shape));
      continue;
    }
    act = denseForward(layer.weights.data, layer.bias.data, act).map((y) => activate(layer, y));
  }
  return { scores: act, label: argmax(act) };
}

export function runFloat(model: Model, image: Uint8Array, seed: number): FloatResult {
  return model.kind === 'snn' ? runSnnFloat(model, image, seed) : runAnnFloat(model, image);
}

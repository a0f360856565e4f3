/**
 * @fileoverview Input centering, folded into a bias. Pixels in [0, 1] all have a large positive mean, which makes the
 * first layer's gradient ill-conditioned (a CIFAR-10 MLP reaches 24 % instead of 43 % after 4 epochs on 10k images).
 * Training therefore feeds the first trained linear op (x - m) for a constant m, and the saved model takes the same
 * function in the format's own terms: W (x - m) + b = W x + (b - W m), so only that op's bias changes.
 *
 * m is the mean of what that op sees on the training set: per input feature for a dense or spiking layer (the encoded
 * pixel, times 1/2 under jitter since E[u] = 1/2, or a fixed Gabor conv's output), per channel for a learned conv
 * (a conv folds only a per-channel constant into its bias). Nothing is centered when a fixed conv feeds spiking neurons.
 */
import type { ConvLayer, Model } from '../model/format.ts';
import { convForward } from '../runtime/float-reference.ts';
import type { SampleSet } from './sample-set.ts';
import { isIdentitySpiking, weighted } from './weighted-layer.ts';

export interface Centering {
  /** Index in model.layers of the op whose input is centered. */
  readonly layer: number;
  /** Per input feature (dense/spiking) or per channel (conv). */
  readonly mean: Float32Array;
}

export const CENTERING_MODES = ['feature', 'none'] as const;
export type CenteringMode = (typeof CENTERING_MODES)[number];

/** Images used to estimate m: enough for a stable mean, few enough to take well under a second. */
const MEAN_IMAGES = 10000;

/** E[x_t] / x: the encoder's mean gain (jitter multiplies by u ~ U[0,1)). */
function encoderGain(model: Model): number {
  return model.kind === 'snn' && model.encoder.kind === 'jitter' ? 0.5 : 1;
}

/** The centering for `model` from the first images of its training set, or undefined when mode is 'none'. */
export function computeCentering(model: Model, train: SampleSet, mode: CenteringMode): Centering | undefined {
  if (mode === 'none') return undefined;
  const [channels, height, width] = model.input.shape;
  const pixels = channels * height * width;
  const count = Math.min(MEAN_IMAGES, train.count);
  const gain = encoderGain(model) * model.input.scale;
  const first = model.layers[0]!;
  if (first.kind === 'conv' && first.learned) {
    const sums = new Float64Array(channels);
    for (let i = 0; i < count; i++) {
      const image = train.image(i);
      for (let c = 0; c < channels; c++) for (let p = 0; p < height * width; p++) sums[c]! += image[c * height * width + p]!;
    }
    return { layer: 0, mean: Float32Array.from(sums, (s) => (s * gain) / (count * height * width)) };
  }
  // The first trained op is a dense/spiking layer, reading the pixels or a fixed conv's outputs (linear, so its
  // mean is the conv of the mean input).
  const meanInput = new Float64Array(pixels);
  for (let i = 0; i < count; i++) {
    const image = train.image(i);
    for (let p = 0; p < pixels; p++) meanInput[p]! += image[p]!;
  }
  for (let p = 0; p < pixels; p++) meanInput[p] = (meanInput[p]! * gain) / count;
  let features: Float64Array = meanInput;
  let shape: readonly [number, number, number] = model.input.shape;
  let layer = 0;
  for (; layer < model.layers.length && model.layers[layer]!.kind === 'conv'; layer++) {
    ({ y: features, shape } = convForward(model.layers[layer] as ConvLayer, features, shape as [number, number, number]));
  }
  // A fixed conv that feeds its own neurons: the first trained op reads spikes, not a linear function of the input.
  if (isIdentitySpiking(model.layers[layer]!)) return undefined;
  return { layer, mean: Float32Array.from(features) };
}

/** The model whose plain input computes what the centered model computes: the centered op's bias becomes b - W m. */
export function foldCentering<M extends Model>(model: M, centering: Centering | undefined): M {
  if (!centering) return model;
  const layers = model.layers.map((l, i) => {
    if (i !== centering.layer) return l;
    const layer = weighted(l);
    const rows = layer.bias.data.length;
    const perRow = layer.weights.data.length / rows;
    const m = centering.mean;
    // a conv's weights are [F, C, k, k]: each of the C channels covers perRow / C consecutive weights
    const span = perRow / m.length;
    const bias = Float32Array.from(layer.bias.data, (b, r) => {
      let dot = 0;
      for (let q = 0; q < perRow; q++) dot += layer.weights.data[r * perRow + q]! * m[Math.floor(q / span)]!;
      return b - dot;
    });
    return { ...layer, bias: { shape: layer.bias.shape, data: bias } };
  });
  return { ...model, layers } as M;
}

/** m as a vector over the centered op's whole input (a conv's per-channel means repeated over its pixels). */
export function centeringVector(model: Model, centering: Centering): Float32Array {
  const layer = model.layers[centering.layer]!;
  if (layer.kind !== 'conv') return centering.mean;
  const [channels, height, width] = model.input.shape;
  const out = new Float32Array(channels * height * width);
  for (let c = 0; c < channels; c++) out.fill(centering.mean[c]!, c * height * width, (c + 1) * height * width);
  return out;
}

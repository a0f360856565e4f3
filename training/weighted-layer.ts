/** @fileoverview Which layers training holds parameters for; plain data checks, free of tfjs so the CLI loads them cheaply. */
import { SnncError } from '../base/errors.ts';
import type { ConvLayer, DenseLayer, Layer, SpikingLayer, Tensor } from '../model/format.ts';

export type WeightedLayer = ConvLayer | DenseLayer | (SpikingLayer & { readonly weights: Tensor });

/** A layer with weights: conv, dense or dense spiking. Pools (imported models only) and identity spiking layers have none. */
export function weighted(layer: Layer): WeightedLayer {
  if (layer.kind === 'pool' || !layer.weights) {
    throw new SnncError('unsupported', `${layer.name}: training supports conv, dense and dense spiking layers, not ${layer.kind === 'pool' ? 'pools' : 'identity synapses'}`);
  }
  return layer as WeightedLayer;
}

/** A spiking layer fed one to one by the layer before it (the conv's own neurons): it has no trained parameters. */
export function isIdentitySpiking(layer: Layer): layer is SpikingLayer {
  return layer.kind === 'spiking' && !layer.weights;
}

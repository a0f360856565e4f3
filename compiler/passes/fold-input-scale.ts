/**
 * @fileoverview Pass: fold the pixel scale into the first weighted layer. The IR's input is u8.8 (p means p/256), the
 * model's is p * scale, so that layer's weights are multiplied by scale * 256 and no target ever sees the scale.
 * Event counts are u{countBits}.0 (c means c): the weights are multiplied by the event scale alone.
 * Pools before it are linear (pool(s x) = s pool(x)), so the scale passes through them. An identity spiking layer
 * before any weights cannot absorb a factor: then the scale must be a power of two 2^-k, and the input becomes u8.k.
 */
import { SnncError } from '../../base/errors.ts';
import type { Pass } from './state.ts';
import { INPUT_FRAC } from './formats-policy.ts';
import { foldedInputFrac } from './input-format.ts';

/** The first weighted layer's weights with the input scale folded in: w * scale * 2^inputFrac, in float32. */
export function foldScale(weights: Float32Array, scale: number, inputFrac = INPUT_FRAC): Float32Array {
  const factor = scale * 2 ** inputFrac;
  return weights.map((w) => Math.fround(w * factor));
}

export const foldInputScale: Pass = {
  name: 'fold-input-scale',
  run(state) {
    const { model } = state;
    const scale = model.input.scale;
    const first = model.layers.findIndex((l) => l.kind !== 'pool');
    const layer = model.layers[first];
    if (!layer) return state;
    if (layer.kind === 'spiking' && !layer.weights) {
      const frac = -Math.log2(scale) + 0; // + 0: never -0
      if (!Number.isInteger(frac) || Math.abs(frac) > 24) {
        throw new SnncError('unsupported', `layers[${first}] (${layer.name}): an identity spiking layer reads the input directly, so input.scale must be a power of two (got ${scale}); scale the input in a weighted layer instead`);
      }
      return { ...state, originalScale: scale, inputFrac: frac };
    }
    if (layer.kind === 'pool' || !layer.weights) throw new SnncError('ir', 'fold-input-scale: unreachable layer kind');
    const inputFrac = foldedInputFrac(model);
    const weights = { shape: layer.weights.shape, data: foldScale(layer.weights.data, scale, inputFrac) };
    const layers = model.layers.map((l, i) => (i === first ? { ...layer, weights } : l));
    return {
      ...state,
      originalScale: scale,
      inputFrac,
      model: { ...model, input: { ...model.input, scale: 2 ** -inputFrac }, layers },
    };
  },
};

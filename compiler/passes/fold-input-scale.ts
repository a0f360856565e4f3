/**
 * @fileoverview Pass: fold the pixel scale into the first weighted layer. The IR's input is u8.8 (p means p/256), the
 * model's is p * scale, so that layer's weights are multiplied by scale * 256 and no target ever sees the scale.
 * Pools before it are linear (pool(s x) = s pool(x)), so the scale passes through them. An identity spiking layer
 * before any weights cannot absorb a factor: then the scale must be a power of two 2^-k, and the input becomes u8.k.
 */
import { SnncError } from '../../base/errors.ts';
import type { Pass } from './state.ts';
import { INPUT_FRAC } from './formats-policy.ts';

/** The first weighted layer's weights with the pixel scale folded in: w * scale * 2^INPUT_FRAC, in float32. */
export function foldScale(weights: Float32Array, scale: number): Float32Array {
  const factor = scale * 2 ** INPUT_FRAC;
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
    const weights = { shape: layer.weights.shape, data: foldScale(layer.weights.data, scale) };
    const layers = model.layers.map((l, i) => (i === first ? { ...layer, weights } : l));
    return {
      ...state,
      originalScale: scale,
      inputFrac: INPUT_FRAC,
      model: { ...model, input: { ...model.input, scale: 2 ** -INPUT_FRAC }, layers },
    };
  },
};

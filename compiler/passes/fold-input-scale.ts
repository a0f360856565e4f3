/**
 * @fileoverview Pass: fold the pixel scale into the first layer's weights. The IR's input is u8.8 (p means p/256), the
 * model's is p * scale, so the first layer's weights are multiplied by scale * 256 and no target ever sees the scale.
 */
import type { Pass } from './state.ts';
import { INPUT_FRAC } from './formats-policy.ts';

export const foldInputScale: Pass = {
  name: 'fold-input-scale',
  run(state) {
    const { model } = state;
    const factor = model.input.scale * 2 ** INPUT_FRAC;
    const [first, ...rest] = model.layers;
    if (!first) return state;
    const weights = { shape: first.weights.shape, data: first.weights.data.map((w) => Math.fround(w * factor)) };
    return {
      ...state,
      originalScale: model.input.scale,
      model: { ...model, input: { ...model.input, scale: 2 ** -INPUT_FRAC }, layers: [{ ...first, weights }, ...rest] },
    };
  },
};

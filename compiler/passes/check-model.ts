/** @fileoverview Pass: refuse float models that the fixed-point lowering cannot represent exactly enough. */
import { SnncError } from '../../base/errors.ts';
import type { Pass } from './state.ts';

export const checkModel: Pass = {
  name: 'check-model',
  run(state) {
    const { model, options } = state;
    const t = options.timesteps ?? model.timesteps;
    if (model.readout.begin >= t) throw new SnncError('model', `--timesteps ${t} leaves no step for the readout, which begins at ${model.readout.begin}`);
    model.layers.forEach((layer, i) => {
      if (layer.kind !== 'spiking') return;
      if (layer.reset.kind === 'refractory' && layer.reset.penalty / layer.threshold > 16) {
        throw new SnncError('unsupported', `layers[${i}] (${layer.name}): refractory factor penalty/threshold = ${layer.reset.penalty / layer.threshold} is above 16`);
      }
      if (layer.reset.kind === 'refractory' && layer.reset.penalty < 0) {
        throw new SnncError('unsupported', `layers[${i}] (${layer.name}): a negative refractory penalty is not supported`);
      }
    });
    if (state.calibration.images.length === 0 && !state.calibration.worstCase) throw new SnncError('data', 'calibration needs at least one image (or --calibration none)');
    return state;
  },
};

/** @fileoverview Pass: refuse float models that the fixed-point lowering cannot represent exactly enough. */
import { SnncError } from '../../base/errors.ts';
import type { SpikingLayer } from '../../model/format.ts';
import type { Pass } from './state.ts';

/** What the lowering of recurrent synapses and synaptic currents cannot do yet, refused in one line. */
function checkStateful(layer: SpikingLayer, where: string, worstCase: boolean): void {
  if (layer.recurrent && layer.output !== 'binary') {
    // its output would feed its own formats: the lowering chooses formats for recurrence on spikes only
    throw new SnncError('unsupported', `${where}: a recurrent synapse on an '${layer.output}' output; snnc lowers recurrence of binary spikes only`);
  }
  if (layer.synaptic?.bias?.data.some((b) => b !== 0)) {
    throw new SnncError('unsupported', `${where}: a bias into the synaptic current (a CubaLIF's Affine bias) has no IR form yet: the IR's synaptic current adds no bias`);
  }
  if ((layer.recurrent || layer.synaptic) && !worstCase) {
    throw new SnncError('unsupported', `${where}: a layer with a recurrent synapse or a synaptic current compiles with --calibration none only (the float reference does not run them yet)`);
  }
}

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
      checkStateful(layer, `layers[${i}] (${layer.name})`, state.calibration.worstCase === true);
    });
    if (state.calibration.images.length === 0 && !state.calibration.worstCase) throw new SnncError('data', 'calibration needs at least one image (or --calibration none)');
    return state;
  },
};

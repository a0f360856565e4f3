/**
 * @fileoverview Pass: run the float reference on the calibration samples (images, or T frames of event counts) and
 * record each layer's value ranges. NO_CALIBRATION (`--calibration none`) takes the worst case any input can produce
 * instead (worst-case-ranges.ts).
 */
import { runSnnFloat } from '../../runtime/float-reference.ts';
import type { LayerRanges, Pass } from './state.ts';
import { worstCaseRanges } from './worst-case-ranges.ts';

export const calibrate: Pass = {
  name: 'calibrate',
  run(state) {
    const model = { ...state.model, timesteps: state.options.timesteps ?? state.model.timesteps };
    if (state.calibration.worstCase) return { ...state, ranges: worstCaseRanges(model, model.timesteps) };
    const maxOutput = new Array<number>(model.layers.length).fill(0);
    const maxMembrane = new Array<number>(model.layers.length).fill(0);
    state.calibration.images.forEach((image, i) => {
      runSnnFloat(model, image, state.calibration.seeds[i] ?? i, (l, _t, membrane, output) => {
        for (const y of output) maxOutput[l] = Math.max(maxOutput[l]!, Math.abs(y));
        if (membrane) for (const u of membrane) maxMembrane[l] = Math.max(maxMembrane[l]!, Math.abs(u));
      });
      state.calibration.onImageDone?.(i + 1, state.calibration.images.length);
    });
    const ranges: LayerRanges[] = maxOutput.map((out, l) => ({ maxOutput: out, maxMembrane: maxMembrane[l]! }));
    return { ...state, ranges };
  },
};

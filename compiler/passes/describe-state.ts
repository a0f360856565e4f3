/** @fileoverview Text form of the lowering state before a program exists (for --dump-after on early passes). */
import type { LoweringState } from './state.ts';
import { largest, smallest } from '../../base/array-extent.ts';

function real(x: number): string {
  return Number(x.toPrecision(6)).toString();
}

export function describeState(state: LoweringState): string {
  const { model } = state;
  const lines = [
    `model ${model.metadata.name}: ${model.layers.length} layers, T=${state.options.timesteps ?? model.timesteps}, input [${model.input.shape.join(', ')}] x ${real(model.input.scale)}`,
    `calibration: ${state.calibration.images.length} ${state.calibration.dataset} images`,
  ];
  model.layers.forEach((layer, l) => {
    let w = 0;
    const weights = layer.kind === 'pool' ? undefined : layer.weights;
    for (const x of weights?.data ?? []) w = Math.max(w, Math.abs(x));
    const parts = [`layer ${layer.name}: ${layer.kind}${weights ? `, max |w| ${real(w)}` : layer.kind === 'pool' ? ` ${layer.mode} ${layer.kernel}x${layer.kernel}` : ', identity synapse'}`];
    const r = state.ranges?.[l];
    if (r) parts.push(`max output ${real(r.maxOutput)}`, `max |membrane| ${real(r.maxMembrane)}`);
    const f = state.formats?.[l];
    if (f) parts.push(`in frac ${f.inFrac}`, ...(f.weightFrac.length > 0 ? [`weight frac ${smallest(f.weightFrac)}..${largest(f.weightFrac)}`] : []), `state frac ${f.stateFrac}`, `out frac ${f.outFrac}`);
    lines.push(parts.join(', '));
  });
  return lines.join('\n') + '\n';
}

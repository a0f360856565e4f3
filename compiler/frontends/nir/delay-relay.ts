/**
 * @fileoverview A NIR Delay of d > 1 whole steps after a neuron: that neuron's layer takes delay 1 and d - 1 relay
 * layers follow it, each an identity spiking layer with delay 1 that passes its input on unchanged, so no target needs
 * a longer delay. A relay of binary spikes fires on every spike (decay 0, threshold 0, zero reset: u = x, o = x); a
 * relay of a membrane output (LI, I) is a non-firing LI with decay 0 (o = u = x).
 */
import type { SpikingLayer } from '../../../model/format.ts';

/** A relay named `name` after `neuron` (binary or membrane output, as NIR neurons are). */
export function delayRelay(neuron: SpikingLayer, name: string): SpikingLayer {
  const membrane = neuron.output === 'membrane';
  return {
    kind: 'spiking', name, units: neuron.units, bias: { shape: [neuron.units], data: new Float32Array(neuron.units) }, decay: 0, threshold: 0,
    output: membrane ? 'membrane' : 'binary', reset: membrane ? { kind: 'none' } : { kind: 'zero' }, delay: 1,
  };
}

/** @fileoverview Cross-layer checks that the per-field schema cannot make: layer order, class count, readout window. */
import { SnncError } from '../errors.ts';
import type { Model } from './format.ts';

export function checkModelShapes(model: Model): void {
  let seenFlat = false;
  const names = new Set<string>();
  model.layers.forEach((layer, i) => {
    if (names.has(layer.name)) throw new SnncError('model', `layers[${i}].name: "${layer.name}" is used twice`);
    names.add(layer.name);
    if (layer.kind === 'conv' && seenFlat) throw new SnncError('model', `layers[${i}]: a conv layer must come before every dense or spiking layer`);
    if (layer.kind !== 'conv') seenFlat = true;
  });
  const last = model.layers[model.layers.length - 1];
  if (!last || last.kind === 'conv') throw new SnncError('model', 'layers: the last layer must be a spiking or dense layer that gives the class scores');
  if (last.units !== model.classes) throw new SnncError('model', `layers: the last layer has ${last.units} units but the model has ${model.classes} classes`);
  if (model.kind === 'snn' && model.readout.begin >= model.timesteps) {
    throw new SnncError('model', `readout.begin: ${model.readout.begin} leaves no timestep to read (timesteps is ${model.timesteps})`);
  }
}

/** @fileoverview Shape inference through conv, pool and identity layers, and the cross-layer checks the per-field schema cannot make. */
import { SnncError } from '../base/errors.ts';
import type { ConvLayer, Model, PoolLayer } from './format.ts';
import { windowOutSize } from '../ir/window.ts';

export type ImageShape = readonly [channels: number, height: number, width: number];

/** The CHW shape a conv or pool layer makes of `input`; refuses a kernel larger than the padded input. */
export function windowOutput(layer: ConvLayer | PoolLayer, input: ImageShape, path: string): ImageShape {
  const [channels, height, width] = input;
  const stride = layer.stride ?? 1;
  const padding = layer.padding ?? 0;
  if (layer.kernel > height + 2 * padding || layer.kernel > width + 2 * padding) {
    const padded = padding > 0 ? ` (padded by ${padding})` : '';
    throw new SnncError('model', `${path}: a ${layer.kernel}x${layer.kernel} ${layer.kind} kernel is larger than its ${height}x${width} input${padded}`);
  }
  return [layer.kind === 'conv' ? layer.filters : channels, windowOutSize(height, layer.kernel, stride, padding), windowOutSize(width, layer.kernel, stride, padding)];
}

/**
 * Per-layer output shapes of an snn model: a CHW image for conv, pool and identity spiking layers (which keep their
 * input's shape), undefined (a flat vector) after a dense spiking layer. Throws where a window needs an image.
 */
export function layerShapes(model: Model): (ImageShape | undefined)[] {
  let image: ImageShape | undefined = model.input.shape;
  return model.layers.map((layer, i) => {
    switch (layer.kind) {
      case 'conv':
      case 'pool':
        if (!image) throw new SnncError('model', `layers[${i}]: a ${layer.kind} layer needs an image, but the layer before it outputs a flat vector`);
        image = windowOutput(layer, image, `layers[${i}]`);
        return image;
      case 'spiking':
        if (layer.weights) image = undefined;
        return image;
      case 'dense':
        image = undefined;
        return image;
      default: {
        const never: never = layer;
        return never;
      }
    }
  });
}

/** Number of values a layer outputs per timestep. */
export function layerWidths(model: Model): number[] {
  return layerShapes(model).map((shape, i) => {
    const layer = model.layers[i]!;
    return layer.kind === 'conv' || layer.kind === 'pool' ? shape![0] * shape![1] * shape![2] : layer.units;
  });
}

export function checkModelShapes(model: Model): void {
  const names = new Set<string>();
  model.layers.forEach((layer, i) => {
    if (names.has(layer.name)) throw new SnncError('model', `layers[${i}].name: "${layer.name}" is used twice`);
    names.add(layer.name);
  });
  layerShapes(model);
  const last = model.layers[model.layers.length - 1];
  if (!last || last.kind === 'conv' || last.kind === 'pool') throw new SnncError('model', 'layers: the last layer must be a spiking or dense layer that gives the class scores');
  if (last.units !== model.classes) throw new SnncError('model', `layers: the last layer has ${last.units} units but the model has ${model.classes} classes`);
  if (model.kind === 'snn' && model.readout.begin >= model.timesteps) {
    throw new SnncError('model', `readout.begin: ${model.readout.begin} leaves no timestep to read (timesteps is ${model.timesteps})`);
  }
}

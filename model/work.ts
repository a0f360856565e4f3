/**
 * @fileoverview The work a model asks for, counted in synaptic operations, and the refusals of a model whose layers or
 * runs would exceed the stated budgets (base/input-limits.ts) before any of that work starts.
 */
import { SnncError } from '../base/errors.ts';
import type { Model } from './format.ts';
import { MAX_CALIBRATION_SYNOPS, MAX_LAYER_OUTPUTS, MAX_SYNOPS_PER_IMAGE } from '../base/input-limits.ts';
import { layerShapes } from './shapes.ts';

/**
 * Synaptic operations of one timestep of one image: a multiply-add per weight use (conv, dense or spiking synapse), an
 * add per pooled value, one per neuron of an identity synapse.
 */
export function synapticOpsPerStep(model: Model): number {
  const shapes = layerShapes(model);
  let inputs: readonly number[] = model.input.shape;
  let width = model.input.shape[0] * model.input.shape[1] * model.input.shape[2];
  let ops = 0;
  model.layers.forEach((layer, i) => {
    const out = shapes[i];
    const outValues = out ? out[0] * out[1] * out[2] : (layer as { units: number }).units;
    switch (layer.kind) {
      case 'conv':
        ops += outValues * inputs[0]! * layer.kernel * layer.kernel;
        break;
      case 'pool':
        ops += outValues * layer.kernel * layer.kernel;
        break;
      case 'spiking':
        ops += (layer.weights ? layer.units * width : layer.units) + (layer.recurrent ? layer.units * layer.units : 0);
        break;
      case 'dense':
        ops += layer.units * width;
        break;
      default: {
        const never: never = layer;
        return never;
      }
    }
    if (out) inputs = out;
    width = outValues;
  });
  return ops;
}

/** Refuses a layer whose output per timestep is beyond MAX_LAYER_OUTPUTS (a huge conv image), before it is allocated. */
export function checkLayerOutputs(model: Model): void {
  const shapes = layerShapes(model);
  shapes.forEach((shape, i) => {
    const values = shape ? shape[0] * shape[1] * shape[2] : 0;
    if (values > MAX_LAYER_OUTPUTS) {
      throw new SnncError('model', `layers[${i}]: outputs ${values} values per timestep, above snnc's bound of ${MAX_LAYER_OUTPUTS}`);
    }
  });
}

function figure(n: number): string {
  return n >= 1e6 ? n.toExponential(2).replace('e+', 'e') : String(n);
}

/**
 * Refuses a run whose work is beyond the budgets: one image (ops per step x timesteps) and, when `calibrationImages`
 * is given, the whole calibration. `source` names the model in the message.
 */
export function checkWorkBudget(model: Model, timesteps: number, source: string, calibrationImages?: number): void {
  checkLayerOutputs(model);
  const perImage = synapticOpsPerStep(model) * timesteps;
  if (perImage > MAX_SYNOPS_PER_IMAGE) {
    throw new SnncError('model', `${source}: ${figure(perImage)} synaptic operations per image (${figure(perImage / timesteps)} per step x ${timesteps} timesteps), above snnc's budget of ${figure(MAX_SYNOPS_PER_IMAGE)}; lower --timesteps or the model's size`);
  }
  if (calibrationImages === undefined) return;
  const total = perImage * calibrationImages;
  if (total > MAX_CALIBRATION_SYNOPS) {
    throw new SnncError('model', `${source}: calibration needs ${figure(total)} synaptic operations (${figure(perImage)} per image x ${calibrationImages} images), above snnc's budget of ${figure(MAX_CALIBRATION_SYNOPS)}; lower --calibration-images or --timesteps`);
  }
}

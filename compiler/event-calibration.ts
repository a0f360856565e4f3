/**
 * @fileoverview Calibration sets of an events model: event samples (the dataset readers' EventSamples) binned into
 * the frames the program takes, with the model's binning and count bits (data/events.ts binEvents, the one
 * definition), so that calibration sees exactly what the targets will see.
 */
import { SnncError } from '../base/errors.ts';
import { binEvents, type EventSample } from '../data/events.ts';
import type { SnnModel } from '../model/format.ts';
import type { CalibrationSet } from './passes/state.ts';

/** `samples` binned into T frames each (T = `timesteps`, default the model's); sample i runs with seed i. */
export function eventCalibrationSet(model: SnnModel, samples: readonly EventSample[], dataset: string, timesteps = model.timesteps): CalibrationSet {
  if (model.encoder.kind !== 'events') throw new SnncError('data', `model ${model.metadata.name} reads images, not event samples`);
  const { binning, countBits } = model.encoder;
  const images = samples.map((sample) => binEvents(sample, binning, model.input.shape, timesteps, 2 ** countBits - 1).frames);
  return { dataset, images, seeds: images.map((_, i) => i) };
}

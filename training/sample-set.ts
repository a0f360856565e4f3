/**
 * @fileoverview The samples training and evaluation run on: images of an image dataset, or for an events model its
 * event dataset binned into frames once (data/events.ts binEvents, the program's own binning), so that every sample
 * is one Uint8Array row of T frames of P counts and the trainer, the float reference and the golden runtime all read
 * the same bytes.
 */
import { SnncError } from '../base/errors.ts';
import { isDatasetName, type ImageShape, type Split } from '../data/datasets.ts';
import { EVENT_DATASETS, isEventDatasetName, type EventDatasetName, type FrameOptions } from '../data/event-datasets.ts';
import { loadFrameSet } from '../data/event-frames.ts';
import { loadDataset } from '../data/load.ts';
import type { EventsEncoderSpec, Model } from '../model/format.ts';

export interface SampleSet {
  readonly name: string;
  readonly shape: ImageShape;
  /** Index in the split of the first sample held here; sample i runs with jitter seed offset + i. */
  readonly offset: number;
  readonly count: number;
  /** `count` samples back to back: C*H*W pixels each, or T*C*H*W counts for an events model. */
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  image(i: number): Uint8Array;
  /** Events outside the window, summed over the set (events models only). */
  readonly dropped?: number;
}

/** Recording length of an event dataset, in microseconds: what the default bin width divides into T bins. */
export const EVENT_DURATION_US: Readonly<Record<Exclude<EventDatasetName, 'smnist'>, number>> = {
  'mnist-dvs-sim': 300_000,
  nmnist: 300_000,
  shd: 1_000_000,
};

/** Default count bits: 4 for event counts per bin, 8 for smnist's pixel rows. */
export function defaultCountBits(dataset: EventDatasetName): number {
  return dataset === 'smnist' ? 8 : 4;
}

/** The events encoder of a model trained on `dataset` at T steps: bins of `binUs` (default duration / T) from 0. */
export function eventEncoderFor(dataset: EventDatasetName, timesteps: number, binUs?: number, countBits?: number): EventsEncoderSpec {
  const source = EVENT_DATASETS[dataset].source;
  if (source === 'frames') {
    if (binUs !== undefined) throw new SnncError('usage', `--bin-us: ${dataset} is a sequence of frames, not events`);
    return { kind: 'events', binning: { source, binUs: 1, startUs: 0 }, countBits: countBits ?? defaultCountBits(dataset) };
  }
  const width = binUs ?? Math.ceil(EVENT_DURATION_US[dataset as Exclude<EventDatasetName, 'smnist'>] / timesteps);
  return { kind: 'events', binning: { source, binUs: width, startUs: 0 }, countBits: countBits ?? defaultCountBits(dataset) };
}

/** The samples `model` takes from its own dataset's split: images, or frames binned with the model's encoder. */
export async function modelSamples(model: Model, split: Split, limit?: number): Promise<SampleSet> {
  const name = model.metadata.dataset;
  if (model.kind === 'snn' && model.encoder.kind === 'events') {
    if (!isEventDatasetName(name)) throw new SnncError('data', `an events model needs an event dataset, not "${name}"`);
    return loadFrameSet(name, split, frameOptions(model.encoder, model.timesteps), limit === undefined ? {} : { limit });
  }
  if (!isDatasetName(name)) throw new SnncError('data', `no ${split} data for dataset "${name}"`);
  return loadDataset(name, split, limit === undefined ? {} : { limit });
}

/** What binning a model's encoder asks for: its binning, T, and the largest count of countBits. */
export function frameOptions(encoder: EventsEncoderSpec, timesteps: number): FrameOptions {
  return { binning: encoder.binning, timesteps, maxCount: 2 ** encoder.countBits - 1 };
}

/**
 * @fileoverview The samples a compiled program takes from a named dataset: images of an image dataset (their shape
 * checked), or for an events program an event dataset binned with the program's own binning, T and input type.
 */
import { SnncError } from '../base/errors.ts';
import { DATASETS, isDatasetName, type DatasetName, type Split } from '../data/datasets.ts';
import { EVENT_DATASETS, isEventDatasetName } from '../data/event-datasets.ts';
import { loadFrameSet } from '../data/event-frames.ts';
import { binEvents } from '../data/events.ts';
import { loadDataset, type LoadedDataset } from '../data/load.ts';
import { readNmnistFile } from '../data/nmnist.ts';
import { maxOf } from '../ir/int-type.ts';
import type { Program } from '../ir/program.ts';

export interface ProgramSamples {
  readonly name: string;
  /** Index in the split of the first sample held here (its jitter seed by default). */
  readonly offset: number;
  readonly count: number;
  readonly labels: Uint8Array;
  image(i: number): Uint8Array;
  /** Events outside the program's window (event datasets only). */
  readonly dropped?: number;
}

export function isSampleDataset(name: string): boolean {
  return isDatasetName(name) || isEventDatasetName(name);
}

/** Samples [offset, offset + limit) of `dataset`'s split for `program`; a dataset that does not fit is refused. */
export async function programSamples(program: Program, dataset: string, split: Split, range: { readonly offset?: number; readonly limit?: number } = {}): Promise<ProgramSamples> {
  const want = program.input.shape.join('x');
  const events = program.encoder.kind === 'events';
  if (isEventDatasetName(dataset)) {
    if (program.encoder.kind !== 'events') throw new SnncError('usage', `--dataset ${dataset}: an event dataset, but the program takes images (${want})`);
    const shape = EVENT_DATASETS[dataset].shape;
    if (shape.join('x') !== want) throw new SnncError('usage', `--dataset ${dataset}: its samples are ${shape.join('x')}, the program wants ${want}`);
    const options = { binning: program.encoder.binning, timesteps: program.timesteps, maxCount: maxOf(program.input.type) };
    return loadFrameSet(dataset, split, options, range);
  }
  if (!isDatasetName(dataset)) throw new SnncError('usage', `--dataset: unknown dataset "${dataset}"`);
  if (events) throw new SnncError('usage', `--dataset ${dataset}: an image dataset, but the program takes event frames (${want})`);
  return imageSamples(dataset, program.input.shape, split, range);
}

/** Images [offset, offset + limit) of an image dataset whose images must have `shape`; needs no program. */
export function imageSamples(dataset: DatasetName, shape: readonly number[], split: Split, range: { readonly offset?: number; readonly limit?: number } = {}): LoadedDataset {
  const have = DATASETS[dataset].shape.join('x');
  if (have !== shape.join('x')) throw new SnncError('data', `${dataset} images are ${have}, the program wants ${shape.join('x')}`);
  return loadDataset(dataset, split, range);
}

/** One N-MNIST-format `.bin` recording (x, y, polarity, time) binned with the program's binning: T*P counts. */
export function sampleFileFrames(program: Program, file: string): { frames: Uint8Array; dropped: number; events: number } {
  if (program.encoder.kind !== 'events' || program.encoder.binning.source !== 'dvs') {
    throw new SnncError('usage', `--sample ${file}: an event recording, but the program takes ${program.encoder.kind === 'events' ? `${program.encoder.binning.source} input` : 'images'}`);
  }
  const events = readNmnistFile(file);
  const [c, h, w] = program.input.shape;
  const { frames, dropped } = binEvents(events, program.encoder.binning, [c, h, w], program.timesteps, maxOf(program.input.type));
  return { frames, dropped, events: events.t.length };
}

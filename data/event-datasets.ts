/**
 * @fileoverview The event and sequence datasets and how to load them (docs/events.md).
 *
 *   mnist-dvs-sim  [2, 34, 34]  10 classes  emulated DVS events of MNIST (data/dvs-emulator.ts), `snnc data fetch`
 *   nmnist         [2, 34, 34]  10 classes  N-MNIST recordings the user supplies, `snnc data add nmnist PATH`
 *   shd            [700, 1, 1]  20 classes  Spiking Heidelberg Digits, `snnc data add shd PATH`
 *   smnist         [28, 1, 1]   10 classes  sequential MNIST: row t of the image is frame t (a view of mnist)
 *
 * Every loaded split gives `frames(i, {binning, timesteps, maxCount})`, the program's input for sample i (T frames of
 * P counts, frame-major, as data/events.ts binEvents defines). Event datasets (kind 'events') also give `sample(i)`,
 * the raw events; smnist (kind 'frames') has none: its frames are the image rows, binning source 'frames'.
 */
import { SnncError } from '../base/errors.ts';
import type { EventBinning } from '../ir/encoder.ts';
import { datasetDir } from './cache.ts';
import type { Split } from './datasets.ts';
import { binEvents, type EventSample, type Frames } from './events.ts';
import { readPackedRange } from './event-pack.ts';
import { loadDataset } from './load.ts';
import { decodeNmnist } from './nmnist.ts';
import { loadShdSplit } from './shd.ts';

export const EVENT_DATASET_NAMES = ['mnist-dvs-sim', 'nmnist', 'shd', 'smnist'] as const;
export type EventDatasetName = (typeof EVENT_DATASET_NAMES)[number];

export interface EventDatasetSpec {
  readonly shape: readonly [number, number, number];
  readonly classes: number;
  /** The binning source a program fed by this dataset states (ir/encoder.ts). */
  readonly source: EventBinning['source'];
  readonly counts: Readonly<Record<Split, number>>;
  /** How the data gets into the cache. */
  readonly obtain: string;
}

export const EVENT_DATASETS: Readonly<Record<EventDatasetName, EventDatasetSpec>> = {
  'mnist-dvs-sim': { shape: [2, 34, 34], classes: 10, source: 'dvs', counts: { train: 60000, test: 10000 }, obtain: 'snnc data fetch mnist-dvs-sim' },
  nmnist: { shape: [2, 34, 34], classes: 10, source: 'dvs', counts: { train: 60000, test: 10000 }, obtain: 'snnc data add nmnist PATH' },
  shd: { shape: [700, 1, 1], classes: 20, source: 'channels', counts: { train: 8156, test: 2264 }, obtain: 'snnc data add shd PATH' },
  smnist: { shape: [28, 1, 1], classes: 10, source: 'frames', counts: { train: 60000, test: 10000 }, obtain: 'snnc data fetch smnist' },
};

export function isEventDatasetName(name: string): name is EventDatasetName {
  return (EVENT_DATASET_NAMES as readonly string[]).includes(name);
}

/** What turns a sample into a program's input: the program's binning, its T and the largest count of its input type. */
export interface FrameOptions {
  readonly binning: EventBinning;
  readonly timesteps: number;
  readonly maxCount: number;
}

interface LoadedBase {
  readonly name: EventDatasetName;
  readonly split: Split;
  readonly shape: readonly [number, number, number];
  readonly classes: number;
  /** Index in the split of the first sample held here. */
  readonly offset: number;
  readonly count: number;
  readonly labels: Uint8Array;
  /** Sample i (0-based within this load) as T frames; `dropped` counts events outside the window. */
  frames(i: number, options: FrameOptions): Frames;
}

export interface LoadedEventStreams extends LoadedBase {
  readonly kind: 'events';
  sample(i: number): EventSample;
}

export interface LoadedFrameSequences extends LoadedBase {
  readonly kind: 'frames';
}

export type LoadedEventDataset = LoadedEventStreams | LoadedFrameSequences;

export interface EventLoadOptions {
  readonly offset?: number;
  readonly limit?: number;
}

function checkIndex(i: number, count: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= count) throw new SnncError('usage', `sample ${i} is outside 0..${count - 1}`);
}

/** smnist frames: frame t = image row t (t < 28), zero frames after; every value saturates at maxCount. */
export function sequenceFrames(image: Uint8Array, rows: number, options: FrameOptions): Frames {
  if (options.binning.source !== 'frames') throw new SnncError('data', `smnist is a sequence: its program needs binning source 'frames', not '${options.binning.source}'`);
  if (options.timesteps < rows) throw new SnncError('usage', `smnist has ${rows} rows, one per timestep: T must be at least ${rows}, got ${options.timesteps}`);
  const frames = new Uint8Array(options.timesteps * (image.length / rows));
  for (let k = 0; k < image.length; k++) frames[k] = Math.min(image[k]!, options.maxCount);
  return { frames, dropped: 0 };
}

function eventStreams(base: Omit<LoadedBase, 'frames'>, sample: (i: number) => EventSample): LoadedEventStreams {
  return {
    ...base,
    kind: 'events',
    sample(i) {
      checkIndex(i, base.count);
      return sample(i);
    },
    frames(i, { binning, timesteps, maxCount }) {
      checkIndex(i, base.count);
      return binEvents(sample(i), binning, base.shape, timesteps, maxCount);
    },
  };
}

/**
 * Loads samples [offset, offset + limit) of a split from the cache (never downloads). Packed splits (mnist-dvs-sim,
 * nmnist) are read in three file reads and decoded lazily per sample; shd reads its HDF5 file with h5wasm.
 */
export async function loadEventDataset(name: EventDatasetName, split: Split, opts: EventLoadOptions = {}): Promise<LoadedEventDataset> {
  const spec = EVENT_DATASETS[name];
  const offset = opts.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) throw new SnncError('usage', `offset must be a whole number >= 0, got ${offset}`);
  if (opts.limit !== undefined && (!Number.isInteger(opts.limit) || opts.limit < 0)) throw new SnncError('usage', `limit must be a whole number >= 0, got ${opts.limit}`);
  const common = { name, split, shape: spec.shape, classes: spec.classes, offset };
  if (name === 'smnist') {
    const mnist = loadDataset('mnist', split, opts);
    const rows = spec.shape[0];
    return {
      ...common,
      kind: 'frames',
      count: mnist.count,
      labels: mnist.labels,
      frames(i, options) {
        checkIndex(i, mnist.count);
        return sequenceFrames(mnist.image(i), rows, options);
      },
    };
  }
  const dir = datasetDir(name);
  if (name === 'shd') {
    const shd = await loadShdSplit(dir, split, offset, opts.limit);
    return eventStreams({ ...common, count: shd.labels.length, labels: shd.labels }, (i) => shd.sample(i));
  }
  const packed = readPackedWithHint(name, dir, split, offset, opts.limit);
  const where = `${name} ${split} sample`;
  return eventStreams({ ...common, count: packed.count, labels: packed.labels }, (i) =>
    decodeNmnist(packed.bytes.subarray(packed.starts[i]!, packed.starts[i + 1]!), `${where} ${offset + i}`),
  );
}

function readPackedWithHint(name: EventDatasetName, dir: string, split: Split, offset: number, limit: number | undefined): ReturnType<typeof readPackedRange> {
  let packed;
  try {
    packed = readPackedRange(dir, split, offset, limit);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SnncError('data', `dataset ${name} is not in the cache (${dir}); run: ${EVENT_DATASETS[name].obtain}`);
    if (e instanceof SnncError) throw new SnncError('data', `${e.message}; run: ${EVENT_DATASETS[name].obtain} to repair the cache`);
    throw e;
  }
  if (offset >= packed.total) throw new SnncError('usage', `offset ${offset} is past the end of ${name} ${split} (${packed.total} samples)`);
  return packed;
}

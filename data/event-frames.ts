/**
 * @fileoverview An event dataset's split binned into frames once (data/events.ts binEvents with a program's binning),
 * every sample one row of T*P counts: what training, calibration, evaluation and verify feed an events program.
 */
import type { ImageShape, Split } from './datasets.ts';
import { loadEventDataset, type EventDatasetName, type FrameOptions } from './event-datasets.ts';

export interface FrameSet {
  readonly name: EventDatasetName;
  readonly shape: ImageShape;
  /** Index in the split of the first sample held here. */
  readonly offset: number;
  readonly count: number;
  /** `count` samples back to back, T*C*H*W counts each. */
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  /** Sample i (0-based within this load) as a view into `images`. */
  image(i: number): Uint8Array;
  /** Events outside the window, summed over the set. */
  readonly dropped: number;
}

/** Samples [offset, offset + limit) of a split as frames. */
export async function loadFrameSet(dataset: EventDatasetName, split: Split, options: FrameOptions, range: { readonly offset?: number; readonly limit?: number } = {}): Promise<FrameSet> {
  const data = await loadEventDataset(dataset, split, range);
  const [c, h, w] = data.shape;
  const width = options.timesteps * c * h * w;
  const images = new Uint8Array(data.count * width);
  let dropped = 0;
  for (let i = 0; i < data.count; i++) {
    const frames = data.frames(i, options);
    images.set(frames.frames, i * width);
    dropped += frames.dropped;
  }
  return { name: dataset, shape: data.shape, offset: data.offset, count: data.count, images, labels: data.labels, image: (i) => images.subarray(i * width, (i + 1) * width), dropped };
}

/**
 * @fileoverview A batch of inferences as every runner takes it (golden runtime, targets, verify, bench), and the one
 * way to make one from a dataset (image i of a load runs with jitter seed `firstSeed + i`) or from random pixels.
 */
import type { LoadedDataset } from '../data/load.ts';
import { sampleLength } from '../ir/encoder.ts';
import { maxOf } from '../ir/int-type.ts';
import type { Program } from '../ir/program.ts';
import { randomCounts, randomPixels } from '../ir/random-program.ts';

/** Images and seeds for a batch of inferences; images are CHW pixel arrays of the program's input shape. */
export interface Batch {
  readonly images: readonly Uint8Array[];
  readonly seeds: readonly number[];
}

export interface BatchResult {
  readonly scores: readonly (readonly number[])[];
  readonly labels: readonly number[];
}

/**
 * The images of `data` as a batch (views, not copies). Seeds count from `firstSeed` (default: the split index of the
 * first image, `data.offset`, so an image keeps its seed however the split is sliced).
 */
export function datasetBatch(data: Pick<LoadedDataset, 'count' | 'offset' | 'image'>, firstSeed = data.offset): Batch {
  const images = Array.from({ length: data.count }, (_, i) => data.image(i));
  return { images, seeds: images.map((_, i) => firstSeed + i) };
}

/**
 * `count` random images of `pixels` pixels (about a third zero; image i from randomPixels(firstPixelSeed + i)) with
 * jitter seeds `firstSeed + i`, for programs and designs without a dataset.
 */
export function randomBatch(pixels: number, count: number, firstSeed = 1, firstPixelSeed = firstSeed): Batch {
  const images = Array.from({ length: count }, (_, i) => randomPixels(firstPixelSeed + i, pixels));
  return { images, seeds: images.map((_, i) => firstSeed + i) };
}

/**
 * `count` random samples for `program`: randomBatch's images, or for an events program T sparse frames of counts
 * within the input type (sample i from randomCounts(firstPixelSeed + i)); jitter seeds `firstSeed + i`.
 */
export function randomProgramBatch(program: Program, count: number, firstSeed = 1, firstPixelSeed = firstSeed): Batch {
  const length = sampleLength(program.encoder, program.input.shape, program.timesteps);
  if (program.encoder.kind !== 'events') return randomBatch(length, count, firstSeed, firstPixelSeed);
  const max = maxOf(program.input.type);
  const images = Array.from({ length: count }, (_, i) => randomCounts(firstPixelSeed + i, length, max));
  return { images, seeds: images.map((_, i) => firstSeed + i) };
}

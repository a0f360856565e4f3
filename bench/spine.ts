/** @fileoverview Benchmark rows of the spine: compile time and golden-runtime speed on the shipped example. */
import { compileModelDir } from '../compiler/compile-model-dir.ts';
import { loadDataset } from '../data/load.ts';
import { datasetBatch } from '../runtime/batch.ts';
import { runGolden } from '../runtime/golden.ts';
import { runSnnFloat } from '../runtime/float-reference.ts';
import type { BenchRow } from './row.ts';

export async function benchSpine(modelDir: string, images: number): Promise<BenchRow[]> {
  const start = performance.now();
  const { model, program } = await compileModelDir(modelDir);
  const ms = performance.now() - start;
  const batch = datasetBatch(loadDataset('mnist', 'test', { limit: images }));
  const time = (fn: (image: Uint8Array, seed: number) => void): number => {
    const begin = performance.now();
    batch.images.forEach((image, i) => fn(image, batch.seeds[i]!));
    return batch.images.length / ((performance.now() - begin) / 1000);
  };
  const golden = time((image, seed) => runGolden(program, image, seed));
  const float = time((image, seed) => runSnnFloat(model, image, seed));
  return [
    { what: 'compile (read, 512 calibration images, lowering)', figure: `${(ms / 1000).toFixed(2)} s`, detail: `${modelDir}, compileModelDir as \`snnc compile\` does` },
    { what: `golden runtime, T=${program.timesteps}`, figure: `${golden.toFixed(0)} images/s`, detail: `${batch.images.length} MNIST test images, one thread` },
    { what: `float reference, T=${program.timesteps}`, figure: `${float.toFixed(0)} images/s`, detail: `${batch.images.length} MNIST test images, one thread` },
  ];
}

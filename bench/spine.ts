/** @fileoverview Benchmark rows of the spine: compile time and golden-runtime speed on the shipped example. */
import { compileModelDir } from '../compiler/compile-model-dir.ts';
import { loadDataset } from '../data/load.ts';
import { datasetBatch } from '../runtime/batch.ts';
import { runGolden } from '../runtime/golden.ts';
import { runSnnFloat } from '../runtime/float-reference.ts';
import { recordThroughput, type BenchRow } from './row.ts';

export async function benchSpine(modelDir: string, images: number): Promise<BenchRow[]> {
  const start = performance.now();
  const { model, program } = await compileModelDir(modelDir);
  const ms = performance.now() - start;
  const batch = datasetBatch(loadDataset('mnist', 'test', { limit: images }));
  /** Images per wall second of `fn` over the batch on this thread, recorded as `target`'s throughput. */
  const time = (target: string, fn: (image: Uint8Array, seed: number) => void): number => {
    const cpuStart = process.cpuUsage();
    const begin = performance.now();
    batch.images.forEach((image, i) => fn(image, batch.seeds[i]!));
    const wallSeconds = (performance.now() - begin) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    recordThroughput({ target, timesteps: program.timesteps, threads: 1, images: batch.images.length, wallSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, detail: 'bench/spine.ts, one image at a time on the main thread' });
    return batch.images.length / wallSeconds;
  };
  const golden = time('golden', (image, seed) => runGolden(program, image, seed));
  const float = time('float reference (float64)', (image, seed) => runSnnFloat(model, image, seed));
  return [
    { what: 'compile (read, 512 calibration images, lowering)', figure: `${(ms / 1000).toFixed(2)} s`, detail: `${modelDir}, compileModelDir as \`snnc compile\` does` },
    { what: `golden runtime, T=${program.timesteps}`, figure: `${golden.toFixed(0)} images/s`, detail: `${batch.images.length} MNIST test images, one thread` },
    { what: `float reference, T=${program.timesteps}`, figure: `${float.toFixed(0)} images/s`, detail: `${batch.images.length} MNIST test images, one thread` },
  ];
}

/** @fileoverview The images (or event samples) a command runs on: a dataset's split with seeds SEED + i, or random ones. */
import type { Program } from '../ir/program.ts';
import { datasetBatch, randomProgramBatch, type Batch } from '../runtime/batch.ts';
import { isSampleDataset, programSamples } from '../runtime/program-samples.ts';

/** The dataset a program was calibrated on (its first word), else random. */
export function datasetOf(program: Program): string {
  return program.quantization.calibration.dataset.split(' ')[0] ?? 'random';
}

export async function loadBatch(program: Program, source: string, split: 'train' | 'test', samples: number, seed: number): Promise<Batch & { source: string }> {
  if (source === 'random' || !isSampleDataset(source)) {
    const what = program.encoder.kind === 'events' ? 'event counts' : 'pixels';
    return { ...randomProgramBatch(program, samples, seed), source: `random (${what} of sample i from seed ${seed} + i)` };
  }
  const data = await programSamples(program, source, split, { limit: samples });
  const what = program.encoder.kind === 'events' ? `samples #0..#${data.count - 1} binned by the program (${data.dropped ?? 0} events outside the window)` : `images #0..#${data.count - 1}`;
  return { ...datasetBatch(data, seed), source: `${source} ${split} ${what}` };
}

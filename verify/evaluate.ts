/** @fileoverview Float vs fixed-point evaluation over a dataset; the jitter seed of image i is its index in the split. */
import type { Program } from '../ir/program.ts';
import type { SnnModel } from '../model/format.ts';
import { runSnnFloat } from '../runtime/float-reference.ts';
import { runGolden } from '../runtime/golden.ts';
import { datasetBatch } from '../runtime/batch.ts';
import type { ProgramSamples } from '../runtime/program-samples.ts';

export interface EvalResult {
  readonly images: number;
  readonly floatCorrect: number;
  readonly fixedCorrect: number;
  readonly agree: number;
  readonly fixedImagesPerSecond: number;
}

export function evaluate(model: SnnModel, program: Program, data: ProgramSamples, onProgress?: (done: number) => void): EvalResult {
  let floatCorrect = 0;
  let fixedCorrect = 0;
  let agree = 0;
  let fixedMs = 0;
  const timesteps = program.timesteps;
  const floatModel = { ...model, timesteps };
  const { images, seeds } = datasetBatch(data);
  for (let i = 0; i < data.count; i++) {
    const pixels = images[i]!;
    const seed = seeds[i]!;
    const label = data.labels[i];
    const f = runSnnFloat(floatModel, pixels, seed).label;
    const start = performance.now();
    const q = runGolden(program, pixels, seed).label;
    fixedMs += performance.now() - start;
    if (f === label) floatCorrect++;
    if (q === label) fixedCorrect++;
    if (f === q) agree++;
    onProgress?.(i + 1);
  }
  return { images: data.count, floatCorrect, fixedCorrect, agree, fixedImagesPerSecond: data.count / Math.max(fixedMs / 1000, 1e-9) };
}

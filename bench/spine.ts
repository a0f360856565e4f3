/** @fileoverview Benchmark rows of the spine: compile time and golden-runtime speed on the shipped example. */
import { calibrationSet, lowerModel, modelSha256, requireSnn } from '../compiler/lower.ts';
import { readModel } from '../model/read-model.ts';
import type { Program } from '../ir/program.ts';
import { runGolden } from '../runtime/golden.ts';
import { runSnnFloat } from '../runtime/float-reference.ts';
import { loadDataset } from '../data/load.ts';
import type { BenchRow } from './row.ts';

export async function compileExample(modelDir: string): Promise<{ program: Program; ms: number }> {
  const model = requireSnn(readModel(modelDir), modelDir);
  const calibration = await calibrationSet(model, 512);
  const start = performance.now();
  const program = lowerModel({ model, sourceSha256: modelSha256(modelDir), calibration });
  return { program, ms: performance.now() - start };
}

export async function benchSpine(modelDir: string, images: number): Promise<BenchRow[]> {
  const { program, ms } = await compileExample(modelDir);
  const model = requireSnn(readModel(modelDir), modelDir);
  const data = loadDataset('mnist', 'test', { limit: images });
  const time = (fn: (i: number) => void): number => {
    const start = performance.now();
    for (let i = 0; i < data.count; i++) fn(i);
    return data.count / ((performance.now() - start) / 1000);
  };
  const golden = time((i) => runGolden(program, data.image(i), i));
  const float = time((i) => runSnnFloat(model, data.image(i), i));
  return [
    { what: 'compile (lowering, 512 calibration images)', figure: `${(ms / 1000).toFixed(2)} s`, detail: modelDir },
    { what: `golden runtime, T=${program.timesteps}`, figure: `${golden.toFixed(0)} images/s`, detail: `${data.count} MNIST test images, one thread` },
    { what: `float reference, T=${program.timesteps}`, figure: `${float.toFixed(0)} images/s`, detail: `${data.count} MNIST test images, one thread` },
  ];
}

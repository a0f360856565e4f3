/**
 * @fileoverview Benchmark of the ts target: images/s of a generated model.ts on one thread against the golden
 * interpreter, at T=128 and at the example's default T. bench/run.ts calls `benchTsExample`; run this file alone for
 * the figures: `npx tsx bench/ts-target.ts [images]`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Program } from '../ir/program.ts';
import { compileModel, compileModelDir } from '../compiler/compile-model-dir.ts';
import { loadDataset } from '../data/load.ts';
import { datasetBatch } from '../runtime/batch.ts';
import { runGolden } from '../runtime/golden.ts';
import { target } from '../targets/ts/index.ts';
import { loadModel } from '../targets/ts/run.ts';
import { recordThroughput, type BenchRow } from './row.ts';


export interface TsBenchOptions {
  /** Images for the golden interpreter, which is much slower (default: min(images, 50)). */
  readonly goldenImages?: number;
  /** Timed passes of the generated model over the images; the best counts (default 3). */
  readonly passes?: number;
  /** What the program is, for the rows (default: its name). */
  readonly label?: string;
}

/** Images per wall-clock second, and per second of CPU time (what an idle core would give on a busy machine). */
interface Rate {
  readonly wall: number;
  readonly cpu: number;
}

/**
 * Images per second of `infer` over every image (seed = image index), after a warm-up on a few images: the best of
 * `passes` passes, since on a shared machine the best pass is the one least slowed by other processes.
 */
function imagesPerSecond(infer: (image: Uint8Array, seed: number) => unknown, images: readonly Uint8Array[], passes: number): Rate {
  for (let n = 0; n < Math.min(20, images.length); n++) infer(images[n]!, n);
  let wall = 0;
  let cpu = 0;
  for (let pass = 0; pass < passes; pass++) {
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    images.forEach((image, n) => infer(image, n));
    const used = process.cpuUsage(cpuStart);
    wall = Math.max(wall, images.length / (Number(process.hrtime.bigint() - start) / 1e9));
    cpu = Math.max(cpu, images.length / ((used.user + used.system) / 1e6));
  }
  return { wall, cpu };
}

const rate = (r: number): string => `${r.toFixed(0)} images/s`;

/**
 * Emits `program` with the ts target and measures images/s of the generated module and of the golden interpreter,
 * both on this thread. It first checks that both give the same scores on the golden subset: a wrong fast model is no
 * benchmark.
 */
export async function benchTsTarget(program: Program, images: readonly Uint8Array[], options: TsBenchOptions = {}): Promise<BenchRow[]> {
  const label = options.label ?? program.name;
  const dir = mkdtempSync(join(tmpdir(), 'snnc-ts-bench-'));
  try {
    for (const file of await target.emit(program, {})) writeFileSync(join(dir, file.path), file.contents);
    const model = await loadModel(dir, program);
    const goldenSet = images.slice(0, options.goldenImages ?? Math.min(images.length, 50));
    goldenSet.forEach((image, n) => {
      const want = runGolden(program, image, n).scores;
      if (model.infer(image, n).scores.some((s, k) => s !== want[k])) throw new Error(`${label}: the generated model differs from golden on image ${n}`);
    });
    const passes = options.passes ?? 3;
    const fast = imagesPerSecond((image, seed) => model.infer(image, seed), images, passes);
    recordThroughput({ target: 'ts', timesteps: program.timesteps, threads: 1, images: images.length, wallSeconds: images.length / fast.wall, cpuSeconds: images.length / fast.cpu, detail: `bench/ts-target.ts, best of ${passes} passes` });
    const slow = imagesPerSecond((image, seed) => runGolden(program, image, seed), goldenSet, 1);
    const t = `T=${program.timesteps}`;
    const rows: BenchRow[] = [
      { what: `ts target, ${t}`, figure: rate(fast.wall), detail: `${label}; generated model.ts, one thread, ${images.length} MNIST test images, best of ${passes} passes` },
      { what: `ts target, ${t}, per CPU second`, figure: rate(fast.cpu), detail: 'the same per second of CPU time (robust to other load on the machine)' },
      { what: `golden interpreter, ${t}`, figure: rate(slow.wall), detail: `${label}; runtime/golden.ts, one thread, ${goldenSet.length} images` },
      { what: `ts target speedup, ${t}`, figure: `${(fast.cpu / slow.cpu).toFixed(1)}x`, detail: 'over the golden interpreter, CPU time' },
    ];
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The ts target's rows for `npm run bench`: the example compiled as `snnc compile` does, at its default T and at T=128
 * (set on the float model before lowering), on `imageCount` MNIST test images.
 */
export async function benchTsExample(modelDir: string, imageCount: number): Promise<BenchRow[]> {
  const { images } = datasetBatch(loadDataset('mnist', 'test', { limit: imageCount }));
  const base = await compileModelDir(modelDir);
  const programs: [Program, string][] = [[base.program, `${modelDir} (default T)`]];
  if (base.program.timesteps !== 128) programs.push([(await compileModel({ ...base.model, timesteps: 128 }, modelDir, base.sourceSha256)).program, modelDir]);
  const rows: BenchRow[] = [];
  for (const [program, label] of programs) rows.push(...(await benchTsTarget(program, images, { label, goldenImages: 20 })));
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await benchTsExample(process.env.SNNC_BENCH_MODEL ?? 'examples/mnist-snn', Number(process.argv[2] ?? 1000));
  for (const row of rows) console.log(`${row.what.padEnd(40)} ${row.figure.padStart(16)}  ${row.detail}`);
}

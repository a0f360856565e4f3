/**
 * @fileoverview Benchmark of the ts target: images/s of a generated model.ts on one thread against the golden
 * interpreter (runtime/golden.ts, the definition) and its compiled form (runtime/golden-fast.ts, what verify and the
 * fuzzer run; one thread, and a batch as verify runs it), at T=128 and at the example's default T. bench/run.ts calls
 * `benchTsExample`; run this file alone for the figures: `npx tsx bench/ts-target.ts [images]`.
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
import { defaultThreads, runGoldenBatch } from '../runtime/golden-batch.ts';
import { compileGolden } from '../runtime/golden-fast.ts';
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
  /** The pass with the best wall rate: its images and seconds, for recordThroughput. */
  readonly images: number;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
}

/** The rate of one timed pass of `images` images (CPU time is the whole process's, worker threads included). */
function rateOf(images: number, wallSeconds: number, cpuSeconds: number): Rate {
  return { wall: images / wallSeconds, cpu: images / cpuSeconds, images, wallSeconds, cpuSeconds };
}

async function timed(images: number, work: () => unknown): Promise<Rate> {
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  await work();
  const used = process.cpuUsage(cpuStart);
  return rateOf(images, Number(process.hrtime.bigint() - start) / 1e9, (used.user + used.system) / 1e6);
}

/**
 * Images per second of `infer` over every image (seed = image index), after a warm-up on a few images: the best of
 * `passes` passes, since on a shared machine the best pass is the one least slowed by other processes.
 */
async function imagesPerSecond(infer: (image: Uint8Array, seed: number) => unknown, images: readonly Uint8Array[], passes: number): Promise<Rate> {
  for (let n = 0; n < Math.min(20, images.length); n++) infer(images[n]!, n);
  let best: Rate | undefined;
  let cpu = 0;
  for (let pass = 0; pass < passes; pass++) {
    const r = await timed(images.length, () => images.forEach((image, n) => infer(image, n)));
    if (!best || r.wall > best.wall) best = r;
    cpu = Math.max(cpu, r.cpu);
  }
  return { ...best!, cpu };
}

const rate = (r: number): string => `${r.toFixed(0)} images/s`;

/**
 * Emits `program` with the ts target and measures images/s of the generated module, the golden interpreter and the
 * fast golden on this thread, and the fast golden's batch as verify runs it. It first checks that all give the
 * same scores on the golden subset: a wrong fast model is no benchmark.
 */
export async function benchTsTarget(program: Program, images: readonly Uint8Array[], options: TsBenchOptions = {}): Promise<BenchRow[]> {
  const label = options.label ?? program.name;
  const dir = mkdtempSync(join(tmpdir(), 'snnc-ts-bench-'));
  try {
    for (const file of await target.emit(program, {})) writeFileSync(join(dir, file.path), file.contents);
    const model = await loadModel(dir, program);
    const goldenSet = images.slice(0, options.goldenImages ?? Math.min(images.length, 50));
    const compiled = compileGolden(program);
    goldenSet.forEach((image, n) => {
      const want = runGolden(program, image, n).scores;
      if (model.infer(image, n).scores.some((s, k) => s !== want[k])) throw new Error(`${label}: the generated model differs from golden on image ${n}`);
      if (compiled.run(image, n).scores.some((s, k) => s !== want[k])) throw new Error(`${label}: the fast golden differs from golden on image ${n}`);
    });
    const passes = options.passes ?? 3;
    const fast = await imagesPerSecond((image, seed) => model.infer(image, seed), images, passes);
    const slow = await imagesPerSecond((image, seed) => runGolden(program, image, seed), goldenSet, 1);
    const goldenFast = await imagesPerSecond((image, seed) => compiled.run(image, seed), images, passes);
    // As verify runs it: on worker threads when the batch pays for their start-up (which then counts), seeds = indices.
    const batch = { images, seeds: images.map((_, n) => n) };
    const threads = defaultThreads(program, images.length, 'fast');
    const goldenBatch = await timed(images.length, () => runGoldenBatch(program, batch, { evaluator: 'fast' }));
    const t = `T=${program.timesteps}`;
    const timesteps = program.timesteps;
    recordThroughput({ target: 'ts', timesteps, threads: 1, images: fast.images, wallSeconds: fast.wallSeconds, cpuSeconds: fast.cpuSeconds, detail: 'generated model.ts, best pass' });
    recordThroughput({ target: 'golden (fast)', timesteps, threads: 1, images: goldenFast.images, wallSeconds: goldenFast.wallSeconds, cpuSeconds: goldenFast.cpuSeconds, detail: 'runtime/golden-fast.ts, best pass' });
    recordThroughput({ target: 'golden (fast)', timesteps, threads, images: goldenBatch.images, wallSeconds: goldenBatch.wallSeconds, cpuSeconds: goldenBatch.cpuSeconds, detail: 'runGoldenBatch as snnc verify calls it, thread start-up included' });
    recordThroughput({ target: 'golden (definition)', timesteps, threads: 1, images: slow.images, wallSeconds: slow.wallSeconds, cpuSeconds: slow.cpuSeconds, detail: 'runtime/golden.ts' });
    const rows: BenchRow[] = [
      { what: `ts target, ${t}`, figure: rate(fast.wall), detail: `${label}; generated model.ts, one thread, ${images.length} MNIST test images, best of ${passes} passes` },
      { what: `ts target, ${t}, per CPU second`, figure: rate(fast.cpu), detail: 'the same per second of CPU time (robust to other load on the machine)' },
      { what: `golden interpreter, ${t}`, figure: rate(slow.wall), detail: `${label}; runtime/golden.ts, one thread, ${goldenSet.length} images` },
      { what: `ts target speedup, ${t}`, figure: `${(fast.cpu / slow.cpu).toFixed(1)}x`, detail: 'over the golden interpreter, CPU time' },
      { what: `fast golden, ${t}`, figure: rate(goldenFast.wall), detail: `${label}; runtime/golden-fast.ts, one thread, ${images.length} images, best of ${passes} passes` },
      { what: `fast golden, ${t}, per CPU second`, figure: rate(goldenFast.cpu), detail: `${(goldenFast.cpu / slow.cpu).toFixed(1)}x the golden interpreter, CPU time` },
      { what: `fast golden batch, ${t}`, figure: rate(goldenBatch.wall), detail: `runGoldenBatch as snnc verify calls it: ${threads > 1 ? `${threads} worker threads, their start-up included` : 'this thread (too few images to pay for workers)'}, ${images.length} images; ${rate(goldenBatch.cpu)} per CPU second` },
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

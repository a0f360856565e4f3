/**
 * @fileoverview Benchmark of the onnx target: ONNX Runtime images/s (CPU, one intra-op thread, batches of 64) next to
 * the golden runtime, exact agreement over the MNIST test set, and the speed per batch size (1 to 1000 images per
 * session run) at T=8 and T=128 on one and two intra-op threads, with the operator choice (targets/onnx/plan.ts).
 * `benchOnnxTarget` is called by bench/run.ts; alone: `npx tsx bench/onnx-target.ts [images] [agreement-images]`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Program } from '../ir/program.ts';
import { compileModel, compileModelDir, type CompiledModel } from '../compiler/compile-model-dir.ts';
import { loadDataset } from '../data/load.ts';
import { datasetBatch } from '../runtime/batch.ts';
import { runGolden } from '../runtime/golden.ts';
import { runGoldenBatch } from '../runtime/golden-batch.ts';
import type { Batch } from '../runtime/batch.ts';
import { emitOnnxModels, MODEL_FILE } from '../targets/onnx/emit.ts';
import { describePlan, planOnnx } from '../targets/onnx/plan.ts';
import { OnnxModelSession } from '../targets/onnx/run.ts';
import { recordThroughput, type BenchRow } from './row.ts';

const MNIST_TEST_IMAGES = 10000;
/** Images per session run of the batch-size rows. */
const BATCH_SIZES = [1, 16, 64, 256, 1000] as const;
const TIMESTEPS = [8, 128] as const;
const THREADS = [1, 2] as const;
/** A batch-size row runs whole batches until this much CPU time has passed (at least one batch after the warm-up). */
const MIN_CPU_SECONDS = 1;
/** The golden interpreter is slow; its speed is measured on at most this many images. */
const GOLDEN_SPEED_IMAGES = 200;

function mnistBatch(count: number): Batch {
  return datasetBatch(loadDataset('mnist', 'test', { limit: count }));
}

/** Images/s of the emitted model over `batch`, after a warm-up run. */
async function onnxSpeed(program: Program, batch: Batch, unroll: boolean): Promise<{ perSecond: number; bytes: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'snnc-onnx-bench-'));
  try {
    const [model] = emitOnnxModels(program, { unroll });
    writeFileSync(join(dir, MODEL_FILE), model!.contents);
    const session = await OnnxModelSession.open(join(dir, MODEL_FILE), program.input.shape, { threads: 1, chunk: 64 });
    await session.run({ images: batch.images.slice(0, 64), seeds: batch.seeds.slice(0, 64) });
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    await session.run(batch);
    const perSecond = batch.images.length / ((performance.now() - start) / 1000);
    const cpu = process.cpuUsage(cpuStart);
    recordThroughput({ target: 'onnx', timesteps: program.timesteps, threads: 1, images: batch.images.length, wallSeconds: batch.images.length / perSecond, cpuSeconds: (cpu.user + cpu.system) / 1e6, detail: `bench/onnx-target.ts, ${unroll ? 'unrolled' : 'Loop'}, batches of 64` });
    await session.close();
    return { perSecond, bytes: model!.contents.length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Measured {
  readonly images: number;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
}

/** Runs `batch` (images per session run: `size`) until MIN_CPU_SECONDS of CPU time, after one warm-up run. */
async function measureBatches(file: string, program: Program, batch: Batch, size: number, threads: number): Promise<Measured> {
  const session = await OnnxModelSession.open(file, program.input.shape, { threads, chunk: size });
  try {
    const at = (k: number): Batch => {
      const start = (k * size) % Math.max(1, batch.images.length - size + 1);
      return { images: batch.images.slice(start, start + size), seeds: batch.seeds.slice(start, start + size) };
    };
    await session.run(at(0));
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    let images = 0;
    for (let k = 1; images === 0 || cpuSince(cpu0) < MIN_CPU_SECONDS; k++) images += (await session.run(at(k))).labels.length;
    return { images, wallSeconds: (performance.now() - wall0) / 1000, cpuSeconds: cpuSince(cpu0) };
  } finally {
    await session.close();
  }
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/** One row and one recorded throughput per (T, threads, batch size), with the operator choice of each T. */
async function batchSizeRows(compiled: CompiledModel, modelDir: string, batch: Batch): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'snnc-onnx-bench-'));
  try {
    for (const timesteps of TIMESTEPS) {
      const program = compiled.program.timesteps === timesteps ? compiled.program
        : (await compileModel({ ...compiled.model, timesteps }, modelDir, compiled.sourceSha256)).program;
      const file = join(dir, `model-t${timesteps}.onnx`);
      writeFileSync(file, emitOnnxModels(program, {})[0]!.contents);
      rows.push({ what: `onnx target operators, T=${timesteps}`, figure: `blocks of ${planOnnx(program).block}`, detail: describePlan(program, planOnnx(program)) });
      for (const threads of THREADS) {
        for (const size of BATCH_SIZES) {
          const m = await measureBatches(file, program, batch, size, threads);
          const detail = `batch ${size}, onnxruntime-node CPU, intraOpNumThreads ${threads}`;
          recordThroughput({ target: 'onnx', timesteps, threads, images: m.images, wallSeconds: m.wallSeconds, cpuSeconds: m.cpuSeconds, detail });
          rows.push({
            what: `onnx target, T=${timesteps}, batch ${size}, ${threads} thread${threads > 1 ? 's' : ''}`,
            figure: `${(m.images / m.wallSeconds).toFixed(0)} images/s`,
            detail: `${(m.images / m.cpuSeconds).toFixed(0)} images per CPU-second; ${m.images} MNIST test images in runs of ${size}`,
          });
        }
      }
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** How many of `batch`'s images get identical scores and labels from ONNX Runtime and the golden runtime. */
async function agreement(program: Program, batch: Batch): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'snnc-onnx-bench-'));
  try {
    writeFileSync(join(dir, MODEL_FILE), emitOnnxModels(program, {})[0]!.contents);
    const session = await OnnxModelSession.open(join(dir, MODEL_FILE), program.input.shape, { threads: 1, chunk: 64 });
    const actual = await session.run(batch);
    await session.close();
    const golden = await runGoldenBatch(program, batch);
    return golden.scores.filter((s, i) => actual.labels[i] === golden.labels[i] && s.every((v, k) => v === actual.scores[i]![k])).length;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Rows for bench/run.ts: ONNX Runtime and golden images/s on `images` MNIST test images, and agreement on
 * `agreementImages` (default: all 10,000), for the example at `modelDir`.
 */
export async function benchOnnxTarget(modelDir: string, images: number, agreementImages = MNIST_TEST_IMAGES): Promise<BenchRow[]> {
  const compiled = await compileModelDir(modelDir);
  const program = compiled.program;
  const what = `${modelDir}, T=${program.timesteps}`;
  const batch = mnistBatch(images);
  const loop = await onnxSpeed(program, batch, false);
  const unrolled = await onnxSpeed(program, batch, true);
  const goldenSet = batch.images.slice(0, GOLDEN_SPEED_IMAGES);
  const start = performance.now();
  goldenSet.forEach((image, i) => runGolden(program, image, i));
  const golden = goldenSet.length / ((performance.now() - start) / 1000);
  const agreeBatch = mnistBatch(agreementImages);
  const agreed = await agreement(program, agreeBatch);
  const perBatchSize = await batchSizeRows(compiled, modelDir, batch);
  return [
    { what: `onnx target (Loop), ${what}`, figure: `${loop.perSecond.toFixed(0)} images/s`, detail: `onnxruntime-node CPU, 1 thread, batches of 64, ${batch.images.length} MNIST test images; model.onnx ${(loop.bytes / 1024).toFixed(0)} KiB` },
    { what: `onnx target (unrolled), ${what}`, figure: `${unrolled.perSecond.toFixed(0)} images/s`, detail: `same, timesteps unrolled; ${(unrolled.bytes / 1024).toFixed(0)} KiB` },
    { what: `golden runtime, ${what}`, figure: `${golden.toFixed(0)} images/s`, detail: `runtime/golden.ts, one thread, ${goldenSet.length} images; onnx is ${(loop.perSecond / golden).toFixed(1)}x` },
    { what: `onnx target agreement with golden, ${what}`, figure: `${agreed}/${agreeBatch.images.length}`, detail: 'images with identical integer scores and label (seed = image index)' },
    ...perBatchSize,
  ];
}

async function main(): Promise<void> {
  const images = Number(process.argv[2] ?? 2000);
  const agreementImages = Number(process.argv[3] ?? MNIST_TEST_IMAGES);
  for (const row of await benchOnnxTarget(process.env.SNNC_BENCH_MODEL ?? 'examples/mnist-snn', images, agreementImages)) console.log(`${row.what} | ${row.figure} | ${row.detail}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();

/**
 * @fileoverview Benchmark of the onnx target: ONNX Runtime images/s (CPU, one intra-op thread, batches of 64) next to
 * the golden runtime, and exact agreement over the MNIST test set. `benchOnnxTarget` is called by bench/run.ts; alone:
 * `npx tsx bench/onnx-target.ts [images] [agreement-images]`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Program } from '../ir/program.ts';
import { compileModelDir } from '../compiler/compile-model-dir.ts';
import { loadDataset } from '../data/load.ts';
import { datasetBatch } from '../runtime/batch.ts';
import { runGolden } from '../runtime/golden.ts';
import { runGoldenBatch } from '../runtime/golden-batch.ts';
import type { Batch } from '../runtime/batch.ts';
import { emitOnnxModels, MODEL_FILE } from '../targets/onnx/emit.ts';
import { OnnxModelSession } from '../targets/onnx/run.ts';
import { recordThroughput, type BenchRow } from './row.ts';

const MNIST_TEST_IMAGES = 10000;
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
  const { program } = await compileModelDir(modelDir);
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
  return [
    { what: `onnx target (Loop), ${what}`, figure: `${loop.perSecond.toFixed(0)} images/s`, detail: `onnxruntime-node CPU, 1 thread, batches of 64, ${batch.images.length} MNIST test images; model.onnx ${(loop.bytes / 1024).toFixed(0)} KiB` },
    { what: `onnx target (unrolled), ${what}`, figure: `${unrolled.perSecond.toFixed(0)} images/s`, detail: `same, timesteps unrolled; ${(unrolled.bytes / 1024).toFixed(0)} KiB` },
    { what: `golden runtime, ${what}`, figure: `${golden.toFixed(0)} images/s`, detail: `runtime/golden.ts, one thread, ${goldenSet.length} images; onnx is ${(loop.perSecond / golden).toFixed(1)}x` },
    { what: `onnx target agreement with golden, ${what}`, figure: `${agreed}/${agreeBatch.images.length}`, detail: 'images with identical integer scores and label (seed = image index)' },
  ];
}

async function main(): Promise<void> {
  const images = Number(process.argv[2] ?? 2000);
  const agreementImages = Number(process.argv[3] ?? MNIST_TEST_IMAGES);
  for (const row of await benchOnnxTarget(process.env.SNNC_BENCH_MODEL ?? 'examples/mnist-snn', images, agreementImages)) console.log(`${row.what} | ${row.figure} | ${row.detail}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();

/** @fileoverview The golden runtime over a batch, split across worker threads (one per core). */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Program } from '../ir/program.ts';
import type { Batch, BatchResult } from './batch.ts';
import { runGolden } from './golden.ts';

/** Below this many images, threads cost more than they save. */
const MIN_IMAGES_PER_THREAD = 32;

function runInline(program: Program, batch: Batch): BatchResult {
  const results = batch.images.map((image, i) => runGolden(program, image, batch.seeds[i]!));
  return { scores: results.map((r) => r.scores), labels: results.map((r) => r.label) };
}

function runWorker(program: Program, images: readonly Uint8Array[], seeds: readonly number[]): Promise<BatchResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./golden-worker.mjs', import.meta.url), { workerData: { program, images, seeds } });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`golden worker exited with ${code}`)));
  });
}

export async function runGoldenBatch(program: Program, batch: Batch, threads = availableParallelism()): Promise<BatchResult> {
  const n = Math.min(threads, Math.floor(batch.images.length / MIN_IMAGES_PER_THREAD));
  if (n <= 1) return runInline(program, batch);
  const size = Math.ceil(batch.images.length / n);
  const parts = await Promise.all(
    Array.from({ length: n }, (_, k) => runWorker(program, batch.images.slice(k * size, (k + 1) * size), batch.seeds.slice(k * size, (k + 1) * size))),
  );
  return { scores: parts.flatMap((p) => p.scores), labels: parts.flatMap((p) => p.labels) };
}

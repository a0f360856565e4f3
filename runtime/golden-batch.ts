/**
 * @fileoverview The golden runtime over a batch, split across worker threads (one per core): the definition
 * (runtime/golden.ts) or its compiled form (runtime/golden-fast.ts, the same integers), which verify and the fuzzer use.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Program } from '../ir/program.ts';
import type { Batch, BatchResult } from './batch.ts';
import { runGolden } from './golden.ts';
import { compileGolden } from './golden-fast.ts';

/** `definition`: golden.ts as written; `fast`: golden-fast.ts (tested equal to it). */
export type GoldenEvaluator = 'definition' | 'fast';

export interface GoldenBatchOptions {
  /** Default `definition`. */
  readonly evaluator?: GoldenEvaluator;
  /** Worker threads (default: one per core); a small batch runs on this thread. */
  readonly threads?: number;
}

/** Below this many images per thread (definition; fast: 8x more), threads cost more than they save. */
const MIN_IMAGES_PER_THREAD = 32;

/** The batch on this thread. */
export function runGoldenInline(program: Program, batch: Batch, evaluator: GoldenEvaluator = 'definition'): BatchResult {
  const infer = evaluator === 'fast' ? compileGolden(program).run : (image: Uint8Array, seed: number) => runGolden(program, image, seed);
  const results = batch.images.map((image, i) => infer(image, batch.seeds[i]!));
  return { scores: results.map((r) => r.scores), labels: results.map((r) => r.label) };
}

function runWorker(program: Program, images: readonly Uint8Array[], seeds: readonly number[], evaluator: GoldenEvaluator): Promise<BatchResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./golden-worker.mjs', import.meta.url), { workerData: { program, images, seeds, evaluator } });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`golden worker exited with ${code}`)));
  });
}

export async function runGoldenBatch(program: Program, batch: Batch, options: GoldenBatchOptions = {}): Promise<BatchResult> {
  const evaluator = options.evaluator ?? 'definition';
  const perThread = MIN_IMAGES_PER_THREAD * (evaluator === 'fast' ? 8 : 1);
  const n = Math.min(options.threads ?? availableParallelism(), Math.floor(batch.images.length / perThread));
  if (n <= 1) return runGoldenInline(program, batch, evaluator);
  const size = Math.ceil(batch.images.length / n);
  const parts = await Promise.all(
    Array.from({ length: n }, (_, k) => runWorker(program, batch.images.slice(k * size, (k + 1) * size), batch.seeds.slice(k * size, (k + 1) * size), evaluator)),
  );
  return { scores: parts.flatMap((p) => p.scores), labels: parts.flatMap((p) => p.labels) };
}

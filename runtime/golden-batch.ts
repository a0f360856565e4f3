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
  /** Worker threads; 1 runs on this thread. Default: up to one per core, as many as the batch pays for (below). */
  readonly threads?: number;
}

/**
 * Work a thread must get to pay for its start-up (loading the runtime through tsx, ~0.5-1 s of CPU), in synaptic
 * operations counted densely (`denseOperations`): about 30 MNIST images for the definition, 6,000 for the fast form.
 */
const MIN_WORK_PER_THREAD: Readonly<Record<GoldenEvaluator, number>> = { definition: 2e7, fast: 4e9 };

/** Multiply-adds of one inference if every input were nonzero: T x (dense weights + conv taps + pool taps). */
export function denseOperations(program: Program): number {
  const perStep = program.layers.reduce((sum, op) => {
    if (op.kind === 'spiking') return sum + (op.synapse === 'dense' ? op.weights.length : op.units);
    const [channels, height, width] = op.outShape;
    return sum + channels * height * width * op.kernel ** 2 * (op.kind === 'conv' ? op.inShape[0] : 1);
  }, 0);
  return program.timesteps * perStep;
}

/** Worker threads runGoldenBatch starts by default: up to one per core, as many as the batch pays for (1: none). */
export function defaultThreads(program: Program, images: number, evaluator: GoldenEvaluator): number {
  const paidFor = Math.floor((denseOperations(program) * images) / MIN_WORK_PER_THREAD[evaluator]);
  return Math.max(1, Math.min(availableParallelism(), paidFor));
}

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
  const n = Math.min(options.threads ?? defaultThreads(program, batch.images.length, evaluator), batch.images.length);
  if (n <= 1) return runGoldenInline(program, batch, evaluator);
  const size = Math.ceil(batch.images.length / n);
  const parts = await Promise.all(
    Array.from({ length: n }, (_, k) => runWorker(program, batch.images.slice(k * size, (k + 1) * size), batch.seeds.slice(k * size, (k + 1) * size), evaluator)),
  );
  return { scores: parts.flatMap((p) => p.scores), labels: parts.flatMap((p) => p.labels) };
}

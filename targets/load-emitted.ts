/**
 * @fileoverview Shared by the targets whose emitted files are code that snnc imports to run (ts, wasm): a fresh
 * import of an emitted module, and a batch run through its per-image `infer`.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { threadId } from 'node:worker_threads';
import { SnncError } from '../base/errors.ts';
import type { Batch, BatchResult } from '../runtime/batch.ts';
import type { InferResult } from '../runtime/trace.ts';

/**
 * Imports `file` as it is on disk now. Module caches key on the path (some loaders even ignore a query string), so
 * a file re-emitted at the same path would be served stale: a temporary copy named by its content's hash is imported
 * instead, which works for modules that import nothing relative to themselves.
 */
export async function importFresh(file: string): Promise<unknown> {
  const source = readFileSync(file);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 24);
  // named per thread too: worker threads share the pid, and one's removal must not race another's import
  const copy = join(tmpdir(), `snnc-${process.pid}-t${threadId}-${hash}-${basename(file)}`);
  writeFileSync(copy, source);
  try {
    return await import(pathToFileURL(copy).href);
  } finally {
    rmSync(copy, { force: true });
  }
}

/** Scores and labels of `infer` on every image of the batch, each with its seed. */
export function inferBatch(batch: Batch, infer: (image: Uint8Array, seed: number) => InferResult): BatchResult {
  if (batch.seeds.length !== batch.images.length) {
    throw new SnncError('usage', `batch has ${batch.images.length} images but ${batch.seeds.length} seeds`);
  }
  const results = batch.images.map((image, n) => infer(image, batch.seeds[n]!));
  return { scores: results.map((r) => r.scores), labels: results.map((r) => r.label) };
}

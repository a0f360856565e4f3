/**
 * @fileoverview `SNNC_CACHE_DIR=data snnc data fetch mnist` beside a user's own data/mnist/ (issue 19 item 3): fetch
 * replaces only a folder it wrote itself (marked by data/fetch.ts's DATASET_MARKER) and refuses anything else in one
 * line naming the folder, exit 2, leaving every file as it was; dataset files that are FIFOs are refused, not opened
 * blocking.
 */
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../support/cli.ts';
import { assertRefused, assertUnchanged, fifo, modelDir, removeScratch, scratch, snapshotTree } from './support/input-files.ts';

test.after.always(removeScratch);

/** `snnc ARGS` in process with SNNC_CACHE_DIR set (data/cache.ts reads it on every call). */
async function withCache(cache: string, ...argv: string[]): Promise<{ code: number; err: readonly string[] }> {
  const saved = process.env.SNNC_CACHE_DIR;
  process.env.SNNC_CACHE_DIR = cache;
  try {
    return await cli(...argv);
  } finally {
    if (saved === undefined) delete process.env.SNNC_CACHE_DIR;
    else process.env.SNNC_CACHE_DIR = saved;
  }
}

test.serial("a user's own data/mnist/ folder (with their README) is not replaced as corrupt", async (t) => {
  const root = scratch('fetch-user');
  const mine = join(root, 'data', 'mnist');
  mkdirSync(mine, { recursive: true });
  writeFileSync(join(mine, 'README.md'), '# my MNIST notes\n');
  writeFileSync(join(mine, 'train.csv'), 'label,pixels\n');
  const before = snapshotTree(root);
  const r = await withCache(join(root, 'data'), 'data', 'fetch', 'mnist');
  assertRefused(t, r, 2, [new RegExp(`${mine.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} exists and was not written by snnc data fetch \\(no \\.snnc-dataset file; `), /snnc will not replace it/]);
  assertUnchanged(t, root, before);
});

test.serial('a file where the dataset folder would go is not replaced either', async (t) => {
  const root = scratch('fetch-file');
  mkdirSync(join(root, 'data'));
  writeFileSync(join(root, 'data', 'mnist'), 'not a folder\n');
  const before = snapshotTree(root);
  const r = await withCache(join(root, 'data'), 'data', 'fetch', 'mnist');
  assertRefused(t, r, 2, [/data\/mnist exists and was not written by snnc data fetch/]);
  assertUnchanged(t, root, before);
});

test.serial('dataset files that are FIFOs in the cache are refused at once (no hang), exit 2', async (t) => {
  const root = scratch('cache-fifo');
  const model = modelDir(root);
  const mnist = join(root, 'data', 'mnist');
  mkdirSync(mnist, { recursive: true });
  for (const name of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) fifo(join(mnist, name));
  const before = snapshotTree(root);
  const r = await withCache(join(root, 'data'), 'run', model, '--index', '0');
  assertRefused(t, r, 2, [/data\/mnist\/t10k-(images|labels)-idx[13]-ubyte: not a regular file/]);
  assertUnchanged(t, root, before);
});

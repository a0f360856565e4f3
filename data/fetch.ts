/** @fileoverview `snnc data fetch`: puts a dataset in the cache, verified, atomically, and does nothing if it is there. */
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SnncError } from '../base/errors.ts';
import { cacheRoot, datasetDir } from './cache.ts';
import { DATASET_SHA256, hashFile } from './checksums.ts';
import { datasetFiles, type FetchableName } from './datasets.ts';
import { STAGERS, type Log } from './sources.ts';
import { processAlive } from '../base/fs-atomic.ts';

/*
 * Files are produced in a staging folder inside the cache root (so the final rename stays on one filesystem), checked
 * against the pinned sha256 digests, and only then renamed to the dataset's folder. A reader therefore sees either no
 * folder or a complete, verified one. Several fetches may race (parallel test files do): the first rename wins and the
 * others keep the winner's folder once it verifies. (base/fs-atomic.ts swaps unconditionally, which is right for
 * build outputs but would let racing fetches replace each other's good copy.)
 */

/** Every temporary folder is `.NAME.tmp-PID-…`, so one left by a killed fetch can be recognised and removed. */
function tempPrefix(name: FetchableName, kind: 'stage' | 'download' | 'old'): string {
  return `.${name}.tmp-${process.pid}-${kind}-`;
}
const TEMP_PID = /^\.([a-z0-9-]+)\.tmp-(\d+)-/;

/** Removes temporary folders of `name` whose fetch process is gone (a CIFAR-10 one holds ~300 MB). */
async function removeAbandoned(root: string, name: FetchableName): Promise<void> {
  for (const entry of await readdir(root)) {
    const m = TEMP_PID.exec(entry);
    if (m && m[1] === name && !processAlive(Number(m[2]))) await rm(join(root, entry), { recursive: true, force: true });
  }
}

/**
 * The file fetch writes into every dataset folder it makes. A folder without it was not made by snnc (SNNC_CACHE_DIR
 * may point at a user's own data/), so fetch never replaces it, however incomplete it looks.
 */
export const DATASET_MARKER = '.snnc-dataset';

function writtenBySnnc(dir: string): boolean {
  return existsSync(join(dir, DATASET_MARKER));
}

/** Refuses to replace `dir` unless fetch wrote it; `problems` says why it would have been replaced. */
function requireOwnFolder(name: FetchableName, dir: string, problems: readonly string[]): void {
  if (writtenBySnnc(dir)) return;
  throw new SnncError('data', `${dir} exists and was not written by snnc data fetch (no ${DATASET_MARKER} file; ${problems[0] ?? 'unverified'}); move it away or set SNNC_CACHE_DIR to another folder, snnc will not replace it`);
}

/** What is wrong with a dataset folder, one phrase per problem; empty when every file is present and verified. */
export async function datasetProblems(name: FetchableName, dir: string): Promise<string[]> {
  const problems: string[] = [];
  for (const f of datasetFiles(name)) {
    const file = join(dir, f);
    if (!existsSync(file)) {
      problems.push(`${f} is missing`);
      continue;
    }
    const expected = DATASET_SHA256[name][f];
    const actual = await hashFile(file, 'sha256');
    if (actual !== expected) problems.push(`${f} has sha256 ${actual}, expected ${expected}`);
  }
  return problems;
}

/** Renames the verified `staging` folder to `target`, unless a verified `target` appeared meanwhile. */
async function swapIn(name: FetchableName, root: string, staging: string, target: string, log: Log): Promise<void> {
  try {
    await rename(staging, target);
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR') throw e;
  }
  const problems = await datasetProblems(name, target);
  if (problems.length === 0) {
    log(`${name}: another fetch finished first; keeping its copy`);
    return;
  }
  requireOwnFolder(name, target, problems);
  const old = await mkdtemp(join(root, tempPrefix(name, 'old')));
  await rename(target, join(old, name));
  await rename(staging, target);
  await rm(old, { recursive: true, force: true });
}

/**
 * Makes sure `name` is in the cache, complete and verified, and returns its folder. A no-op (apart from re-hashing)
 * when it already is; a corrupt or partial folder is replaced.
 */
export async function fetchDataset(name: FetchableName, log: Log = () => {}): Promise<string> {
  const root = cacheRoot();
  const target = datasetDir(name);
  try {
    await mkdir(root, { recursive: true });
  } catch (e) {
    throw new SnncError('io', `cannot create the cache folder ${root} (${(e as NodeJS.ErrnoException).code})`);
  }
  await removeAbandoned(root, name);
  if (existsSync(target)) {
    const problems = await datasetProblems(name, target);
    if (problems.length === 0) {
      log(`${name}: already fetched and verified in ${target}`);
      return target;
    }
    requireOwnFolder(name, target, problems);
    log(`${name}: cached copy is incomplete or corrupt (${problems.join('; ')}); fetching again`);
  }
  // The emulated event set is made from MNIST, which must be there first.
  if (name === 'mnist-dvs-sim') await fetchDataset('mnist', log);
  const staging = await mkdtemp(join(root, tempPrefix(name, 'stage')));
  const scratch = await mkdtemp(join(root, tempPrefix(name, 'download')));
  try {
    await STAGERS[name](staging, scratch, log);
    const problems = await datasetProblems(name, staging);
    if (problems.length > 0) throw new SnncError('data', `${name}: fetched files failed verification: ${problems.join('; ')}`);
    await writeFile(join(staging, DATASET_MARKER), `written by snnc data fetch ${name}; snnc may replace this folder\n`);
    // mkdtemp makes folders private (0700); a dataset is public data, and a cache may be shared between users.
    await chmod(staging, 0o755);
    await swapIn(name, root, staging, target, log);
    log(`${name}: ${datasetFiles(name).length} files verified in ${target}`);
    return target;
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * @fileoverview `snnc data add nmnist|shd PATH`: puts event recordings the user downloaded into the cache. Never
 * downloads. Every sample is read and checked first (one-line error naming the file), then the cache folder is
 * written beside the cache root, given a `SHA256SUMS` manifest (the `sha256sum -c` format) and a marker, and renamed
 * into place, so a reader sees no folder or a complete one.
 *   nmnist: PATH holds Train/0..9/*.bin and Test/0..9/*.bin; they are packed (data/event-pack.ts), records unchanged.
 *   shd:    PATH holds shd_train.h5 and shd_test.h5 (or the published .h5.gz); they are copied (decompressed).
 */
import { createReadStream, createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { SnncError } from '../base/errors.ts';
import { cacheRoot, datasetDir } from './cache.ts';
import { hashFile } from './checksums.ts';
import { allPackedFiles, writePackedSplit } from './event-pack.ts';
import { DATASET_MARKER } from './fetch.ts';
import { decodeNmnist, listNmnistFolder } from './nmnist.ts';
import { readShdFile, SHD_FILES } from './shd.ts';

export const ADDABLE_NAMES = ['nmnist', 'shd'] as const;
export type AddableName = (typeof ADDABLE_NAMES)[number];

export function isAddableName(name: string): name is AddableName {
  return (ADDABLE_NAMES as readonly string[]).includes(name);
}

/** Where each recording is published (no download is attempted here). */
export const PUBLISHED: Readonly<Record<AddableName, string>> = {
  nmnist: 'N-MNIST: Orchard et al. 2015, https://www.garrickorchard.com/datasets/n-mnist (Train.zip, Test.zip, unzipped)',
  shd: 'SHD: Cramer et al. 2020, https://zenkelab.org/datasets (shd_train.h5.gz, shd_test.h5.gz)',
};

export const MANIFEST = 'SHA256SUMS';

type Log = (line: string) => void;

async function stageNmnist(source: string, staging: string, log: Log): Promise<void> {
  const splits = listNmnistFolder(source);
  for (const split of ['train', 'test'] as const) {
    const entries = splits[split];
    log(`nmnist: reading ${entries.length} ${split} samples`);
    const labels = Uint8Array.from(entries, (e) => e.label);
    writePackedSplit(staging, split, labels, (i) => {
      const bytes = readFileSync(entries[i]!.file);
      decodeNmnist(bytes, entries[i]!.file); // refuses a truncated or corrupt file before anything is kept
      return bytes;
    });
  }
}

/** The published file, or its .gz, in `source`; undefined when neither is there. */
function shdSource(source: string, file: string): string | undefined {
  return [join(source, file), join(source, `${file}.gz`)].find((f) => existsSync(f));
}

async function stageShd(source: string, staging: string, log: Log): Promise<void> {
  const found = Object.values(SHD_FILES).map((f) => [f, shdSource(source, f)] as const);
  const missing = found.filter(([, at]) => at === undefined).map(([f]) => f);
  if (missing.length > 0) throw new SnncError('data', `${source} is not an SHD folder: ${missing.join(' and ')} (or .h5.gz) missing`);
  for (const [file, at] of found) {
    const target = join(staging, file);
    log(`shd: ${at!.endsWith('.gz') ? 'decompressing' : 'copying'} ${at}`);
    if (at!.endsWith('.gz')) {
      try {
        await pipeline(createReadStream(at!), createGunzip(), createWriteStream(target));
      } catch (e) {
        throw new SnncError('data', `${at}: cannot decompress (${(e as Error).message})`);
      }
    } else {
      await copyFile(at!, target);
    }
    const split = await readShdFile(target);
    log(`shd: ${basename(at!)} holds ${split.labels.length} samples, all checked`);
  }
}

/** Writes `SHA256SUMS` for every file in `dir` that `files` names. */
async function writeManifest(dir: string, files: readonly string[]): Promise<void> {
  const lines: string[] = [];
  for (const f of files) lines.push(`${await hashFile(join(dir, f), 'sha256')}  ${f}`);
  await writeFile(join(dir, MANIFEST), `${lines.join('\n')}\n`);
}

/** Adds the recording at `source` to the cache as `name`; returns the cache folder. */
export async function addEventDataset(name: AddableName, source: string, log: Log = () => {}): Promise<string> {
  if (!existsSync(source) || !statSync(source).isDirectory()) throw new SnncError('data', `${source} is not a folder; ${PUBLISHED[name]}`);
  const root = cacheRoot();
  const target = datasetDir(name);
  if (existsSync(target) && !existsSync(join(target, DATASET_MARKER))) {
    throw new SnncError('data', `${target} exists and was not written by snnc (no ${DATASET_MARKER} file); move it away, snnc will not replace it`);
  }
  await mkdir(root, { recursive: true });
  const staging = await mkdtemp(join(root, `.${name}.tmp-${process.pid}-stage-`));
  try {
    try {
      if (name === 'nmnist') await stageNmnist(source, staging, log);
      else await stageShd(source, staging, log);
    } catch (e) {
      if (e instanceof SnncError && / is not an? (N-MNIST|SHD) folder/.test(e.message)) throw new SnncError('data', `${e.message}; ${PUBLISHED[name]}`);
      throw e;
    }
    const files = name === 'nmnist' ? allPackedFiles() : Object.values(SHD_FILES);
    await writeManifest(staging, files);
    await writeFile(join(staging, DATASET_MARKER), `written by snnc data add ${name} ${source}; snnc may replace this folder\n`);
    await chmod(staging, 0o755);
    if (existsSync(target)) {
      const old = await mkdtemp(join(root, `.${name}.tmp-${process.pid}-old-`));
      await rename(target, join(old, name));
      await rename(staging, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(staging, target);
    }
    log(`${name}: added from ${source}; ${MANIFEST} lists the sha256 of every file`);
    return target;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

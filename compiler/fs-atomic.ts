/** @fileoverview Atomic output directories: files are staged beside the target and swapped in with renames. */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { SnncError } from './errors.ts';

export type FileList = readonly (readonly [path: string, contents: string | Uint8Array])[];

function makeStaging(dir: string): { target: string; staging: string } {
  const target = resolve(dir);
  mkdirSync(dirname(target), { recursive: true });
  const staging = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(staging);
  return { target, staging };
}

function swapIn(staging: string, target: string): void {
  const old = `${staging}.old`;
  if (existsSync(target)) renameSync(target, old);
  renameSync(staging, target);
  rmSync(old, { recursive: true, force: true });
}

/** Writes `files` under `staging`, refusing any path that escapes it. */
export function writeFilesInside(staging: string, files: FileList): void {
  for (const [path, contents] of files) {
    const rel = relative(staging, resolve(staging, path));
    if (rel.startsWith('..') || isAbsolute(rel)) throw new SnncError('io', `${path}: refusing to write outside the output directory`);
    mkdirSync(dirname(resolve(staging, path)), { recursive: true });
    writeFileSync(resolve(staging, path), contents);
  }
}

/**
 * Fills `dir` so that a reader sees either the old directory or the complete new one, never a half-written one.
 * `fill` receives the staging directory; on any error the staging directory is removed and `dir` is untouched.
 */
export async function fillDirAtomic(dir: string, fill: (staging: string) => Promise<void> | void): Promise<void> {
  const { target, staging } = makeStaging(dir);
  try {
    await fill(staging);
    swapIn(staging, target);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

/** Synchronous form of fillDirAtomic for a fixed list of files (paths relative to the directory). */
export function writeDirAtomic(dir: string, files: FileList): void {
  const { target, staging } = makeStaging(dir);
  try {
    writeFilesInside(staging, files);
    swapIn(staging, target);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

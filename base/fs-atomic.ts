/**
 * @fileoverview Atomic outputs: a folder is staged beside its target and swapped in with two renames, a file is written
 * beside its target and renamed over it. Only outputs snnc wrote are replaced (see output-guard.ts); what a killed run
 * leaves behind is cleaned, or restored, by the next run.
 */
import { accessSync, constants, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { SnncError } from './errors.ts';
import { checkOutputDir, checkOutputFile, fsFailure, markerFor, OUTPUT_MARKER, readMarker, type OutputFileGuard, type OutputGuard } from './output-guard.ts';

export { OUTPUT_MARKER, type OutputGuard, type OutputFileGuard } from './output-guard.ts';

export type FileList = readonly (readonly [path: string, contents: string | Uint8Array])[];

/** Set by tests: stop before the swap (after saying so on stderr) until a signal arrives, to test the signal path. */
const PAUSE_BEFORE_SWAP = 'SNNC_TEST_PAUSE_BEFORE_SWAP';

/** Staging is `.NAME.tmp-PID-MS`, and the folder it replaces waits as `.NAME.tmp-PID-MS.old` between the two renames. */
function leftoverPattern(name: string): RegExp {
  return new RegExp(`^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.tmp-(\\d+)-\\d+(\\.old)?$`);
}

/** Whether process `pid` still runs: its temporary folders are left alone until it ends. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isOursOrEmpty(dir: string): boolean {
  return readMarker(dir) !== undefined || readdirSync(dir).length === 0;
}

/**
 * Undoes what a killed run left beside `target`: the previous output, renamed away just before the kill, is renamed
 * back when nothing took its place; stale staging folders are removed. Only folders of dead processes that carry our
 * marker (or are empty) are touched.
 */
export function recoverInterrupted(target: string): void {
  const parent = dirname(target);
  if (!existsSync(parent)) return;
  const pattern = leftoverPattern(basename(target));
  const leftovers = readdirSync(parent)
    .map((name) => ({ name, match: pattern.exec(name) }))
    .filter((l) => l.match && !processAlive(Number(l.match[1])))
    .sort((a, b) => Number(Boolean(b.match![2])) - Number(Boolean(a.match![2]))); // `.old` first: it may be restored
  for (const { name, match } of leftovers) {
    const path = join(parent, name);
    if (!isOursOrEmpty(path)) continue;
    if (match![2] && !existsSync(target)) renameSync(path, target);
    else removeIfAllowed(path);
  }
}

/** Removes a leftover; one that this user may not remove (read-only inside) stays, and never blocks a run. */
function removeIfAllowed(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // Left for its owner: it carries our marker and is skipped by name.
  }
}

/**
 * Checks, before any long work, that `dir` may be written (see checkOutputDir) and that its folder accepts new files,
 * after undoing what a killed run left beside it. Returns the canonical target.
 */
export function prepareOutputDir(dir: string, guard: OutputGuard = {}): string {
  const target = checkOutputDir(dir, guard);
  asOutputErrorSync(dir, () => recoverInterrupted(target));
  asOutputErrorSync(dir, () => {
    accessSync(nearestExisting(dirname(target)), constants.W_OK | constants.X_OK);
    // The previous output is removed after the swap: a read-only one would be left behind.
    if (existsSync(target)) accessSync(target, constants.W_OK | constants.X_OK);
  });
  return checkOutputDir(dir, guard);
}

/** The closest folder on the path that exists: the staging folder and any missing parents are made there. */
function nearestExisting(path: string): string {
  let at = path;
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  return at;
}

function makeStaging(target: string, guard: OutputGuard): string {
  mkdirSync(dirname(target), { recursive: true });
  recoverInterrupted(target);
  checkOutputDir(target, guard); // again: the recovery may have put a folder back
  const staging = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(staging);
  // The marker goes in first, so a staging folder left by a kill is recognisably ours.
  writeFileSync(join(staging, OUTPUT_MARKER), JSON.stringify(markerFor(target, guard)) + '\n');
  return staging;
}

function swapIn(staging: string, target: string): void {
  const old = `${staging}.old`;
  if (existsSync(target)) renameSync(target, old);
  renameSync(staging, target);
  try {
    rmSync(old, { recursive: true, force: true });
  } catch {
    // The new output is in place; a previous one we cannot remove (read-only inside) waits for the next run.
  }
}

/** Removes `staging` if the process is interrupted while it exists, then lets the signal end the process as usual. */
function removeOnSignal(staging: string): () => void {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const handler = (signal: NodeJS.Signals): void => {
    rmSync(staging, { recursive: true, force: true });
    for (const s of signals) process.removeListener(s, handler);
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  for (const s of signals) process.on(s, handler);
  return () => {
    for (const s of signals) process.removeListener(s, handler);
    // A signal that came during the last synchronous step is dispatched on the next turn of the event loop; without a
    // listener then, it would be lost and the process would exit 0. Until that turn, one re-raises it.
    const late = (signal: NodeJS.Signals): void => {
      for (const s of signals) process.removeListener(s, late);
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    for (const s of signals) process.on(s, late);
    setImmediate(() => {
      for (const s of signals) process.removeListener(s, late);
    }).unref();
  };
}

async function pauseForTests(): Promise<void> {
  if (!process.env[PAUSE_BEFORE_SWAP]) return;
  process.stderr.write('snnc: paused before swap\n');
  await new Promise<never>(() => setInterval(() => undefined, 1 << 30));
}

/** Runs `step`, turning a failed filesystem call on `path` into one io line. */
async function asOutputError<T>(path: string, step: () => T | Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    throw fsFailure(path, e) ?? e;
  }
}

function asOutputErrorSync<T>(path: string, step: () => T): T {
  try {
    return step();
  } catch (e) {
    throw fsFailure(path, e) ?? e;
  }
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
 * Fills `dir` so that a reader sees either the old folder or the complete new one, never a half-written one.
 * `dir` must be missing, empty, or an output snnc wrote (see checkOutputDir). `fill` receives the staging folder; on
 * any error or interrupting signal the staging folder is removed and `dir` is untouched.
 */
export async function fillDirAtomic(dir: string, fill: (staging: string) => Promise<void> | void, guard: OutputGuard = {}): Promise<void> {
  const target = checkOutputDir(dir, guard);
  const staging = asOutputErrorSync(dir, () => makeStaging(target, guard));
  const release = removeOnSignal(staging);
  try {
    await asOutputError(dir, () => fill(staging));
    await pauseForTests();
    asOutputErrorSync(dir, () => swapIn(staging, target));
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  } finally {
    release();
  }
}

/** Synchronous form of fillDirAtomic for a fixed list of files (paths relative to the folder). */
export function writeDirAtomic(dir: string, files: FileList, guard: OutputGuard = {}): void {
  const target = checkOutputDir(dir, guard);
  const staging = asOutputErrorSync(dir, () => makeStaging(target, guard));
  try {
    asOutputErrorSync(dir, () => {
      writeFilesInside(staging, files);
      swapIn(staging, target);
    });
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

/** Makes the parent folders of an output file (as compile does for its folder), failing in one line. */
export function makeParentFolders(path: string): void {
  asOutputErrorSync(path, () => mkdirSync(dirname(resolve(path)), { recursive: true }));
}

/**
 * Writes one file atomically: the contents go to a temporary file beside it, renamed over it once complete. Refuses
 * what checkOutputFile refuses (a folder, a device, the input, a missing folder when parents are refused, ...).
 */
export function writeFileAtomic(path: string, contents: string | Uint8Array, guard: OutputFileGuard = { parents: 'refuse' }): void {
  const target = checkOutputFile(path, guard);
  if (guard.parents === 'create') makeParentFolders(target);
  const temporary = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${Date.now()}`);
  try {
    asOutputErrorSync(path, () => {
      writeFileSync(temporary, contents, { flag: 'wx' });
      renameSync(temporary, target);
    });
  } catch (e) {
    rmSync(temporary, { force: true });
    throw e;
  }
}

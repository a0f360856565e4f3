/**
 * @fileoverview Where snnc may write: an output folder is replaced only when snnc wrote it (a marker file inside says
 * so), never when it is, holds or sits inside an input, and a single output file never replaces a folder or a device.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { SnncError } from './errors.ts';

/** The file snnc puts in every folder it writes; its presence is what lets a later run replace the folder. */
export const OUTPUT_MARKER = '.snnc-output';

export interface OutputMarker {
  readonly format: 'snnc-output';
  /** What the folder holds: 'build', 'model', ... ('output' when the writer did not say). */
  readonly kind: string;
  /** The model the folder was made from, relative to the folder (so a moved project still matches). */
  readonly model?: string;
  readonly fingerprint?: string;
}

export interface OutputGuard {
  /** What the folder holds; a folder marked as holding something else is refused. */
  readonly kind?: string;
  /** Files or folders the output must not be, hold, or sit inside (the input model). */
  readonly inputs?: readonly string[];
  /** The model the output is made from; a folder holding the output of another model is refused. */
  readonly model?: string;
  /** Recorded in the marker, for whoever reads the folder later (the program hash of a build). */
  readonly fingerprint?: string;
}

/** Characters that would split a one-line message or a terminal line. */
const CONTROL = /[\u0000-\u001f\u007f]/;

function refuse(path: string, reason: string): SnncError {
  return new SnncError('io', `${path === '' ? '""' : path}: ${reason}`);
}

/** `path` with symbolic links resolved as far as it exists, so two spellings of one place compare equal. */
export function canonicalPath(path: string): string {
  const absolute = resolve(path);
  const missing: string[] = [];
  let existing = absolute;
  while (!existsSync(existing) && dirname(existing) !== existing) {
    missing.unshift(basename(existing));
    existing = dirname(existing);
  }
  let real = existing;
  try {
    real = realpathSync.native(existing);
  } catch {
    // unreadable: compare the spelling we have
  }
  return join(real, ...missing);
}

/** True when `inner` is `outer` or lies below it. */
export function isWithin(outer: string, inner: string): boolean {
  const rel = relative(outer, inner);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

function checkPathText(path: string): void {
  if (path.trim() === '') throw refuse(path, 'an empty output path');
  if (CONTROL.test(path)) throw refuse(JSON.stringify(path), 'an output path with a control character');
}

/** Refuses a path whose nearest existing ancestor is a file or device (`/dev/null/x`), which no mkdir can fix. */
function checkAncestors(path: string, target: string): void {
  let ancestor = dirname(target);
  while (!existsSync(ancestor) && dirname(ancestor) !== ancestor) ancestor = dirname(ancestor);
  if (!statSync(ancestor).isDirectory()) throw refuse(path, `${ancestor} is not a folder, so nothing can be written under it`);
}

function checkInputs(path: string, target: string, inputs: readonly string[]): void {
  for (const input of inputs) {
    const source = canonicalPath(input);
    if (source === target) throw refuse(path, `is the input ${input}; snnc never writes over its input`);
    if (isWithin(target, source)) throw refuse(path, `holds the input ${input}; snnc never replaces its input`);
    if (isWithin(source, target)) throw refuse(path, `is inside the input ${input}; snnc never writes into its input`);
  }
}

/** What no output may touch for MODEL: its folder when MODEL names its model.json, else MODEL (a folder or a .nir file). */
export function modelInput(model: string): string {
  const isFile = existsSync(model) && statSync(model).isFile();
  return isFile && basename(model) === 'model.json' ? dirname(model) : model;
}

/** The marker of folder `dir`, undefined when it has none or it is not one of ours. */
export function readMarker(dir: string): OutputMarker | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, OUTPUT_MARKER), 'utf8')) as Partial<OutputMarker>;
    return parsed.format === 'snnc-output' && typeof parsed.kind === 'string' ? (parsed as OutputMarker) : undefined;
  } catch {
    return undefined;
  }
}

/** The marker written into a new output folder at `target`. */
export function markerFor(target: string, guard: OutputGuard): OutputMarker {
  return {
    format: 'snnc-output',
    kind: guard.kind ?? 'output',
    ...(guard.model !== undefined ? { model: relative(target, canonicalPath(guard.model)) } : {}),
    ...(guard.fingerprint !== undefined ? { fingerprint: guard.fingerprint } : {}),
  };
}

/**
 * Refuses, in one line, an output folder snnc may not replace: an empty path, the filesystem root, the current folder
 * or one holding it, the input or anything holding or inside it, a file, a link, a non-empty folder without our marker,
 * a folder marked as another kind of output, or another model's output. Returns the canonical target.
 */
export function checkOutputDir(path: string, guard: OutputGuard = {}): string {
  checkPathText(path);
  const target = canonicalPath(path);
  if (dirname(target) === target) throw refuse(path, 'is the filesystem root');
  if (isWithin(target, canonicalPath(process.cwd()))) throw refuse(path, 'is the current folder or holds it; name a folder for the output');
  checkInputs(path, target, guard.inputs ?? []);
  checkAncestors(path, target);
  if (!existsSync(target)) return target;
  const stat = lstatSync(resolve(path));
  if (stat.isSymbolicLink()) throw refuse(path, 'is a symbolic link; name the folder itself');
  if (!stat.isDirectory()) throw refuse(path, 'exists and is not a folder; snnc writes a folder here');
  if (readdirSync(target).length === 0) return target;
  const marker = readMarker(target);
  if (!marker) throw refuse(path, `exists and was not written by snnc (no ${OUTPUT_MARKER} in it); choose another output folder or remove it yourself`);
  if (guard.kind !== undefined && marker.kind !== guard.kind) throw refuse(path, `holds an snnc ${marker.kind}, not a ${guard.kind}; choose another output folder`);
  if (guard.model !== undefined && marker.model !== undefined && resolve(target, marker.model) !== canonicalPath(guard.model)) {
    throw refuse(path, `holds the snnc ${marker.kind} of another model (${resolve(target, marker.model)}); choose another output folder or remove it yourself`);
  }
  return target;
}

export interface OutputFileGuard {
  /** Files or folders the output must not be or sit inside. */
  readonly inputs?: readonly string[];
  /** Create missing parent folders (as compile does) or refuse them. */
  readonly parents: 'create' | 'refuse';
  /** When given, an existing file is replaced only if this recognises its first bytes as ours. */
  readonly recognise?: { readonly what: string; readonly test: (head: Buffer) => boolean };
}

/**
 * Refuses, in one line, an output file snnc may not write: an empty path, a folder, a device or other non-regular file,
 * the input or a file inside it, a missing parent folder (when parents are refused), or an existing file `recognise`
 * does not accept. Returns the canonical path.
 */
export function checkOutputFile(path: string, guard: OutputFileGuard): string {
  checkPathText(path);
  const target = canonicalPath(path);
  checkInputs(path, target, guard.inputs ?? []);
  checkAncestors(path, target);
  if (existsSync(target)) {
    const stat = lstatSync(target);
    if (stat.isDirectory()) throw refuse(path, 'is a folder; name a file to write');
    if (!stat.isFile()) throw refuse(path, 'exists and is not a regular file');
    if (guard.recognise && !guard.recognise.test(readFileSync(target).subarray(0, 64))) {
      throw refuse(path, `exists and is not a ${guard.recognise.what}; choose another file or remove it yourself`);
    }
  }
  if (guard.parents === 'refuse' && !existsSync(dirname(target))) throw refuse(path, `the folder ${dirname(path)} does not exist`);
  return target;
}

/**
 * `parent/name` for an output named after a model (`build/<name>`, `<name>.nir`), refused when the name is empty or
 * would leave `parent` (separators, `.`, `..`, control characters).
 */
export function namedOutputPath(parent: string, name: string, suffix = ''): string {
  const file = `${name}${suffix}`;
  const plain = name !== '' && name !== '.' && name !== '..' && !/[/\\]/.test(name) && !CONTROL.test(name);
  const path = join(parent, file);
  if (!plain || dirname(resolve(path)) !== resolve(parent)) {
    throw new SnncError('model', `the model name ${JSON.stringify(name)} cannot name an output under ${parent}/; give --out`);
  }
  return path;
}

/** One line for a failed filesystem call on an output path ("permission denied", "read-only file system", ...). */
export function fsFailure(path: string, e: unknown): SnncError | undefined {
  const err = e as NodeJS.ErrnoException;
  if (typeof err?.syscall !== 'string' || typeof err.code !== 'string') return undefined;
  const reasons: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOTDIR: 'a part of the path is a file, not a folder',
    ENOENT: 'a folder on the path does not exist or cannot hold files',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    EEXIST: 'something appeared at the path while writing',
    EISDIR: 'is a folder',
    EXDEV: 'crosses file systems',
    ENAMETOOLONG: 'the name is too long',
    ENOTEMPTY: 'the folder is not empty',
    EBUSY: 'the path is busy',
    EINVAL: 'the path cannot hold files',
  };
  return new SnncError('io', `${path}: cannot write (${reasons[err.code] ?? err.code})`);
}

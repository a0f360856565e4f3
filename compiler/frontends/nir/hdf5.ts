/** @fileoverview HDF5 as plain data for NIR: read a whole file into a tree of groups and datasets, or write one back. */
import fs, { closeSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import type { Dataset, Group } from 'h5wasm/node';
import { SnncError } from '../../../base/errors.ts';
import { MAX_NIR_DATASET_ELEMENTS, MAX_NIR_ENTRIES, MAX_NIR_FILE_BYTES, MAX_NIR_TOTAL_ELEMENTS, openRegularFile } from '../../../base/input-limits.ts';

/** A dataset's value: numbers (any int or float width, read as float64 or bigint-free numbers) or strings. */
export type H5Value =
  | { readonly kind: 'numbers'; readonly dtype: 'float32' | 'float64' | 'int'; readonly shape: readonly number[]; readonly data: Float64Array }
  | { readonly kind: 'strings'; readonly shape: readonly number[]; readonly data: readonly string[] };

export interface H5Group {
  readonly kind: 'group';
  readonly entries: ReadonlyMap<string, H5Group | H5Value>;
}

/** What to write: float64 and int64 arrays, utf-8 strings; shape [] is a scalar, as h5py writes Python scalars. */
export type H5WriteValue =
  | { readonly kind: 'float64'; readonly shape: readonly number[]; readonly data: readonly number[] | Float64Array }
  | { readonly kind: 'int64'; readonly shape: readonly number[]; readonly data: readonly number[] }
  | { readonly kind: 'strings'; readonly shape: readonly number[]; readonly data: readonly string[] };

export interface H5WriteGroup {
  readonly kind: 'group';
  readonly entries: readonly (readonly [string, H5WriteGroup | H5WriteValue])[];
}

/** h5wasm, loaded on first use: its wasm bundle costs seconds and hundreds of MB, which commands without NIR skip. */
let h5wasm: typeof import('h5wasm/node').default;

async function loadH5wasm(): Promise<void> {
  h5wasm ??= (await import('h5wasm/node')).default;
  await h5wasm.ready;
}

/** The HDF5 superblock signature; it sits at offset 0, 512, 1024, 2048, ... */
export const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Deepest group nesting we follow (a NIR file nests graph > nodes > node > metadata). */
const MAX_DEPTH = 16;

function hasSignature(path: string): boolean {
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(8);
    for (let offset = 0; offset + 8 <= size; offset = offset === 0 ? 512 : offset * 2) {
      if (readSync(fd, buf, 0, 8, offset) === 8 && buf.equals(HDF5_SIGNATURE)) return true;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

/**
 * Runs `fn` with the HDF5 library's diagnostic dump (printed straight to stderr by the wasm build) captured, so a bad
 * file gives our one-line error and not forty lines of C stack. Returns the captured text on failure.
 */
function quietly<T>(fn: () => T): { value?: T; error?: unknown; diag: string } {
  // The wasm build writes fd 2 with fs.writeSync (its raw node filesystem) and console.error; catch both.
  const write = process.stderr.write;
  const writeSync = fs.writeSync;
  let diag = '';
  const keep = (chunk: unknown): void => {
    diag += typeof chunk === 'string' ? chunk : ArrayBuffer.isView(chunk) ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8') : String(chunk);
  };
  process.stderr.write = ((chunk: string | Uint8Array): boolean => {
    keep(chunk);
    return true;
  }) as typeof process.stderr.write;
  fs.writeSync = ((fd: number, buffer: unknown, ...rest: unknown[]): number => {
    if (fd !== 2 && fd !== process.stderr.fd) return (writeSync as (...a: unknown[]) => number)(fd, buffer, ...rest);
    if (typeof buffer === 'string') {
      keep(buffer);
      return Buffer.byteLength(buffer);
    }
    const view = buffer as Uint8Array;
    const offset = typeof rest[0] === 'number' ? rest[0] : 0;
    const length = typeof rest[1] === 'number' ? rest[1] : view.byteLength - offset;
    keep(view.subarray(offset, offset + length));
    return length;
  }) as typeof fs.writeSync;
  try {
    return { value: fn(), diag };
  } catch (error) {
    return { error, diag };
  } finally {
    process.stderr.write = write;
    fs.writeSync = writeSync;
  }
}

/** The last "minor:" reason of an HDF5 diagnostic dump, e.g. "Not an HDF5 file". */
function diagReason(diag: string, error: unknown): string {
  const minors = [...diag.matchAll(/minor: (.+)/g)].map((m) => m[1]!.trim());
  return minors.length > 0 ? minors[minors.length - 1]! : String((error as Error)?.message ?? error);
}

function readValue(ds: Dataset, where: string): H5Value {
  const shape = (ds.shape ?? []).map(Number);
  const value = ds.value;
  const dtype = ds.dtype;
  if (typeof dtype !== 'string') throw new SnncError('model', `${where}: compound or array datasets are not NIR parameters`);
  if (/^[SA]/.test(dtype)) {
    const list = Array.isArray(value) ? value : [value];
    if (!list.every((v) => typeof v === 'string')) throw new SnncError('model', `${where}: unreadable string dataset`);
    return { kind: 'strings', shape, data: list as string[] };
  }
  const kind = /^[<>|]?[bhiqBHIQ]$/.test(dtype) ? 'int' : /^[<>|]?f$/.test(dtype) ? 'float32' : /^[<>|]?d$/.test(dtype) ? 'float64' : undefined;
  if (!kind) throw new SnncError('model', `${where}: dtype ${dtype} is not a number or string type`);
  const raw: ArrayLike<number | bigint> = ArrayBuffer.isView(value) ? (value as unknown as ArrayLike<number | bigint>) : [value as number | bigint];
  const data = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i]!;
    if (typeof v === 'bigint' && (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER))) {
      throw new SnncError('model', `${where}: integer ${v} is out of range`);
    }
    data[i] = Number(v);
  }
  return { kind: 'numbers', dtype: kind, shape, data };
}

/**
 * Walks the tree reading only shapes (no values) and refuses a file whose datasets together declare more values than
 * snnc reads: a dataset linked from many places counts once per link, as readGroup would read it once per link.
 */
function checkDeclaredSizes(root: Group): void {
  let entries = 0;
  let total = 0;
  const walk = (group: Group, where: string, depth: number): void => {
    if (depth > MAX_DEPTH) throw new SnncError('model', `${where}: groups nested deeper than ${MAX_DEPTH}`);
    for (const key of group.keys()) {
      const path = where === '' ? key : `${where}/${key}`;
      if (++entries > MAX_NIR_ENTRIES) throw new SnncError('model', `more than ${MAX_NIR_ENTRIES} groups and datasets, above snnc's bound`);
      const child = group.get(key);
      if (child instanceof h5wasm.Group) walk(child, path, depth + 1);
      else if (child instanceof h5wasm.Dataset) {
        const values = (child.shape ?? []).map(Number).reduce((a, b) => a * b, 1);
        if (values > MAX_NIR_DATASET_ELEMENTS) throw new SnncError('model', `${path}: declares ${values} values, above snnc's bound of ${MAX_NIR_DATASET_ELEMENTS} per dataset`);
        total += values;
        if (total > MAX_NIR_TOTAL_ELEMENTS) throw new SnncError('model', `datasets declare more than ${MAX_NIR_TOTAL_ELEMENTS} values in all (counting each link; reached at ${path}), above snnc's bound`);
      }
    }
  };
  walk(root, '', 0);
}

function readGroup(group: Group, where: string, depth: number): H5Group {
  if (depth > MAX_DEPTH) throw new SnncError('model', `${where}: groups nested deeper than ${MAX_DEPTH}`);
  const entries = new Map<string, H5Group | H5Value>();
  for (const key of group.keys()) {
    const child = group.get(key);
    const path = where === '' ? key : `${where}/${key}`;
    if (child instanceof h5wasm.Group) entries.set(key, readGroup(child, path, depth + 1));
    else if (child instanceof h5wasm.Dataset) entries.set(key, readValue(child, path));
    else throw new SnncError('model', `${path}: a link or named type, not a group or dataset`);
  }
  return { kind: 'group', entries };
}

/** Reads every group and dataset of an HDF5 file; any defect is one SnncError line naming the file. */
export async function readHdf5(path: string): Promise<H5Group> {
  openRegularFile(path, { what: 'NIR file', maxBytes: MAX_NIR_FILE_BYTES }, false);
  if (!hasSignature(path)) throw new SnncError('model', `${path}: not an HDF5 file (no HDF5 signature), so not a NIR file`);
  await loadH5wasm();
  const opened = quietly(() => new h5wasm.File(path, 'r'));
  if (opened.error !== undefined || opened.diag.includes('HDF5-DIAG') || !opened.value) {
    throw new SnncError('model', `${path}: corrupt HDF5 file (${diagReason(opened.diag, opened.error)})`);
  }
  const file = opened.value;
  try {
    const read = quietly(() => {
      checkDeclaredSizes(file);
      return readGroup(file, '', 0);
    });
    if (read.error instanceof SnncError) throw new SnncError(read.error.code, `${path}: ${read.error.message}`);
    if (read.error !== undefined || read.diag.includes('HDF5-DIAG') || !read.value) {
      throw new SnncError('model', `${path}: corrupt HDF5 file (${diagReason(read.diag, read.error)})`);
    }
    return read.value;
  } finally {
    quietly(() => file.close());
  }
}

function writeGroup(group: Group, tree: H5WriteGroup): void {
  for (const [name, node] of tree.entries) {
    if (node.kind === 'group') {
      writeGroup(group.create_group(name), node);
      continue;
    }
    const shape = [...node.shape];
    const count = shape.reduce((a, b) => a * b, 1);
    if (node.data.length !== count) throw new Error(`internal: dataset ${name} has ${node.data.length} values for shape [${shape.join(', ')}]`);
    if (node.kind === 'strings') {
      group.create_dataset({ name, data: shape.length === 0 ? node.data[0]! : [...node.data], shape, dtype: 'S' });
    } else if (node.kind === 'int64') {
      group.create_dataset({ name, data: BigInt64Array.from(node.data, (v) => BigInt(v)), shape, dtype: '<q' });
    } else {
      group.create_dataset({ name, data: Float64Array.from(node.data), shape, dtype: '<d' });
    }
  }
}

/** Writes `tree` as a new HDF5 file at `path`, atomically: a reader sees the old file or the complete new one. */
export async function writeHdf5(path: string, tree: H5WriteGroup): Promise<void> {
  await loadH5wasm();
  const staging = `${path}.tmp-${process.pid}-${Date.now()}`;
  const result = quietly(() => {
    const file = new h5wasm.File(staging, 'w');
    try {
      writeGroup(file, tree);
    } finally {
      file.close();
    }
  });
  if (result.error !== undefined || result.diag.includes('HDF5-DIAG')) {
    rmSync(staging, { force: true });
    throw new SnncError('io', `${path}: could not write the HDF5 file (${diagReason(result.diag, result.error)})`);
  }
  renameSync(staging, path);
}

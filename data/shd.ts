/**
 * @fileoverview Spiking Heidelberg Digits (Cramer et al. 2020, zenkelab.org/datasets): `shd_train.h5`, `shd_test.h5`.
 * Layout read (HDF5, via h5wasm):
 *   spikes/times   [n] variable-length float arrays, seconds      spikes/units   [n] variable-length uint16 arrays
 *   labels         [n] integers 0..19
 * Sample i is (unit, time) pairs, time in microseconds = round(seconds * 1e6). A sample whose times and units differ in
 * length, a unit >= 700, a label outside 0..19, a time that is negative, not finite or goes back is refused in one line
 * naming the file and sample; a sample with no spikes is an empty sample (T zero frames).
 */
import fs from 'node:fs';
import { join } from 'node:path';
import { SnncError } from '../base/errors.ts';
import type { ChannelEvents } from './events.ts';

export const SHD_CHANNELS = 700;
export const SHD_CLASSES = 20;
export const SHD_FILES = { train: 'shd_train.h5', test: 'shd_test.h5' } as const;
const US_PER_S = 1e6;

type H5 = typeof import('h5wasm/node').default;
let h5: H5 | undefined;

async function h5wasm(): Promise<H5> {
  h5 ??= (await import('h5wasm/node')).default;
  await h5.ready;
  return h5;
}

/** Runs `fn` with HDF5's C diagnostics (written to fd 2) held back, so a corrupt file is one line, not a C stack. */
function withoutDiagnostics<T>(fn: () => T): T {
  const saved = { write: process.stderr.write, writeSync: fs.writeSync };
  process.stderr.write = (() => true) as typeof process.stderr.write;
  // Report every byte written: the wasm runtime retries a short write forever.
  const swallowed = (data: unknown, offset: unknown, length: unknown): number =>
    typeof data === 'string' ? Buffer.byteLength(data) : typeof length === 'number' ? length : (data as Uint8Array).byteLength - (typeof offset === 'number' ? offset : 0);
  fs.writeSync = ((fd: number, ...rest: unknown[]) => (fd === 2 ? swallowed(rest[0], rest[1], rest[2]) : (saved.writeSync as (...a: unknown[]) => number)(fd, ...rest))) as typeof fs.writeSync;
  try {
    return fn();
  } finally {
    process.stderr.write = saved.write;
    fs.writeSync = saved.writeSync;
  }
}

export interface ShdSplit {
  readonly labels: Uint8Array;
  sample(i: number): ChannelEvents;
}

function checkSample(file: string, index: number, times: ArrayLike<number>, units: ArrayLike<number>): ChannelEvents {
  const where = `${file}: sample ${index}`;
  if (times.length !== units.length) throw new SnncError('data', `${where} has ${times.length} times but ${units.length} units; corrupt SHD file`);
  const n = times.length;
  const events: ChannelEvents = { kind: 'channels', channel: new Uint16Array(n), t: new Float64Array(n) };
  let last = 0;
  for (let e = 0; e < n; e++) {
    const unit = Number(units[e]);
    const t = Math.round(Number(times[e]) * US_PER_S);
    if (!Number.isInteger(unit) || unit < 0 || unit >= SHD_CHANNELS) throw new SnncError('data', `${where}: spike ${e} on unit ${unit}, outside 0..${SHD_CHANNELS - 1}`);
    if (!Number.isFinite(t) || t < last) throw new SnncError('data', `${where}: spike ${e} time ${times[e]} s is negative, not a number or goes back`);
    last = t;
    events.channel[e] = unit;
    events.t[e] = t;
  }
  return events;
}

/** HDF5 signature at offset 0 (where h5py puts the superblock). */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** Offset of the end-of-file address in superblock versions 0, 1, 2 and 3 (8-byte addresses). */
const EOF_AT = [40, 44, 36, 36];

/** Refuses a file that is not HDF5 or is shorter than its superblock says, before the library sees it. */
function checkWhole(file: string): void {
  const bytes = fs.readFileSync(file).subarray(0, 64);
  const size = fs.statSync(file).size;
  if (bytes.length < 48 || SIGNATURE.some((b, k) => bytes[k] !== b)) throw new SnncError('data', `${file}: not an HDF5 file (no HDF5 signature at its start); not an SHD file`);
  const at = EOF_AT[bytes[8]!];
  if (at === undefined || bytes[13] !== 8) return;
  const declared = Number(Buffer.from(bytes).readBigUInt64LE(at));
  if (size < declared) throw new SnncError('data', `${file}: truncated HDF5 file (${size} bytes, its superblock declares ${declared})`);
}

/** Reads one whole SHD file: labels and every sample, checked; `first`/`limit` select a range of samples. */
export async function readShdFile(file: string, first = 0, limit?: number): Promise<ShdSplit> {
  checkWhole(file);
  const lib = await h5wasm();
  let handle: InstanceType<H5['File']>;
  try {
    handle = withoutDiagnostics(() => new lib.File(file, 'r'));
  } catch (e) {
    throw new SnncError('data', `${file}: not a readable HDF5 file (${(e as Error).message})`);
  }
  try {
    const read = (path: string): unknown => {
      const ds = withoutDiagnostics(() => handle.get(path));
      if (!(ds instanceof lib.Dataset)) throw new SnncError('data', `${file}: no dataset ${path}; not an SHD file (expected spikes/times, spikes/units, labels)`);
      try {
        return withoutDiagnostics(() => ds.value);
      } catch (e) {
        const why = (e as Error).message;
        if (/Float16/.test(why)) throw new SnncError('data', `${file}: ${path} holds float16 values, which h5wasm cannot read; store them as float32 (e.g. with h5py) and add the file again`);
        throw new SnncError('data', `${file}: ${path} is unreadable, truncated or corrupt (${why})`);
      }
    };
    const times = read('spikes/times');
    const units = read('spikes/units');
    const labelValues = read('labels');
    if (!Array.isArray(times) || !Array.isArray(units)) throw new SnncError('data', `${file}: spikes/times and spikes/units must be variable-length arrays`);
    const labelList = ArrayBuffer.isView(labelValues) ? Array.from(labelValues as unknown as ArrayLike<number | bigint>, Number) : [];
    const n = labelList.length;
    if (times.length !== n || units.length !== n) throw new SnncError('data', `${file}: ${n} labels, ${times.length} times, ${units.length} units; corrupt SHD file`);
    const start = Math.min(first, n);
    const end = Math.min(n, start + (limit ?? n));
    const labels = new Uint8Array(end - start);
    for (let i = start; i < end; i++) {
      const label = labelList[i]!;
      if (!Number.isInteger(label) || label < 0 || label >= SHD_CLASSES) throw new SnncError('data', `${file}: label ${i} is ${label}, not a class 0..${SHD_CLASSES - 1}`);
      labels[i - start] = label;
    }
    const samples = Array.from({ length: end - start }, (_, k) => checkSample(file, start + k, times[start + k] as ArrayLike<number>, units[start + k] as ArrayLike<number>));
    return { labels, sample: (i) => samples[i]! };
  } finally {
    withoutDiagnostics(() => handle.close());
  }
}

/** A split from the cache folder `dir` (written by `snnc data add shd`). */
export async function loadShdSplit(dir: string, split: 'train' | 'test', first: number, limit: number | undefined): Promise<ShdSplit> {
  const file = join(dir, SHD_FILES[split]);
  if (!fs.existsSync(file)) throw new SnncError('data', `dataset shd is not in the cache (${file} is missing); run: snnc data add shd PATH`);
  return readShdFile(file, first, limit);
}

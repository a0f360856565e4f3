/**
 * @fileoverview A split of N-MNIST-format samples packed into three cache files, so 60k samples load with three reads
 * (not 60k file opens) and a range of samples is one byte range:
 *   `<split>-events.bin`            every sample's N-MNIST records (data/nmnist.ts), concatenated in sample order
 *   `<split>-counts-idx1-int`       IDX, element type int32 (0x0C, big-endian), dims [samples]: events per sample
 *   `<split>-labels-idx1-ubyte`     IDX uint8, dims [samples]: class per sample
 * Sample i's records start at byte 5 * (counts[0] + ... + counts[i - 1]); each decodes exactly like one `.bin` file.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SnncError } from '../base/errors.ts';
import { encodeIdxHeader, readIdxItems } from './idx.ts';
import { NMNIST_EVENT_BYTES } from './nmnist.ts';

export type PackSplit = 'train' | 'test';

const INT32_TYPE = 0x0c;

export function packedFiles(split: PackSplit): { events: string; counts: string; labels: string } {
  return { events: `${split}-events.bin`, counts: `${split}-counts-idx1-int`, labels: `${split}-labels-idx1-ubyte` };
}

/** Every file of a packed dataset (both splits). */
export function allPackedFiles(): string[] {
  return (['train', 'test'] as const).flatMap((split) => Object.values(packedFiles(split)));
}

/** Writes a packed split into `dir`: `records(i)` gives sample i's N-MNIST bytes. */
export function writePackedSplit(dir: string, split: PackSplit, labels: Uint8Array, records: (i: number) => Uint8Array, progress?: (done: number) => void): void {
  const files = packedFiles(split);
  const n = labels.length;
  const counts = Buffer.alloc(8 + 4 * n);
  counts.set([0, 0, INT32_TYPE, 1]);
  counts.writeUInt32BE(n, 4);
  const events = openSync(join(dir, files.events), 'w');
  try {
    for (let i = 0; i < n; i++) {
      const bytes = records(i);
      writeSync(events, bytes);
      counts.writeInt32BE(bytes.length / NMNIST_EVENT_BYTES, 8 + 4 * i);
      if (progress && (i + 1) % 5000 === 0) progress(i + 1);
    }
  } finally {
    closeSync(events);
  }
  const countsFd = openSync(join(dir, files.counts), 'w');
  writeSync(countsFd, counts);
  closeSync(countsFd);
  const labelsFd = openSync(join(dir, files.labels), 'w');
  writeSync(labelsFd, Buffer.concat([encodeIdxHeader([n]), labels]));
  closeSync(labelsFd);
}

/** Samples [first, first + count) of a packed split: their records in one buffer, with each sample's byte start. */
export interface PackedRange {
  readonly total: number;
  readonly count: number;
  readonly labels: Uint8Array;
  readonly bytes: Uint8Array;
  /** count + 1 byte offsets into `bytes`. */
  readonly starts: Float64Array;
}

function readCounts(file: string): Int32Array {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const raw = Buffer.alloc(size);
    readSync(fd, raw, 0, size, 0);
    if (size < 8 || raw[0] !== 0 || raw[1] !== 0 || raw[2] !== INT32_TYPE || raw[3] !== 1) throw new SnncError('data', `${file}: not an IDX int32 vector of event counts`);
    const n = raw.readUInt32BE(4);
    if (size !== 8 + 4 * n) throw new SnncError('data', `${file}: ${size} bytes, ${n} counts need ${8 + 4 * n}`);
    const counts = new Int32Array(n);
    for (let i = 0; i < n; i++) counts[i] = raw.readInt32BE(8 + 4 * i);
    return counts;
  } finally {
    closeSync(fd);
  }
}

/** Reads samples [first, first + limit) (to the end when limit is undefined) of a packed split in `dir`. */
export function readPackedRange(dir: string, split: PackSplit, first: number, limit: number | undefined): PackedRange {
  const files = packedFiles(split);
  const counts = readCounts(join(dir, files.counts));
  const total = counts.length;
  const count = Math.max(0, Math.min(limit ?? total, total - first));
  const labels = readIdxItems(join(dir, files.labels), first, count).data;
  let skip = 0;
  for (let i = 0; i < first; i++) skip += counts[i]!;
  const starts = new Float64Array(count + 1);
  for (let i = 0; i < count; i++) starts[i + 1] = starts[i]! + counts[first + i]! * NMNIST_EVENT_BYTES;
  const eventsFile = join(dir, files.events);
  const fd = openSync(eventsFile, 'r');
  try {
    const size = fstatSync(fd).size;
    let allEvents = 0;
    for (const c of counts) allEvents += c;
    if (size !== allEvents * NMNIST_EVENT_BYTES) throw new SnncError('data', `${eventsFile}: ${size} bytes, the counts need ${allEvents * NMNIST_EVENT_BYTES}; truncated or corrupt`);
    const bytes = new Uint8Array(starts[count]!);
    for (let done = 0; done < bytes.length; ) {
      const n = readSync(fd, bytes, done, Math.min(bytes.length - done, 1 << 30), skip * NMNIST_EVENT_BYTES + done);
      if (n === 0) throw new SnncError('data', `${eventsFile}: ended early`);
      done += n;
    }
    return { total, count, labels, bytes, starts };
  } finally {
    closeSync(fd);
  }
}

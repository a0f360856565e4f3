/**
 * @fileoverview The N-MNIST binary event format (Orchard et al. 2015, garrickorchard.com/datasets/n-mnist): one `.bin`
 * file per sample, 5 bytes (40 bits) per event, big-endian fields:
 *   byte 0: x (0..33)   byte 1: y (0..33)   byte 2: bit 7 polarity (1 ON, 0 OFF), bits 6..0 time bits 22..16
 *   byte 3: time bits 15..8   byte 4: time bits 7..0          (time: 23-bit microseconds since the recording start)
 * Folders `Train/<digit>/*.bin` and `Test/<digit>/*.bin`. Rules: a length that is not a whole number of events, a
 * coordinate outside 34x34 or a time that goes back is refused in one line; a file with no events is an empty sample
 * (it bins to T zero frames, docs/ir.md "Event input").
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SnncError } from '../base/errors.ts';
import type { DvsEvents } from './events.ts';

export const NMNIST_SIZE = 34;
export const NMNIST_EVENT_BYTES = 5;
/** Largest 23-bit timestamp. */
export const NMNIST_MAX_US = 0x7fffff;
/** The split folders of a recording, by split. */
export const NMNIST_FOLDERS = { train: 'Train', test: 'Test' } as const;

/** Decodes `bytes` (whole events) into a sample; `where` names the file in errors. */
export function decodeNmnist(bytes: Uint8Array, where: string): DvsEvents {
  if (bytes.length % NMNIST_EVENT_BYTES !== 0) {
    throw new SnncError('data', `${where}: truncated or corrupt N-MNIST file (${bytes.length} bytes is not a whole number of 5-byte events)`);
  }
  const n = bytes.length / NMNIST_EVENT_BYTES;
  const events: DvsEvents = { kind: 'dvs', x: new Uint16Array(n), y: new Uint16Array(n), p: new Uint8Array(n), t: new Float64Array(n) };
  let last = 0;
  for (let e = 0, at = 0; e < n; e++, at += NMNIST_EVENT_BYTES) {
    const x = bytes[at]!;
    const y = bytes[at + 1]!;
    const b2 = bytes[at + 2]!;
    const t = ((b2 & 0x7f) << 16) | (bytes[at + 3]! << 8) | bytes[at + 4]!;
    if (x >= NMNIST_SIZE || y >= NMNIST_SIZE) throw new SnncError('data', `${where}: event ${e} at (x ${x}, y ${y}) is outside the 34x34 sensor; corrupt N-MNIST file`);
    if (t < last) throw new SnncError('data', `${where}: event ${e} time ${t} us goes back (previous ${last} us); corrupt N-MNIST file`);
    last = t;
    events.x[e] = x;
    events.y[e] = y;
    events.p[e] = b2 >> 7;
    events.t[e] = t;
  }
  return events;
}

/** Encodes a sample as N-MNIST records (the inverse of decodeNmnist); the same rules are checked. */
export function encodeNmnist(events: DvsEvents, where: string): Uint8Array {
  const n = events.t.length;
  const out = new Uint8Array(n * NMNIST_EVENT_BYTES);
  let last = 0;
  for (let e = 0, at = 0; e < n; e++, at += NMNIST_EVENT_BYTES) {
    const t = events.t[e]!;
    const x = events.x[e]!;
    const y = events.y[e]!;
    const p = events.p[e]!;
    if (!Number.isInteger(t) || t < last || t > NMNIST_MAX_US) throw new SnncError('data', `${where}: event ${e} time ${t} us is not a whole number in ${last}..${NMNIST_MAX_US}`);
    if (x >= NMNIST_SIZE || y >= NMNIST_SIZE || p > 1) throw new SnncError('data', `${where}: event ${e} (x ${x}, y ${y}, polarity ${p}) does not fit N-MNIST`);
    last = t;
    out[at] = x;
    out[at + 1] = y;
    out[at + 2] = (p << 7) | (t >> 16);
    out[at + 3] = (t >> 8) & 0xff;
    out[at + 4] = t & 0xff;
  }
  return out;
}

export function readNmnistFile(file: string): DvsEvents {
  return decodeNmnist(readFileSync(file), file);
}

/** One sample file of a recording and its class (the digit folder it is in). */
export interface NmnistEntry {
  readonly file: string;
  readonly label: number;
}

/** Sample files in numeric order of their names (`00012.bin` before `100.bin`), then by name. */
function byNumber(a: string, b: string): number {
  return Number.parseInt(a, 10) - Number.parseInt(b, 10) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Lists both splits of an N-MNIST recording, digit 0 first. Every one of `Train/0..9` and `Test/0..9` must hold at
 * least one `.bin`; otherwise one line says everything that is missing.
 */
export function listNmnistFolder(root: string): Record<'train' | 'test', NmnistEntry[]> {
  const isDir = (dir: string): boolean => existsSync(dir) && statSync(dir).isDirectory();
  const missing: string[] = [];
  const list = (split: 'train' | 'test'): NmnistEntry[] => {
    const name = NMNIST_FOLDERS[split];
    if (!isDir(join(root, name))) {
      missing.push(`${name}/`);
      return [];
    }
    const entries: NmnistEntry[] = [];
    for (let digit = 0; digit < 10; digit++) {
      const dir = join(root, name, `${digit}`);
      const files = isDir(dir) ? readdirSync(dir).filter((f) => f.endsWith('.bin')).sort(byNumber) : [];
      if (files.length === 0) missing.push(`${name}/${digit}/*.bin`);
      for (const f of files) entries.push({ file: join(dir, f), label: digit });
    }
    return entries;
  };
  const found = { train: list('train'), test: list('test') };
  if (missing.length > 0) throw new SnncError('data', `${root} is not an N-MNIST folder: missing ${missing.join(', ')} (expected Train/0..9/*.bin and Test/0..9/*.bin)`);
  return found;
}

/**
 * @fileoverview Writes small event recordings in the real byte layouts, independently of data/ (which reads them):
 * N-MNIST `.bin` files (5 bytes an event: x, y, polarity bit 7 + time bits 22..16, time 15..8, time 7..0) in
 * `Train/<digit>/` and `Test/<digit>/` folders, and SHD HDF5 files (test/support/shd-h5.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shdFileBytes, type ShdSampleData } from './shd-h5.ts';

/** One DVS event: x, y, polarity, time in microseconds. */
export type NmnistEvent = readonly [x: number, y: number, p: number, t: number];

export function nmnistBytes(events: readonly NmnistEvent[]): Buffer {
  const out = Buffer.alloc(5 * events.length);
  events.forEach(([x, y, p, t], e) => {
    out[5 * e] = x;
    out[5 * e + 1] = y;
    out[5 * e + 2] = (p << 7) | ((t >>> 16) & 0x7f);
    out[5 * e + 3] = (t >>> 8) & 0xff;
    out[5 * e + 4] = t & 0xff;
  });
  return out;
}

/** A deterministic sample: `n` events, x/y/p from `k`, times strictly increasing from `k`. */
export function syntheticNmnist(k: number, n: number): NmnistEvent[] {
  return Array.from({ length: n }, (_, e) => [(k * 7 + e * 5) % 34, (k * 3 + e * 11) % 34, (k + e) % 2, 1000 * k + 37 * e + (e * e) % 5] as const);
}

/**
 * An N-MNIST folder under `root`: `perDigit` samples in each of Train/0..9 and Test/0..9, sample k of digit d named
 * `${k + 1}.bin` holding syntheticNmnist(10 * d + k, 3 + d). Returns the events written, by split, digit 0 first.
 */
export function writeNmnistFolder(root: string, perDigit: number): Record<'Train' | 'Test', { label: number; events: NmnistEvent[] }[]> {
  const written = { Train: [] as { label: number; events: NmnistEvent[] }[], Test: [] as { label: number; events: NmnistEvent[] }[] };
  for (const split of ['Train', 'Test'] as const) {
    for (let d = 0; d < 10; d++) {
      const dir = join(root, split, `${d}`);
      mkdirSync(dir, { recursive: true });
      for (let k = 0; k < perDigit; k++) {
        const events = syntheticNmnist(10 * d + k + (split === 'Test' ? 500 : 0), 3 + d);
        writeFileSync(join(dir, `${k + 1}.bin`), nmnistBytes(events));
        written[split].push({ label: d, events });
      }
    }
  }
  return written;
}

/** A deterministic SHD sample: `n` spikes, units from `k`, times (seconds, exact in float32) increasing. */
export function syntheticShd(k: number, n: number): ShdSampleData {
  return { times: Array.from({ length: n }, (_, e) => (k * 64 + e * 3) / 1024), units: Array.from({ length: n }, (_, e) => (k * 97 + e * 131) % 700) };
}

/** shd_train.h5 and shd_test.h5 in `dir`; sample i of a split is syntheticShd(i (+100 for test), i % 4), label i % 20. */
export function writeShdFolder(dir: string, train: number, test: number): Record<'train' | 'test', { label: number; sample: ShdSampleData }[]> {
  mkdirSync(dir, { recursive: true });
  const make = (count: number, base: number): { label: number; sample: ShdSampleData }[] =>
    Array.from({ length: count }, (_, i) => ({ label: i % 20, sample: syntheticShd(base + i, i % 4) }));
  const written = { train: make(train, 0), test: make(test, 100) };
  for (const split of ['train', 'test'] as const) {
    const rows = written[split];
    writeFileSync(join(dir, `shd_${split}.h5`), shdFileBytes(rows.map((r) => r.sample), rows.map((r) => r.label)));
  }
  return written;
}

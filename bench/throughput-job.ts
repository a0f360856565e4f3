/**
 * @fileoverview One worker thread of bench/throughput.ts: runs one software target (or the golden runtime) on its
 * share of the images when told to. It warms up first (module import, JIT, an ONNX session) and reports how long a
 * run() takes on an empty batch and on a growing one, so the caller can size the timed batch.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Program } from '../ir/program.ts';
import type { Batch } from '../runtime/batch.ts';
import { runGolden } from '../runtime/golden.ts';
import { findTarget } from '../targets/registry.ts';

export interface JobData {
  /** A registry target name, or "golden". */
  readonly target: string;
  /** Where the target's files were emitted (unused for golden). */
  readonly dir: string;
  readonly program: Program;
  /** Every image's pixels back to back, `pixelsPerImage` each; image i runs with seed i. */
  readonly pixels: Uint8Array;
  readonly pixelsPerImage: number;
  /**
   * This worker's own temp folder. Workers share the process id, and the ts target imports a temp copy of model.ts
   * named by process id and content, which two workers would write and remove under each other.
   */
  readonly tmp: string;
}

/** Sent by the caller: run images [from, to). */
export interface Go {
  readonly from: number;
  readonly to: number;
}

/** `ready`: run() on an empty batch took `setupSeconds`, and on `images` images `imagesSeconds`. */
export type JobMessage = { readonly kind: 'ready'; readonly setupSeconds: number; readonly images: number; readonly imagesSeconds: number } | { readonly kind: 'done' };

const data = workerData as JobData;
process.env.TMPDIR = data.tmp; // a worker's process.env is its own copy; os.tmpdir() reads it on each call
const imageCount = data.pixels.length / data.pixelsPerImage;

function batch(from: number, to: number): Batch {
  const images = Array.from({ length: to - from }, (_, i) => data.pixels.subarray((from + i) * data.pixelsPerImage, (from + i + 1) * data.pixelsPerImage));
  return { images, seeds: images.map((_, i) => from + i) };
}

async function run(b: Batch): Promise<void> {
  if (data.target === 'golden') {
    b.images.forEach((image, i) => runGolden(data.program, image, b.seeds[i]!));
    return;
  }
  const target = findTarget(data.target);
  if (!target) throw new Error(`no target ${data.target} in targets/registry.ts`);
  await target.run(data.dir, data.program, b);
}

async function seconds(b: Batch): Promise<number> {
  const start = performance.now();
  await run(b);
  return (performance.now() - start) / 1000;
}

const port = parentPort!;
await run(batch(0, Math.min(4, imageCount)));
// the per-call setup of run() (an empty batch), then batches of 8, 32, ... images until one computes a quarter second
const setupSeconds = Math.min(await seconds(batch(0, 0)), await seconds(batch(0, 0)));
let images = Math.min(8, imageCount);
let imagesSeconds = await seconds(batch(0, images));
while (imagesSeconds - setupSeconds < 0.25 && images < imageCount) {
  images = Math.min(images * 4, imageCount);
  imagesSeconds = await seconds(batch(0, images));
}
port.postMessage({ kind: 'ready', setupSeconds, images, imagesSeconds } satisfies JobMessage);
port.on('message', (go: Go) => {
  void run(batch(go.from, go.to)).then(() => port.postMessage({ kind: 'done' } satisfies JobMessage));
});

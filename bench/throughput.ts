/**
 * @fileoverview Throughput of any software target through its plug-in's own `run` (or of the golden runtime), on 1..n
 * worker threads that each take an equal share of the images. Used by bench/scaling.ts and by bench/run.ts to fill
 * the comparison table where a section did not measure a target at some T.
 *
 * Each worker first warms up (module import, JIT, an ONNX session), times `run` on an empty batch (its per-call setup:
 * the ts target's program fingerprint check, an ONNX Runtime session) and on growing batches, and the timed batch is
 * sized to about `seconds` of work beyond that setup. The figure covers the timed `run` calls only: wall clock from
 * "go" to the last "done", and the process's CPU time (every thread) over the same interval; each timed call still
 * pays its setup once (a few percent at the default 2 s).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Program } from '../ir/program.ts';
import { findTarget, targets } from '../targets/registry.ts';
import type { Throughput } from './row.ts';
import type { Go, JobData, JobMessage } from './throughput-job.ts';

/** Targets that simulate hardware (benchmarked in cycles by their own section), not software speed. */
const HARDWARE_TARGETS = new Set(['verilog']);

/** The golden runtime and every registered software target, in registry order: a new target is picked up here. */
export function softwareTargets(): string[] {
  return ['golden', ...targets.map((t) => t.name).filter((name) => !HARDWARE_TARGETS.has(name))];
}

export interface MeasureOptions {
  readonly threads: number;
  /** Images to time (default: sized from the warm-up to about `seconds` of work on one thread; at most the images given). */
  readonly images?: number;
  readonly seconds?: number;
  readonly minImages?: number;
}

async function emitTo(name: string, program: Program): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `snnc-throughput-${name}-`));
  if (name === 'golden') return dir;
  const target = findTarget(name);
  if (!target) throw new Error(`no target ${name} in targets/registry.ts`);
  for (const file of await target.emit(program, {})) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.contents);
  }
  return dir;
}

/** A started worker: its warm-up report, and a way to run images [from, to) to completion. */
interface Job {
  readonly ready: Extract<JobMessage, { kind: 'ready' }>;
  go(range: Go): Promise<void>;
  stop(): Promise<number>;
}

function startJob(data: JobData): Promise<Job> {
  const worker = new Worker(new URL('./throughput-worker.mjs', import.meta.url), { workerData: data });
  let pending: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  return new Promise((resolve, reject) => {
    worker.on('error', (e) => (pending ? pending.reject(e) : reject(e)));
    worker.on('message', (m: JobMessage) => {
      if (m.kind === 'ready') resolve({ ready: m, go: (range) => new Promise((res, rej) => ((pending = { resolve: res, reject: rej }), worker.postMessage(range))), stop: () => worker.terminate() });
      else pending?.resolve();
    });
  });
}

/** Wall and CPU seconds of the jobs running images [0, images), each on an equal share. */
async function timeJobs(jobs: readonly Job[], images: number): Promise<{ wallSeconds: number; cpuSeconds: number }> {
  const share = Math.ceil(images / jobs.length);
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  await Promise.all(jobs.map((job, k) => job.go({ from: Math.min(images, k * share), to: Math.min(images, (k + 1) * share) })));
  const wallSeconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return { wallSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/** Images per second of `name` on `pixels` (one image per row of `pixelsPerImage`), seeds = image index. */
export async function measureThroughput(name: string, program: Program, pixels: Uint8Array, options: MeasureOptions): Promise<Throughput> {
  const pixelsPerImage = program.input.shape.reduce((a, b) => a * b, 1);
  const available = pixels.length / pixelsPerImage;
  const dir = await emitTo(name, program);
  const jobs: Job[] = [];
  try {
    for (let k = 0; k < options.threads; k++) {
      const tmp = join(dir, `.tmp-worker-${k}`);
      mkdirSync(tmp);
      jobs.push(await startJob({ target: name, dir, program, pixels, pixelsPerImage, tmp }));
    }
    const seconds = options.seconds ?? 2;
    const { setupSeconds, images: warm, imagesSeconds } = jobs[0]!.ready;
    const perImage = Math.max((imagesSeconds - setupSeconds) / warm, imagesSeconds / warm / 10, 1e-7);
    let images = Math.min(available, options.images ?? Math.max(options.minImages ?? 64, Math.round(seconds / perImage)));
    let timed = await timeJobs(jobs, images);
    // a warm-up slowed by other load sizes the batch too small: once more, sized from the timed run itself
    if (options.images === undefined && timed.wallSeconds < seconds / 2 && images < available) {
      images = Math.min(available, Math.round((images * seconds) / timed.wallSeconds));
      timed = await timeJobs(jobs, images);
    }
    const how = options.threads === 1 ? 'one worker thread' : `${options.threads} worker threads, each on 1/${options.threads} of the images`;
    return { target: name, timesteps: program.timesteps, threads: options.threads, images, ...timed, detail: `${name === 'golden' ? 'runtime/golden.ts' : `the target's run()`}, ${how}` };
  } finally {
    await Promise.all(jobs.map((job) => job.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

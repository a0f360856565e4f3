/** @fileoverview `snnc verify`'s engine: the golden runtime against every target on the same images and seeds. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SnncError } from '../base/errors.ts';
import { fillDirAtomic, writeFilesInside } from '../base/fs-atomic.ts';
import type { Program } from '../ir/program.ts';
import { runGoldenBatch, type GoldenEvaluator } from '../runtime/golden-batch.ts';
import type { Batch, BatchResult } from '../runtime/batch.ts';
import type { EmitOptions, RunOptions, Target } from '../targets/target.ts';
import { compareBatches, describeMismatch, locateMismatch } from './compare.ts';
import { addToManifest, listFiles, sha256File } from './manifest.ts';

export interface VerifyRow {
  readonly target: string;
  readonly status: 'match' | 'mismatch' | 'skipped' | 'error';
  readonly images: number;
  readonly mismatches: number;
  /** The first mismatch, located to layer/timestep/neuron when the target can trace. */
  readonly first?: string;
  readonly imagesPerSecond?: number;
  readonly note?: string;
  /** sha256 of every file of the target that was run, by path (`<target>/...`), hashed just before running it. */
  readonly files?: Readonly<Record<string, string>>;
}

export interface VerifyOptions {
  readonly emit: EmitOptions;
  /** Run batches in chunks of this size, reporting progress between them. */
  readonly chunk?: number;
  readonly onProgress?: (target: string, done: number) => void;
  readonly run?: RunOptions;
  /** The golden runtime to compare with: `fast` (default; runtime/golden-fast.ts, tested equal) or `definition`. */
  readonly golden?: GoldenEvaluator;
}

/** Emits a target into `dir` unless `dir/<target>` already exists (and records it in the manifest); returns its folder. */
export async function ensureEmitted(target: Target, program: Program, buildDir: string, emit: EmitOptions): Promise<string> {
  const dir = join(buildDir, target.name);
  if (existsSync(dir)) return dir;
  const files = await target.emit(program, emit);
  await fillDirAtomic(dir, (staging) => writeFilesInside(staging, files.map((f) => [f.path, f.contents] as const)));
  addToManifest(buildDir, target.name);
  return dir;
}

/** What running a target writes into its own folder (simulator builds, traced twins, traces): not files it runs. */
const RUN_ARTEFACTS = new Set(['obj_dir', 'icarus', 'debug', 'synth', 'trace.txt', 'wave.vcd', 'report.json']);

/** sha256 of every file in a target's folder that it runs from, by `<target>/<path>`. */
export function targetFileHashes(target: string, dir: string): Record<string, string> {
  const paths = listFiles(dir).filter((p) => !RUN_ARTEFACTS.has(p.split('/')[0]!) && !p.startsWith('.'));
  return Object.fromEntries(paths.map((p) => [`${target}/${p}`, sha256File(join(dir, p))]));
}

async function runChunked(target: Target, dir: string, program: Program, batch: Batch, options: VerifyOptions): Promise<{ result: BatchResult; seconds: number }> {
  const chunk = options.chunk ?? batch.images.length;
  const scores: (readonly number[])[] = [];
  const labels: number[] = [];
  // One warm-up image, so loading a module or building a simulator does not count as throughput.
  await target.run(dir, program, { images: batch.images.slice(0, 1), seeds: batch.seeds.slice(0, 1) }, options.run);
  const started = performance.now();
  for (let i = 0; i < batch.images.length; i += chunk) {
    const part = await target.run(dir, program, { images: batch.images.slice(i, i + chunk), seeds: batch.seeds.slice(i, i + chunk) }, { ...options.run, firstImage: i });
    scores.push(...part.scores);
    labels.push(...part.labels);
    options.onProgress?.(target.name, scores.length);
  }
  return { result: { scores, labels }, seconds: (performance.now() - started) / 1000 };
}

export async function verifyTargets(program: Program, buildDir: string | undefined, targets: readonly Target[], batch: Batch, options: VerifyOptions): Promise<{ golden: BatchResult; goldenPerSecond: number; rows: VerifyRow[] }> {
  const started = performance.now();
  const golden = await runGoldenBatch(program, batch, { evaluator: options.golden ?? 'fast' });
  const goldenPerSecond = batch.images.length / Math.max((performance.now() - started) / 1000, 1e-9);
  const scratch = buildDir ?? mkdtempSync(join(tmpdir(), 'snnc-verify-'));
  const rows: VerifyRow[] = [];
  try {
    for (const target of targets) {
      try {
        target.check(program);
      } catch (e) {
        if (e instanceof SnncError && e.code === 'unsupported') {
          rows.push({ target: target.name, status: 'skipped', images: 0, mismatches: 0, note: e.message });
          continue;
        }
        throw e;
      }
      try {
        const dir = await ensureEmitted(target, program, scratch, options.emit);
        const files = targetFileHashes(target.name, dir);
        const { result, seconds } = await runChunked(target, dir, program, batch, options);
        const mismatches = compareBatches(golden, result);
        const first = mismatches[0];
        const where = first ? await locateMismatch(program, target, dir, batch.images[first.image]!, batch.seeds[first.image]!, options.run) : undefined;
        rows.push({
          target: target.name, status: mismatches.length === 0 ? 'match' : 'mismatch', images: batch.images.length, mismatches: mismatches.length,
          ...(first ? { first: describeMismatch(first, where) } : {}), imagesPerSecond: batch.images.length / Math.max(seconds, 1e-9), files,
        });
      } catch (e) {
        if (!(e instanceof SnncError)) throw e;
        rows.push({ target: target.name, status: 'error', images: 0, mismatches: 0, note: e.message });
      }
    }
  } finally {
    if (!buildDir) rmSync(scratch, { recursive: true, force: true });
  }
  return { golden, goldenPerSecond, rows };
}

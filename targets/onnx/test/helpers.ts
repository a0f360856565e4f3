/** @fileoverview Shared pieces of the onnx target tests: emitting into a temporary directory, golden comparisons. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import type { Program } from '../../../ir/program.ts';
import { randomPixels } from '../../../ir/random-program.ts';
import { runGolden } from '../../../runtime/golden.ts';
import type { BatchResult } from '../../target.ts';
import { emitOnnxModels, type OnnxEmitOptions } from '../emit.ts';

/** Emits `program` into a fresh temporary directory, removed when the test ends. */
export function emitToTemp(t: ExecutionContext, program: Program, options: OnnxEmitOptions = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'snnc-onnx-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const file of emitOnnxModels(program, options)) writeFileSync(join(dir, file.path), file.contents);
  return dir;
}

/** Seeds that exercise seedState's corners: 0 (the fixed state), 1, the largest uint32, and ordinary values. */
export const SEEDS = [0, 1, 0xffffffff, 12345, 2 ** 31, 77] as const;

/** A batch of random images (about a third zero pixels) for `program`, one per seed in SEEDS. */
export function randomBatch(program: Program, salt: number): { images: Uint8Array[]; seeds: number[] } {
  const size = program.input.shape.reduce((a, b) => a * b, 1);
  const images = SEEDS.map((_, i) => randomPixels(salt * 100 + i, size));
  images[1] = new Uint8Array(size); // an all-zero image: no draws at all
  return { images, seeds: [...SEEDS] };
}

/** The golden runtime's results on a batch, shaped like a target's. */
export function goldenBatch(program: Program, batch: { images: readonly Uint8Array[]; seeds: readonly number[] }): BatchResult {
  const results = batch.images.map((image, i) => runGolden(program, image, batch.seeds[i]!));
  return { scores: results.map((r) => r.scores), labels: results.map((r) => r.label) };
}

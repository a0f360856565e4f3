/**
 * @fileoverview Running an emitted model.wasm on a batch through its own loader, model.mjs, after checking that both
 * belong to the program at hand.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SnncError } from '../../base/errors.ts';
import { programSha256 } from '../../ir/fingerprint.ts';
import type { Program } from '../../ir/program.ts';
import type { Batch, BatchResult } from '../../runtime/batch.ts';
import type { InferResult } from '../../runtime/trace.ts';
import type { TargetTrace } from '../target.ts';

/** What model.mjs's `load` returns. */
export interface WasmModel {
  infer(image: Uint8Array, seed: number): InferResult;
  trace(image: Uint8Array, seed: number): TargetTrace;
}

interface Loader {
  readonly modelInfo: { readonly programSha256: string };
  load(source: Uint8Array): Promise<WasmModel>;
}

function isLoader(value: unknown): value is Loader {
  const m = value as Partial<Loader> | null;
  return typeof m?.load === 'function' && typeof m.modelInfo?.programSha256 === 'string';
}

/**
 * Imports `dir/model.mjs` and instantiates `dir/model.wasm` with it. Module caches key on the path, so a loader
 * re-emitted at the same path would be served stale: a copy named by its content's hash is imported instead (the
 * loader is given the wasm bytes, so it never looks beside itself).
 */
export async function loadWasmModel(dir: string, program: Program): Promise<WasmModel> {
  const loader = join(dir, 'model.mjs');
  const wasm = join(dir, 'model.wasm');
  for (const file of [loader, wasm]) if (!existsSync(file)) throw new SnncError('io', `${file} does not exist; emit the wasm target first`);
  const source = readFileSync(loader);
  const copy = join(tmpdir(), `snnc-wasm-loader-${process.pid}-${createHash('sha256').update(source).digest('hex').slice(0, 24)}.mjs`);
  writeFileSync(copy, source);
  let module: unknown;
  try {
    module = await import(pathToFileURL(copy).href);
  } finally {
    rmSync(copy, { force: true });
  }
  if (!isLoader(module)) throw new SnncError('io', `${loader} is not a loader emitted by the wasm target`);
  const expected = programSha256(program);
  if (module.modelInfo.programSha256 !== expected) {
    throw new SnncError('io', `${loader} was emitted from another program (fingerprint ${module.modelInfo.programSha256.slice(0, 12)}, expected ${expected.slice(0, 12)}); emit it again`);
  }
  try {
    return await module.load(readFileSync(wasm));
  } catch (e) {
    throw new SnncError('io', `${wasm} does not load: ${(e as Error).message}`);
  }
}

/** Scores and labels of `dir/model.wasm` on every image of the batch, each with its seed. */
export async function runWasm(dir: string, program: Program, batch: Batch): Promise<BatchResult> {
  if (batch.seeds.length !== batch.images.length) {
    throw new SnncError('usage', `batch has ${batch.images.length} images but ${batch.seeds.length} seeds`);
  }
  const model = await loadWasmModel(dir, program);
  const scores: number[][] = [];
  const labels: number[] = [];
  batch.images.forEach((image, n) => {
    const result = model.infer(image, batch.seeds[n]!);
    scores.push(result.scores);
    labels.push(result.label);
  });
  return { scores, labels };
}

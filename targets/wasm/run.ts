/**
 * @fileoverview Running an emitted model.wasm on a batch through its own loader, model.mjs, after checking that both
 * belong to the program at hand.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SnncError } from '../../base/errors.ts';
import { programSha256 } from '../../ir/fingerprint.ts';
import type { Program } from '../../ir/program.ts';
import type { Batch, BatchResult } from '../../runtime/batch.ts';
import type { InferResult } from '../../runtime/trace.ts';
import { importFresh, inferBatch } from '../load-emitted.ts';
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

/** Imports `dir/model.mjs` as it is now and instantiates `dir/model.wasm` with it (given as bytes). */
export async function loadWasmModel(dir: string, program: Program): Promise<WasmModel> {
  const loader = join(dir, 'model.mjs');
  const wasm = join(dir, 'model.wasm');
  for (const file of [loader, wasm]) if (!existsSync(file)) throw new SnncError('io', `${file} does not exist; emit the wasm target first`);
  const module = await importFresh(loader);
  if (!isLoader(module)) throw new SnncError('io', `${loader} is not a loader emitted by the wasm target`);
  const expected = programSha256(program);
  const found = module.modelInfo.programSha256;
  if (found !== expected) throw new SnncError('io', `${loader} was emitted from another program (fingerprint ${found.slice(0, 12)}, expected ${expected.slice(0, 12)}); emit it again`);
  try {
    return await module.load(readFileSync(wasm));
  } catch (e) {
    throw new SnncError('io', `${wasm} does not load: ${(e as Error).message}`);
  }
}

/** Scores and labels of `dir/model.wasm` on every image of the batch, each with its seed. */
export async function runWasm(dir: string, program: Program, batch: Batch): Promise<BatchResult> {
  const model = await loadWasmModel(dir, program);
  return inferBatch(batch, (image, seed) => model.infer(image, seed));
}

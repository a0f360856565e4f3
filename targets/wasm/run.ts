/**
 * @fileoverview Running an emitted model.wasm on a batch through its own loader, model.mjs, after checking that both
 * belong to the program at hand.
 */
import { createHash } from 'node:crypto';
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

/** Instantiated models by the sha256 of their loader, module and program: verify runs a build in many chunks. */
const instances = new Map<string, Promise<WasmModel>>();
const MAX_INSTANCES = 8;
/** programSha256 hashes the whole program (every weight): once per program object. */
const fingerprints = new WeakMap<Program, string>();

function fingerprint(program: Program): string {
  let sha = fingerprints.get(program);
  if (sha === undefined) fingerprints.set(program, (sha = programSha256(program)));
  return sha;
}

/**
 * Imports `dir/model.mjs` as it is now and instantiates `dir/model.wasm` with it (given as bytes). Files with the same
 * contents for the same program reuse one instance: every inference starts from `begin`, so none sees another's state.
 */
export async function loadWasmModel(dir: string, program: Program): Promise<WasmModel> {
  const loader = join(dir, 'model.mjs');
  const wasm = join(dir, 'model.wasm');
  for (const file of [loader, wasm]) if (!existsSync(file)) throw new SnncError('io', `${file} does not exist; emit the wasm target first`);
  const bytes = readFileSync(wasm);
  const key = createHash('sha256').update(readFileSync(loader)).update(bytes).update(fingerprint(program)).digest('hex');
  let model = instances.get(key);
  if (!model) {
    model = instantiate(loader, wasm, bytes, program);
    if (instances.size >= MAX_INSTANCES) instances.clear();
    instances.set(key, model);
    model.catch(() => instances.delete(key));
  }
  return model;
}

async function instantiate(loader: string, wasm: string, bytes: Uint8Array, program: Program): Promise<WasmModel> {
  const module = await importFresh(loader);
  if (!isLoader(module)) throw new SnncError('io', `${loader} is not a loader emitted by the wasm target`);
  const expected = fingerprint(program);
  const found = module.modelInfo.programSha256;
  if (found !== expected) throw new SnncError('io', `${loader} was emitted from another program (fingerprint ${found.slice(0, 12)}, expected ${expected.slice(0, 12)}); emit it again`);
  try {
    return await module.load(bytes);
  } catch (e) {
    throw new SnncError('io', `${wasm} does not load: ${(e as Error).message}`);
  }
}

/** Scores and labels of `dir/model.wasm` on every image of the batch, each with its seed. */
export async function runWasm(dir: string, program: Program, batch: Batch): Promise<BatchResult> {
  const model = await loadWasmModel(dir, program);
  return inferBatch(batch, (image, seed) => model.infer(image, seed));
}

/**
 * @fileoverview Running an emitted model.ts on a batch: importing it at run time, after checking that it belongs to the
 * program at hand.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SnncError } from '../../base/errors.ts';
import type { Program } from '../../ir/program.ts';
import type { InferResult, ModelTrace, TraceLike } from '../../runtime/trace.ts';
import type { Batch, BatchResult } from '../../runtime/batch.ts';
import { programSha256 } from '../../ir/fingerprint.ts';
import { importFresh, inferBatch } from '../load-emitted.ts';

/** The part of a generated module's API that the target and the tests use; its types are runtime/trace.ts's. */
export interface GeneratedModel {
  readonly modelInfo: { readonly name: string; readonly programSha256: string };
  infer(image: Uint8Array, seed: number): InferResult;
  trace(image: Uint8Array, seed: number): ModelTrace;
  firstDifference(expected: TraceLike, actual: TraceLike): string | undefined;
}

function isModel(value: unknown): value is GeneratedModel {
  const m = value as Partial<GeneratedModel> | null;
  return typeof m?.infer === 'function' && typeof m.trace === 'function' && typeof m.modelInfo?.programSha256 === 'string';
}

/** Fingerprints by program object: hashing the canonical JSON of an MNIST program takes ~0.1 s, and verify runs a batch in chunks. */
const fingerprints = new WeakMap<Program, string>();

function fingerprintOf(program: Program): string {
  let sha = fingerprints.get(program);
  if (sha === undefined) fingerprints.set(program, (sha = programSha256(program)));
  return sha;
}

/** Imports `dir/model.ts` (tsx must be registered) as it is on disk now (see importFresh). */
export async function loadModel(dir: string, program: Program): Promise<GeneratedModel> {
  const file = join(dir, 'model.ts');
  if (!existsSync(file)) throw new SnncError('io', `${file} does not exist; emit the ts target first`);
  const module = await importFresh(file);
  if (!isModel(module)) throw new SnncError('io', `${file} is not a model emitted by the ts target`);
  const expected = fingerprintOf(program);
  if (module.modelInfo.programSha256 !== expected) {
    throw new SnncError('io', `${file} was emitted from another program (fingerprint ${module.modelInfo.programSha256.slice(0, 12)}, expected ${expected.slice(0, 12)}); emit it again`);
  }
  return module;
}

/** Scores and labels of `dir/model.ts` on every image of the batch, each with its seed. */
export async function runModel(dir: string, program: Program, batch: Batch): Promise<BatchResult> {
  const model = await loadModel(dir, program);
  return inferBatch(batch, (image, seed) => model.infer(image, seed));
}

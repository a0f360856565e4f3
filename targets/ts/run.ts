/**
 * @fileoverview Running an emitted model.ts on a batch: importing it at run time, after checking that it belongs to the
 * program at hand.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SnncError } from '../../base/errors.ts';
import type { Program } from '../../ir/program.ts';
import type { InferResult, ModelTrace, TraceLike } from '../../runtime/trace.ts';
import type { Batch, BatchResult } from '../../runtime/batch.ts';
import { programSha256 } from '../../ir/fingerprint.ts';

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

/**
 * Imports `dir/model.ts` (tsx must be registered). Module caches key on the path (some loaders even ignore a query
 * string), so a file re-emitted at the same path would be served stale: instead a copy named by its content's hash is
 * imported, which the model allows because it imports nothing.
 */
export async function loadModel(dir: string, program: Program): Promise<GeneratedModel> {
  const file = join(dir, 'model.ts');
  if (!existsSync(file)) throw new SnncError('io', `${file} does not exist; emit the ts target first`);
  const source = readFileSync(file);
  const copy = join(tmpdir(), `snnc-ts-model-${process.pid}-${createHash('sha256').update(source).digest('hex').slice(0, 24)}.ts`);
  writeFileSync(copy, source);
  let module: unknown;
  try {
    module = await import(pathToFileURL(copy).href);
  } finally {
    rmSync(copy, { force: true });
  }
  if (!isModel(module)) throw new SnncError('io', `${file} is not a model emitted by the ts target`);
  const expected = fingerprintOf(program);
  if (module.modelInfo.programSha256 !== expected) {
    throw new SnncError('io', `${file} was emitted from another program (fingerprint ${module.modelInfo.programSha256.slice(0, 12)}, expected ${expected.slice(0, 12)}); emit it again`);
  }
  return module;
}

/** Scores and labels of `dir/model.ts` on every image of the batch, each with its seed. */
export async function runModel(dir: string, program: Program, batch: Batch): Promise<BatchResult> {
  if (batch.seeds.length !== batch.images.length) {
    throw new SnncError('usage', `batch has ${batch.images.length} images but ${batch.seeds.length} seeds`);
  }
  const model = await loadModel(dir, program);
  const scores: number[][] = [];
  const labels: number[] = [];
  batch.images.forEach((image, n) => {
    const result = model.infer(image, batch.seeds[n]!);
    scores.push(result.scores);
    labels.push(result.label);
  });
  return { scores, labels };
}

/** @fileoverview Importing an emitted model.ts at run time and checking that it belongs to the program at hand. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SnncError } from '../../base/errors.ts';
import type { Program } from '../../ir/program.ts';
import { programSha256 } from '../../ir/fingerprint.ts';

/** The part of a generated module's API that the target and the tests use. */
export interface GeneratedModel {
  readonly modelInfo: { readonly name: string; readonly programSha256: string };
  infer(image: Uint8Array, seed: number): { readonly scores: number[]; readonly label: number };
  trace(image: Uint8Array, seed: number): GeneratedTrace;
  firstDifference(expected: TraceLike, actual: TraceLike): string | undefined;
}

/** What firstDifference reads: a trace of the golden runtime, of a generated model, or a design's dump. */
export interface TraceLike {
  readonly scores: readonly number[];
  readonly label: number;
  readonly inputs: readonly (readonly number[])[];
  readonly layers: readonly {
    readonly name: string;
    readonly kind: string;
    readonly membrane: readonly (readonly number[])[];
    readonly output: readonly (readonly number[])[];
  }[];
}

export interface GeneratedTrace {
  readonly scores: number[];
  readonly label: number;
  readonly inputs: number[][];
  readonly layers: { readonly name: string; readonly kind: 'conv' | 'spiking' | 'pool'; readonly membrane: number[][]; readonly output: number[][] }[];
}

function isModel(value: unknown): value is GeneratedModel {
  const m = value as Partial<GeneratedModel> | null;
  return typeof m?.infer === 'function' && typeof m.trace === 'function' && typeof m.modelInfo?.programSha256 === 'string';
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
  const expected = programSha256(program);
  if (module.modelInfo.programSha256 !== expected) {
    throw new SnncError('io', `${file} was emitted from another program (fingerprint ${module.modelInfo.programSha256.slice(0, 12)}, expected ${expected.slice(0, 12)}); emit it again`);
  }
  return module;
}

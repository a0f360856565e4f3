/**
 * @fileoverview Mutations of a model directory for robustness fuzzing: byte flips, truncations, hostile JSON values,
 * wrong blob lengths, escaping paths. Each mutation is deterministic in its seed.
 */
import { createHash } from 'node:crypto';
import { makeRandom } from '../ir/random-program.ts';

export interface ModelFiles {
  readonly json: string;
  readonly weights: Buffer;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const HOSTILE_VALUES: readonly Json[] = [null, -1, 0, 1e300, -1e300, 2 ** 53, 1.5, 'NaN', '', [], {}, true, 'Infinity', [1e9, 1e9], 4294967296];

/** Every path to a value inside a JSON document. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function setAt(root: Json, path: (string | number)[], value: Json | undefined): void {
  let node = root as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

/** Keeps model.json's sha256 and length entries consistent with the blob, so mutations reach deeper checks. */
function resealed(json: Json, weights: Buffer): string {
  const root = json as { weightsFile?: { bytes?: number; sha256?: string } };
  if (root.weightsFile && typeof root.weightsFile === 'object') {
    root.weightsFile.bytes = weights.length;
    root.weightsFile.sha256 = createHash('sha256').update(weights).digest('hex');
  }
  return JSON.stringify(json);
}

export const MUTATION_KINDS = ['flip-json-byte', 'truncate-json', 'hostile-value', 'delete-field', 'flip-blob', 'resize-blob', 'nan-blob', 'shape', 'path-escape'] as const;
export type MutationKind = (typeof MUTATION_KINDS)[number];

export function mutateModel(files: ModelFiles, seed: number): { kind: MutationKind; files: ModelFiles } {
  const rand = makeRandom(seed);
  const int = (n: number): number => Math.floor(rand() * n);
  const kind = MUTATION_KINDS[int(MUTATION_KINDS.length)]!;
  const json = JSON.parse(files.json) as Json;
  const all = paths(json).filter((p) => p.length > 0);
  const somePath = (): (string | number)[] => all[int(all.length)]!;
  let weights = Buffer.from(files.weights);
  switch (kind) {
    case 'flip-json-byte': {
      const bytes = Buffer.from(files.json);
      bytes[int(bytes.length)] = int(256);
      return { kind, files: { json: bytes.toString('latin1'), weights } };
    }
    case 'truncate-json':
      return { kind, files: { json: files.json.slice(0, int(files.json.length)), weights } };
    case 'hostile-value':
      setAt(json, somePath(), HOSTILE_VALUES[int(HOSTILE_VALUES.length)]!);
      return { kind, files: { json: resealed(json, weights), weights } };
    case 'delete-field':
      setAt(json, somePath(), undefined);
      return { kind, files: { json: resealed(json, weights), weights } };
    case 'flip-blob':
      if (weights.length > 0) weights[int(weights.length)] = int(256);
      return { kind, files: { json: rand() < 0.5 ? resealed(json, weights) : files.json, weights } };
    case 'resize-blob':
      weights = rand() < 0.5 ? weights.subarray(0, int(weights.length)) : Buffer.concat([weights, Buffer.alloc(4 * (1 + int(64)))]);
      return { kind, files: { json: rand() < 0.7 ? resealed(json, weights) : files.json, weights } };
    case 'nan-blob':
      if (weights.length >= 4) weights.writeFloatLE([NaN, Infinity, -Infinity, 3e38][int(4)]!, 4 * int(weights.length / 4));
      return { kind, files: { json: resealed(json, weights), weights } };
    case 'shape': {
      const shapes = all.filter((p) => p[p.length - 2] === 'shape');
      if (shapes.length > 0) setAt(json, shapes[int(shapes.length)]!, [0, -3, 1, 2, 100000, 1e7][int(6)]!);
      return { kind, files: { json: resealed(json, weights), weights } };
    }
    case 'path-escape':
      setAt(json, ['weightsFile', 'path'], ['../weights.bin', '/etc/passwd', '..', 'sub/weights.bin', 'weights.bin\u0000'][int(5)]!);
      return { kind, files: { json: JSON.stringify(json), weights } };
  }
}

/**
 * @fileoverview Hostile input files for test/hostile/inputs-*: a scratch folder with a good model in it, a record of
 * every file's bytes (to prove a refused command changed nothing), hand-made PNG headers, and the one-line-refusal
 * assertion every case shares.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import type { SnnModel } from '../../../model/format.ts';
import { writeModel } from '../../../model/write-model.ts';
import { tinyModel } from '../../support/tiny-model.ts';
import { PNG_SIGNATURE } from '../../../data/png.ts';

export { snapshotTree, assertKept as assertUnchanged } from './snapshot.ts';

const made: string[] = [];

/** A fresh folder under the system temp folder (removed by removeScratch). */
export function scratch(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `snnc-hostile-${label}-`));
  made.push(dir);
  return dir;
}

/** Removes every folder scratch() made (FIFOs and sparse files included); for test.after.always. */
export function removeScratch(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Writes `model` (default: a tiny MNIST SNN) into DIR/NAME and returns that folder. */
export function modelDir(dir: string, name = 'model', model: SnnModel = tinyModel(1)): string {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  writeModel(model, folder);
  return folder;
}

/** model.json of a model folder as an object, edited by `edit`, and written back. */
export function editModelJson(folder: string, edit: (json: Record<string, unknown>) => void): void {
  const file = join(folder, 'model.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(json);
  writeFileSync(file, JSON.stringify(json, null, 2));
}

/** A named pipe (nothing ever writes it: a reader that opens it blocking would hang). */
export function fifo(path: string): string {
  execFileSync('mkfifo', [path]);
  return path;
}

/** A sparse file of `bytes` (no disk blocks): `truncate -s`. */
export function sparse(path: string, bytes: number): string {
  execFileSync('truncate', ['-s', String(bytes), path]);
  return path;
}

/** The result of a refused command: exit `code`, exactly one stderr line, matching every pattern. */
export function assertRefused(t: ExecutionContext, result: { code: number; err: readonly string[] }, code: number, patterns: readonly RegExp[]): void {
  t.is(result.code, code, result.err.join('\n'));
  t.is(result.err.length, 1, `one stderr line, got: ${JSON.stringify(result.err)}`);
  const line = result.err[0] ?? '';
  t.false(line.includes('\n'), line);
  t.false(/internal error/.test(line), line);
  for (const pattern of patterns) t.regex(line, pattern);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid-looking 8-bit gray PNG header declaring `width` x `height`, with an empty IDAT: tiny on disk. */
export function pngDeclaring(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // gray
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', Buffer.alloc(0)), chunk('IEND', Buffer.alloc(0))]);
}

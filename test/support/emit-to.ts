/**
 * @fileoverview The one way tests get a target's files on disk: a temporary folder (removed when the test process
 * exits), and `emitTo`, which writes what `target.emit` returns there as `snnc compile` does (one atomic folder).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDirAtomic } from '../../base/fs-atomic.ts';
import type { Program } from '../../ir/program.ts';
import type { EmitOptions, Target } from '../../targets/target.ts';

const made: string[] = [];
process.once('exit', () => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A fresh folder under the OS temp folder, named `snnc-test-<name>-...`, removed when this test process exits. */
export function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `snnc-test-${name.replace(/[^\w.-]/g, '_')}-`));
  made.push(dir);
  return dir;
}

/** Emits `program` with `target` into `dir` (default: a fresh temp folder), replacing what was there; returns `dir`. */
export async function emitTo(target: Target, program: Program, options: EmitOptions = {}, dir = tempDir(`${target.name}-${program.name}`)): Promise<string> {
  const files = await target.emit(program, options);
  writeDirAtomic(dir, files.map((f) => [f.path, f.contents] as const));
  return dir;
}

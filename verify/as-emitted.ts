/**
 * @fileoverview The trust check before running generated code from a build: the files of a target that runs code (the
 * TS model is imported, Verilog is compiled and can call `$system`) must be exactly what the build's ir.json emits.
 * ir.json is data, read by the validator; so a statement planted in model.ts or the RTL is refused even when the
 * sender also rewrote manifest.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SnncError } from '../base/errors.ts';
import type { Program } from '../ir/program.ts';
import type { Target } from '../targets/target.ts';

/** Refuses, in one line, a target folder whose files differ from what `program` emits (unless it has no `reemit`). */
export async function requireAsEmitted(buildDir: string, target: Target, program: Program): Promise<void> {
  const dir = join(buildDir, target.name);
  if (!target.reemit || !existsSync(dir)) return;
  for (const file of await target.reemit(dir, program)) {
    const path = join(dir, file.path);
    if (!existsSync(path) || Buffer.compare(readFileSync(path), Buffer.from(file.contents)) !== 0) {
      throw new SnncError('io', `${path} is not what ${join(buildDir, 'ir.json')} emits for the ${target.name} target, so it is not run (pass --as-is to run it as it is)`);
    }
  }
}

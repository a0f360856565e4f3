/** @fileoverview Golden text files: compared exactly, rewritten when UPDATE_GOLDEN=1 (then review the diff). */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ExecutionContext } from 'ava';

export function assertGolden(t: ExecutionContext, file: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    t.pass(`updated ${file}`);
    return;
  }
  if (!existsSync(file)) {
    t.fail(`${file} does not exist; run UPDATE_GOLDEN=1 npm test and review it`);
    return;
  }
  t.is(actual, readFileSync(file, 'utf8'), `${file} differs; if the change is intended, run UPDATE_GOLDEN=1 npm test and review the diff`);
}

/** @fileoverview Snapshots a folder tree (paths and bytes) so a test can prove a refused command changed nothing. */
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ExecutionContext } from 'ava';

/** Relative path -> bytes (a folder is '<dir>', a link '<link> target'), for every entry under `root`. */
export type TreeSnapshot = ReadonlyMap<string, string>;

export function snapshotTree(root: string): TreeSnapshot {
  const entries = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      const key = relative(root, path);
      if (stat.isSymbolicLink()) entries.set(key, `<link> ${readlinkSync(path)}`);
      else if (stat.isDirectory()) {
        entries.set(key, '<dir>');
        walk(path);
      } else entries.set(key, readFileSync(path).toString('base64'));
    }
  };
  if (existsSync(root)) walk(root);
  return entries;
}

/** Asserts that everything in `before` is still under `root` with the same bytes (new entries are allowed). */
export function assertKept(t: ExecutionContext, root: string, before: TreeSnapshot): void {
  const after = snapshotTree(root);
  const lost = [...before.keys()].filter((path) => !after.has(path));
  const changed = [...before].filter(([path, bytes]) => after.has(path) && after.get(path) !== bytes).map(([path]) => path);
  t.deepEqual(lost, [], 'no file or folder that existed before is gone');
  t.deepEqual(changed, [], 'no file that existed before has other bytes');
}

/** Asserts that `root` holds exactly what it held before: nothing lost, changed or added (no leftovers). */
export function assertSame(t: ExecutionContext, root: string, before: TreeSnapshot): void {
  assertKept(t, root, before);
  const added = [...snapshotTree(root).keys()].filter((path) => !before.has(path));
  t.deepEqual(added, [], 'nothing was added (no staging folder or partial output left behind)');
}

/** Asserts one stderr line matching `pattern`, no stack trace. */
export function assertOneLine(t: ExecutionContext, stderr: string | readonly string[], pattern: RegExp): void {
  const lines = typeof stderr === 'string' ? stderr.replace(/\n$/, '').split('\n') : stderr.flatMap((l) => l.split('\n'));
  t.is(lines.length, 1, `exactly one stderr line, got: ${JSON.stringify(lines)}`);
  t.regex(lines[0] ?? '', pattern);
  t.false(/\bat .*\.ts:\d+/.test(lines.join('\n')), 'no stack trace');
}

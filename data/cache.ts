/** @fileoverview Where fetched datasets live: one folder per dataset under a per-user cache directory. */
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The cache root: `$SNNC_CACHE_DIR`, else `$XDG_CACHE_HOME/snnc`, else `~/.cache/snnc`.
 * Read on every call (not at import) so a test or the CLI can point it elsewhere; an empty variable counts as unset,
 * as the XDG spec asks.
 */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SNNC_CACHE_DIR) return env.SNNC_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'snnc');
  return join(homedir(), '.cache', 'snnc');
}

/** The folder that holds one dataset's files once it is fetched. */
export function datasetDir(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), name);
}

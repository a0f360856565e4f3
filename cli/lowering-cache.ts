/**
 * @fileoverview A per-user cache of lowered programs, so `snnc run`, `eval` and `ir` on the same model and options
 * skip calibration (40 s for the NIR CNN). Keyed by the model's sha256, every flag that shapes the program, and the
 * source of the lowering itself; read back through the IR validator, written with a rename.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot } from '../data/cache.ts';
import { SnncError } from '../base/errors.ts';
import { writeFileAtomic } from '../base/fs-atomic.ts';
import { loadModelArg, nirFlags } from './load-model-arg.ts';
import type { Program } from '../ir/program.ts';
import { loweringChecks } from '../compiler/lower.ts';
import { parseProgram } from '../ir/validate.ts';
import { flagString, type ParsedArgs } from './args.ts';
import { compileFromArgs, lowerFlags } from './commands/compile.ts';

/** Bumped when the cache file's meaning changes; the source fingerprint below covers changes to the lowering. */
const CACHE_FORMAT = 1;

/** Source floors whose code decides the program: ground, IR, model, calibration data, runtime, the lowering and NIR. */
const LOWERING_SOURCES = ['base', 'ir', 'model', 'data', 'runtime', 'compiler'];
const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Flags read by the lowering (and by a NIR import); `--dataset` is included because a NIR import reads it too. */
const KEY_FLAGS = [...Object.keys(lowerFlags).filter((f) => f !== 'dump-after'), ...Object.keys(nirFlags), 'dataset'].sort();

export function programCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'programs');
}

let sourceFingerprint: string | undefined;

/** sha256 over the lowering's own source files, so an edited compiler never reads a program its old self wrote. */
function loweringSourceSha256(): string {
  if (sourceFingerprint) return sourceFingerprint;
  const hash = createHash('sha256');
  // lower.ts runs the pipeline; compile.ts turns the flags into lowering options.
  for (const file of ['compiler/lower.ts', 'cli/commands/compile.ts']) hash.update(file).update(readFileSync(join(REPO_ROOT, file)));
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(REPO_ROOT, dir)).sort()) {
      const rel = `${dir}/${name}`;
      if (statSync(join(REPO_ROOT, rel)).isDirectory()) walk(rel);
      else if (/\.(ts|mjs)$/.test(name)) hash.update(rel).update(readFileSync(join(REPO_ROOT, rel)));
    }
  };
  for (const dir of LOWERING_SOURCES) walk(dir);
  sourceFingerprint = hash.digest('hex');
  return sourceFingerprint;
}

/** The cache file for this model and these flags. */
export function programCacheKey(modelSha256: string, args: ParsedArgs): string {
  const flags = KEY_FLAGS.map((name) => [name, args.flags.has(name) ? String(args.flags.get(name)) : null]);
  return createHash('sha256').update(JSON.stringify({ format: CACHE_FORMAT, lowering: loweringSourceSha256(), model: modelSha256, flags })).digest('hex');
}

interface CacheEntry {
  readonly program: Program;
  /** The lowering's warnings (check-lowering.ts), printed again on every hit. */
  readonly warnings: readonly string[];
}

function readCached(file: string, modelSha256: string): CacheEntry | undefined {
  if (!existsSync(file) || !statSync(file).isFile()) return undefined;
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { format?: unknown; warnings?: unknown; program?: unknown };
    if (raw.format !== CACHE_FORMAT || !Array.isArray(raw.warnings) || !raw.warnings.every((w) => typeof w === 'string')) return undefined;
    const program = parseProgram(JSON.stringify(raw.program), file);
    return program.sourceSha256 === modelSha256 ? { program, warnings: raw.warnings as string[] } : undefined;
  } catch (e) {
    // Unreadable or invalid: lower afresh and write over it.
    if (e instanceof SnncError || e instanceof SyntaxError) return undefined;
    throw e;
  }
}

function writeCached(file: string, entry: CacheEntry, log: (line: string) => void): void {
  try {
    writeFileAtomic(file, JSON.stringify({ format: CACHE_FORMAT, warnings: entry.warnings, program: entry.program }) + '\n', { parents: 'create' });
  } catch (e) {
    // A cache that cannot be written costs the next run its calibration, nothing more.
    log(`snnc: note: could not cache the lowered program in ${file} (${(e as Error).message.split('\n')[0]})`);
  }
}

/**
 * compileFromArgs, served from the cache when the same model was lowered with the same flags before. A program with
 * `--dump-after` is always lowered afresh (the dump is the point).
 */
export async function compileCached(modelPath: string, args: ParsedArgs, log: (line: string) => void, dump?: (text: string) => void): Promise<Program> {
  if (flagString(args, 'dump-after') !== undefined) return compileFromArgs(modelPath, args, log, dump);
  const { sha256 } = await loadModelArg(modelPath, args);
  const file = join(programCacheDir(), `${programCacheKey(sha256, args)}.json`);
  const cached = readCached(file, sha256);
  if (cached) {
    log(`snnc: note: lowered program read from the cache (${file})`);
    for (const warning of cached.warnings) log(`snnc: warning: ${warning}`);
    return cached.program;
  }
  const program = await compileFromArgs(modelPath, args, log, dump);
  writeCached(file, { program, warnings: loweringChecks(program)?.warnings ?? [] }, log);
  return program;
}

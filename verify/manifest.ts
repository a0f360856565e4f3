/**
 * @fileoverview The build manifest: `manifest.json` beside `ir.json`, the sha256 of every file compile wrote. verify and
 * report check the files they are about to load, build or run against it, and refuse a build that was changed since.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { SnncError } from '../base/errors.ts';

export const MANIFEST_FILE = 'manifest.json';

export interface Manifest {
  readonly format: 'snnc-build-manifest';
  readonly version: 1;
  /** Path relative to the build directory (forward slashes) -> sha256 of its bytes. */
  readonly files: Readonly<Record<string, string>>;
}

export function sha256Bytes(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function sha256File(file: string): string {
  return sha256Bytes(readFileSync(file));
}

/** Every regular file under `dir`, as sorted forward-slash paths relative to it. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) out.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

/** Hashes every file compile wrote into `buildDir` and records them in manifest.json (compile calls this last). */
export function writeManifest(buildDir: string): void {
  const files = Object.fromEntries(listFiles(buildDir).filter((p) => p !== MANIFEST_FILE).map((p) => [p, sha256File(join(buildDir, p))]));
  const manifest: Manifest = { format: 'snnc-build-manifest', version: 1, files };
  writeFileSync(join(buildDir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
}

export function readManifest(buildDir: string): Manifest | undefined {
  const file = join(buildDir, MANIFEST_FILE);
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new SnncError('io', `${file}: not valid JSON`);
  }
  const m = parsed as Partial<Manifest> | null;
  if (m?.format !== 'snnc-build-manifest' || m.version !== 1 || typeof m.files !== 'object' || m.files === null) {
    throw new SnncError('io', `${file}: not a version 1 snnc build manifest`);
  }
  return m as Manifest;
}

/** Adds (or replaces) the entries under `prefix/`, e.g. after verify emitted a target missing from the build. */
export function addToManifest(buildDir: string, prefix: string): void {
  const manifest = readManifest(buildDir);
  if (!manifest) return;
  const kept = Object.entries(manifest.files).filter(([p]) => !p.startsWith(`${prefix}/`));
  const added = listFiles(join(buildDir, prefix)).map((p) => [`${prefix}/${p}`, sha256File(join(buildDir, prefix, p))] as const);
  const files = Object.fromEntries([...kept, ...added].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  writeFileSync(join(buildDir, MANIFEST_FILE), JSON.stringify({ ...manifest, files }, null, 2) + '\n');
}

/** The first recorded file under one of `prefixes` (or named exactly) whose bytes on disk differ, or that is gone. */
export function firstChangedFile(buildDir: string, manifest: Manifest, prefixes: readonly string[]): { path: string; problem: 'changed' | 'missing' } | undefined {
  for (const [path, sha] of Object.entries(manifest.files)) {
    if (!prefixes.some((p) => path === p || path.startsWith(`${p}/`))) continue;
    const file = join(buildDir, path);
    if (!existsSync(file) || !statSync(file).isFile()) return { path, problem: 'missing' };
    if (sha256File(file) !== sha) return { path, problem: 'changed' };
  }
  return undefined;
}

/**
 * Refuses, in one line, a build whose files under `prefixes` (folders, or `ir.json`) are not the ones compile wrote:
 * a recorded file changed or gone, a folder on disk that compile did not write, or no manifest at all. With `asIs`
 * nothing is checked: the files are verified as they are.
 */
export function requireUnchanged(buildDir: string, prefixes: readonly string[], asIs: boolean): void {
  if (asIs) return;
  const manifest = readManifest(buildDir);
  const hint = 'pass --as-is to check the files as they are';
  if (!manifest) throw new SnncError('io', `${buildDir}: no ${MANIFEST_FILE}, so its files cannot be checked against what compile wrote (compile it again, or ${hint})`);
  const recorded = Object.keys(manifest.files);
  for (const prefix of prefixes) {
    const onDisk = existsSync(join(buildDir, prefix));
    if (onDisk && !recorded.some((p) => p === prefix || p.startsWith(`${prefix}/`))) {
      throw new SnncError('io', `${join(buildDir, prefix)} is not in ${MANIFEST_FILE}: compile did not write it (${hint})`);
    }
  }
  const changed = firstChangedFile(buildDir, manifest, prefixes);
  if (changed) {
    throw new SnncError('io', `${join(buildDir, changed.path)} ${changed.problem === 'missing' ? 'is missing' : 'differs from what compile wrote'} (sha256 in ${MANIFEST_FILE}); ${hint}`);
  }
}

/** The build directory whose manifest records the design directory `dir` (compile writes DIR/verilog), if any. */
export function manifestRoot(dir: string): { root: string; prefix: string } | undefined {
  const root = dirname(dir);
  const prefix = basename(dir);
  const manifest = existsSync(join(root, MANIFEST_FILE)) ? readManifest(root) : undefined;
  return manifest && Object.keys(manifest.files).some((p) => p.startsWith(`${prefix}/`)) ? { root, prefix } : undefined;
}

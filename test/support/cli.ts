/** @fileoverview Runs the CLI for tests: in process (fast) or as the real `snnc` executable. */
import { spawnSync } from 'node:child_process';
import { main } from '../../cli/main.ts';

export interface CliResult {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

export async function cli(...argv: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), log: (l) => err.push(l), tty: false });
  return { code, out, err };
}

const BIN = new URL('../../bin/snnc.mjs', import.meta.url).pathname;

/** Where and as whom the executable runs: tests running as root pass another uid/gid to meet permissions. */
export interface ProcessOptions {
  readonly cwd?: string;
  readonly uid?: number;
  readonly gid?: number;
}

/** Runs the real executable. */
export function cliProcess(argv: readonly string[], env: NodeJS.ProcessEnv = {}, options: ProcessOptions = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...argv], { encoding: 'utf8', env: { ...process.env, ...env }, ...options });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * @fileoverview Builds the Verilator simulation of a board folder (its top and sim/board_sim.cpp, cached in
 * obj_dir/ and keyed on the bytes of every file it reads) and starts it: the pseudo-terminal it prints is the port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SnncError } from '../../../base/errors.ts';
import { runTool } from '../run.ts';
import { BOARD_HARNESS, readBoardInfo } from './emit-board.ts';

export interface RunningBoard {
  readonly port: string;
  readonly pid: number;
  /** Closes the harness's stdin (it ends by itself), then waits for it. */
  stop(): Promise<void>;
}

/** Builds (or reuses) the harness executable of the board folder `dir`. */
export function buildBoardSim(dirArg: string): string {
  const dir = resolve(dirArg);
  const info = readBoardInfo(dir);
  const mdir = join(dir, 'obj_dir');
  const exe = join(mdir, 'board_sim');
  const stamp = join(mdir, 'snnc-build-key');
  const flags = ['--cc', '--exe', '--build', '-j', '2', '--top-module', info.top, '-Wno-fatal', '--Mdir', mdir, '-o', 'board_sim', '-CFLAGS', '-O2'];
  const mem = existsSync(join(dir, 'mem')) ? readdirSync(join(dir, 'mem')).sort().map((f) => `mem/${f}`) : [];
  const hash = createHash('sha256').update(flags.join('\0'));
  const sources = [...info.rtl, ...(info.simRtl ?? [])];
  for (const path of ['board.json', BOARD_HARNESS, ...sources, ...mem]) hash.update(`${path}\0`).update(readFileSync(join(dir, path))).update('\0');
  const key = hash.digest('hex');
  if (!(existsSync(exe) && existsSync(stamp) && readFileSync(stamp, 'utf8') === key)) {
    rmSync(mdir, { recursive: true, force: true });
    mkdirSync(mdir, { recursive: true });
    runTool('verilator', [...flags, ...sources, BOARD_HARNESS], dir, 'verilator build of the board simulation');
    writeFileSync(stamp, key);
  }
  return exe;
}

/** Starts the board simulation of `dir`; resolves once it names its pseudo-terminal. */
export function startBoardSim(dirArg: string): Promise<RunningBoard> {
  const dir = resolve(dirArg);
  const exe = buildBoardSim(dir);
  // cwd: the folder, where the memory images' relative paths (mem/) resolve.
  const child = spawn(exe, [], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  return new Promise((resolveStart, reject) => {
    let text = '';
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', (e) => reject(new SnncError('tool', `board simulation: ${e.message}`)));
    child.once('exit', (code) => reject(new SnncError('tool', `board simulation exited with ${code} before naming its port: ${stderr.trim().split('\n').pop() ?? ''}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /^pty (\S+)$/m.exec(text);
      if (match) resolveStart({ port: match[1]!, pid: child.pid!, stop: () => stopChild(child) });
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => { clearTimeout(timer); done(); });
    child.stdin!.end();
    // A stopped (SIGSTOP) harness cannot read its stdin closing.
    child.kill('SIGCONT');
  });
}

/**
 * @fileoverview Simulation runners: build the emitted design once with Verilator (cached in DIR/obj_dir, keyed by the
 * design's fingerprint) or Icarus, write a batch of images as a vector file, run the bench, parse its output file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SnncError } from '../../compiler/errors.ts';
import type { Batch } from '../target.ts';
import type { DesignInfo } from './design.ts';

export type Simulator = 'verilator' | 'icarus';

export interface SimulationResult {
  readonly scores: readonly (readonly number[])[];
  readonly labels: readonly number[];
  readonly cycles: readonly number[];
}

export interface SimulateOptions {
  readonly simulator?: Simulator;
  /** Per-update trace file (traced designs only), relative to nothing: an absolute or cwd path. */
  readonly traceFile?: string;
  readonly vcdFile?: string;
}

/** The simulator to use: the option, else SNNC_SIMULATOR, else Verilator. */
export function chooseSimulator(option?: Simulator): Simulator {
  const env = process.env.SNNC_SIMULATOR;
  if (option) return option;
  if (env === 'icarus' || env === 'verilator') return env;
  if (env !== undefined && env !== '') throw new SnncError('usage', `SNNC_SIMULATOR=${env}: expected verilator or icarus`);
  return 'verilator';
}

/** Runs a tool to completion; a missing executable is a one-line tool error, a failure quotes its last lines. */
export function runTool(command: string, args: readonly string[], cwd: string, what: string, timeoutMs = 3_600_000): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: timeoutMs });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new SnncError('tool', `${command} not found: ${what} needs it on PATH (Debian: apt-get install ${command === 'vvp' ? 'iverilog' : command})`);
  }
  if (result.error) throw new SnncError('tool', `${what}: ${command} failed: ${result.error.message}`);
  if (result.status !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-3).join(' | ');
    throw new SnncError('tool', `${what}: ${command} exited with ${result.status}: ${tail}`);
  }
  return `${result.stdout}${result.stderr}`;
}

export function readDesign(dir: string): DesignInfo {
  const file = join(dir, 'design.json');
  if (!existsSync(file)) throw new SnncError('io', `${dir}: no design.json (emit the verilog target there first)`);
  const info = JSON.parse(readFileSync(file, 'utf8')) as DesignInfo;
  if (info.format !== 'snnc-verilog-design' || info.version !== 1) throw new SnncError('io', `${file}: not a version 1 snnc verilog design`);
  return info;
}

function sources(info: DesignInfo): string[] {
  return [...info.rtl, ...info.tb];
}

/** Builds (or reuses) the simulator executable for the design in `dir`; returns the command to run it. */
export function buildSimulator(dir: string, info: DesignInfo, simulator: Simulator): { command: string; args: string[] } {
  if (simulator === 'verilator') {
    const mdir = join(dir, 'obj_dir');
    const stamp = join(mdir, 'snnc-fingerprint');
    const exe = join(mdir, 'snn_sim');
    if (!(existsSync(exe) && existsSync(stamp) && readFileSync(stamp, 'utf8') === info.fingerprint)) {
      rmSync(mdir, { recursive: true, force: true });
      const trace = info.traces ? ['--trace'] : [];
      runTool('verilator', [
        '--binary', '-j', '2', '--top-module', info.testbench, '-Wno-fatal', '--Mdir', 'obj_dir', '-o', 'snn_sim',
        '-CFLAGS', '-O1', ...trace, ...sources(info),
      ], dir, 'verilator build');
      writeFileSync(stamp, info.fingerprint);
    }
    return { command: exe, args: [] };
  }
  const out = join(dir, 'icarus');
  const vvp = join(out, 'snn_tb.vvp');
  const stamp = join(out, 'snnc-fingerprint');
  if (!(existsSync(vvp) && existsSync(stamp) && readFileSync(stamp, 'utf8') === info.fingerprint)) {
    mkdirSync(out, { recursive: true });
    runTool('iverilog', ['-g2005', '-s', info.testbench, '-o', vvp, ...sources(info)], dir, 'icarus build');
    writeFileSync(stamp, info.fingerprint);
  }
  return { command: 'vvp', args: ['-n', vvp] };
}

/** One line per image: seed, then pixels, hex. */
export function vectorFile(batch: Batch, pixels: number): string {
  const lines = [String(batch.images.length)];
  batch.images.forEach((image, i) => {
    if (image.length !== pixels) throw new SnncError('data', `image ${i} has ${image.length} pixels, the design takes ${pixels}`);
    const seed = (batch.seeds[i] ?? 0) >>> 0;
    lines.push([seed.toString(16), ...Array.from(image, (p) => p.toString(16))].join(' '));
  });
  return lines.join('\n') + '\n';
}

export function parseOutput(text: string, images: number, classes: number): SimulationResult {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const scores: number[][] = [];
  const labels: number[] = [];
  const cycles: number[] = [];
  for (const line of lines) {
    if (line.trim() === 'timeout') throw new SnncError('mismatch', `the design stalled on image ${labels.length} (bench timeout)`);
    const fields = line.trim().split(/\s+/).map(Number);
    if (fields.length !== classes + 2 || fields.some((f) => !Number.isSafeInteger(f))) throw new SnncError('tool', `unreadable simulation output line: ${line}`);
    labels.push(fields[0]!);
    cycles.push(fields[1]!);
    scores.push(fields.slice(2));
  }
  if (labels.length !== images) throw new SnncError('tool', `simulation produced ${labels.length} results for ${images} images`);
  return { scores, labels, cycles };
}

/** Simulates `batch` on the design emitted in `dir`. */
export function simulate(dir: string, batch: Batch, options: SimulateOptions = {}): SimulationResult {
  const info = readDesign(dir);
  const simulator = chooseSimulator(options.simulator);
  const { command, args } = buildSimulator(dir, info, simulator);
  const work = mkdtempSync(join(dir, '.run-'));
  try {
    const input = join(work, 'in.txt');
    const output = join(work, 'out.txt');
    writeFileSync(input, vectorFile(batch, info.pixels));
    const plus = [`+in=${input}`, `+out=${output}`];
    if (options.traceFile) plus.push(`+trace=${options.traceFile}`);
    if (options.vcdFile) plus.push(`+vcd=${options.vcdFile}`);
    runTool(command, [...args, ...plus], dir, `${simulator} simulation`);
    if (!existsSync(output)) throw new SnncError('tool', `${simulator} simulation wrote no output file`);
    return parseOutput(readFileSync(output, 'utf8'), batch.images.length, info.classes);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * @fileoverview Simulation runners: build the emitted design once with Verilator (cached in DIR/obj_dir) or Icarus
 * (DIR/icarus), write a batch of images as a vector file, run the bench, parse its output file. A cached build is
 * keyed on the sha256 of the bytes on disk of every file it reads (RTL, bench, memory images, design.json), so an
 * edited file always rebuilds.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SnncError } from '../../base/errors.ts';
import { programSha256 } from '../../ir/fingerprint.ts';
import type { Program } from '../../ir/program.ts';
import type { Batch, BatchResult } from '../../runtime/batch.ts';
import type { RunOptions } from '../target.ts';
import { readDesign, type DesignInfo } from './emit.ts';

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
  /** Percent of cycles with in_valid and out_ready held low (the bench's +gap, testbench-gaps.ts), default 0. */
  readonly gapPercent?: number;
  /** The number of the batch's first image, for messages (default 0). */
  readonly firstImage?: number;
}

/** The gaps `run` (verify, the conformance suite) streams with: bubbles and back-pressure on every design. */
export const RUN_GAP_PERCENT = 25;

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

function sources(info: DesignInfo): string[] {
  return [...info.rtl, ...info.tb];
}

/** Every file a simulator build reads, relative to the design directory: design.json, the sources, the memory images. */
export function designInputs(dir: string, info: DesignInfo): string[] {
  const mem = existsSync(join(dir, 'mem')) ? readdirSync(join(dir, 'mem')).filter((f) => f.endsWith('.hex')).sort().map((f) => `mem/${f}`) : [];
  return ['design.json', ...sources(info), ...mem];
}

/** sha256 over the tool, its flags and the path and bytes of every input on disk: the key of a cached build. */
export function buildKey(dir: string, info: DesignInfo, tool: string, flags: readonly string[]): string {
  const hash = createHash('sha256').update(`${tool}\0${flags.join('\0')}\0`);
  for (const path of designInputs(dir, info)) {
    const file = join(dir, path);
    if (!existsSync(file)) throw new SnncError('io', `${file} is missing (design.json lists it)`);
    hash.update(`${path}\0`).update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** The simulator's own version line, for reports. */
export function simulatorVersion(simulator: Simulator): string {
  const text = simulator === 'verilator' ? runTool('verilator', ['--version'], process.cwd(), 'verilator --version') : iverilogVersion();
  return text.trim().split('\n')[0]!.trim();
}

function iverilogVersion(): string {
  // `iverilog -V` prints its version, then complains that no sources were given (exit 1); only the first line counts.
  const result = spawnSync('iverilog', ['-V'], { encoding: 'utf8' });
  if (result.error) throw new SnncError('tool', 'iverilog not found: icarus needs it on PATH (Debian: apt-get install iverilog)');
  return `${result.stdout}${result.stderr}`;
}

/** A build takes tens of seconds with nothing to count: on a terminal, say what runs while it does, then clear it. */
function announced<T>(what: string, step: () => T): T {
  const tty = Boolean(process.stderr.isTTY);
  if (tty) process.stderr.write(`${what}...`);
  try {
    return step();
  } finally {
    if (tty) process.stderr.write('\r\x1b[K');
  }
}

/** Builds (or reuses) the simulator executable of `testbench` (default: the core bench) in `dir`; returns the command to run it. */
export function buildSimulator(dirArg: string, info: DesignInfo, simulator: Simulator, testbench: string = info.testbench): { command: string; args: string[] } {
  const dir = resolve(dirArg);
  // Another bench builds in a folder of its own under the core bench's (run artefacts, verify/verify.ts).
  const own = (folder: string): string => (testbench === info.testbench ? join(dir, folder) : join(dir, folder, testbench));
  if (simulator === 'verilator') {
    const mdir = own('obj_dir');
    const stamp = join(mdir, 'snnc-build-key');
    const exe = join(mdir, 'snn_sim');
    const flags = [
      '--binary', '-j', '2', '--top-module', testbench, '-Wno-fatal', '--Mdir', mdir, '-o', 'snn_sim',
      '-CFLAGS', '-O1', ...(info.traces ? ['--trace'] : []),
    ];
    const key = buildKey(dir, info, 'verilator', flags);
    if (!(existsSync(exe) && existsSync(stamp) && readFileSync(stamp, 'utf8') === key)) {
      rmSync(mdir, { recursive: true, force: true });
      mkdirSync(mdir, { recursive: true });
      announced(`building the Verilator simulator of ${dir} (once per design)`, () => runTool('verilator', [...flags, ...sources(info)], dir, 'verilator build'));
      writeFileSync(stamp, key);
    }
    return { command: exe, args: [] };
  }
  const out = own('icarus');
  const vvp = join(out, `${testbench}.vvp`);
  const stamp = join(out, 'snnc-build-key');
  const flags = ['-g2005', '-s', testbench];
  const key = buildKey(dir, info, 'iverilog', flags);
  if (!(existsSync(vvp) && existsSync(stamp) && readFileSync(stamp, 'utf8') === key)) {
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    announced(`building the Icarus simulation of ${dir} (once per design)`, () => runTool('iverilog', [...flags, '-o', vvp, ...sources(info)], dir, 'icarus build'));
    writeFileSync(stamp, key);
  }
  return { command: 'vvp', args: ['-n', vvp] };
}

/** One line per image: seed, then pixels, hex; for an events design: seed, beat count, then the beats (aerBeats), hex. */
export function vectorFile(batch: Batch, info: Pick<DesignInfo, 'pixels' | 'timesteps' | 'aer'>): string {
  const lines = [String(batch.images.length)];
  const length = info.aer ? info.timesteps * info.pixels : info.pixels;
  batch.images.forEach((image, i) => {
    if (image.length !== length) {
      throw new SnncError('data', info.aer ? `sample ${i} has ${image.length} counts, the design takes ${info.timesteps} frames of ${info.pixels}` : `image ${i} has ${image.length} pixels, the design takes ${info.pixels}`);
    }
    const seed = (batch.seeds[i] ?? 0) >>> 0;
    const values = info.aer ? aerBeats(image, info.pixels, info.aer) : Array.from(image, (p) => BigInt(p));
    lines.push([seed.toString(16), ...(info.aer ? [values.length.toString(16)] : []), ...values.map((v) => v.toString(16))].join(' '));
  });
  return lines.join('\n') + '\n';
}

/**
 * The address-event stream of an events sample (T frames of `pixels` counts, frame-major): per frame, one beat
 * (address << countBits) | count for each nonzero count, in address order, then the end-of-timestep beat
 * 1 << (addrBits + countBits): the top bit of a beat is eot.
 */
export function aerBeats(sample: Uint8Array, pixels: number, widths: { readonly addrBits: number; readonly countBits: number }): bigint[] {
  const beats: bigint[] = [];
  const countBits = widths.countBits;
  const marker = 1n << BigInt(countBits + widths.addrBits);
  for (let t = 0; t * pixels < sample.length; t++) {
    for (let i = 0; i < pixels; i++) {
      const count = sample[t * pixels + i]!;
      if (count !== 0) beats.push((BigInt(i) << BigInt(countBits)) | BigInt(count));
    }
    beats.push(marker);
  }
  return beats;
}


/** The bench's output file: a result line per image, or a `timeout` or `error MESSAGE` line that ends it. */
export function parseOutput(text: string, images: number, classes: number, firstImage = 0): SimulationResult {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const scores: number[][] = [];
  const labels: number[] = [];
  const cycles: number[] = [];
  for (const line of lines) {
    if (line.trim() === 'timeout') throw new SnncError('mismatch', `the design stalled on image ${firstImage + labels.length} (bench timeout)`);
    if (line.startsWith('error ')) throw new SnncError('mismatch', `image ${firstImage + labels.length}: ${line.slice('error '.length).trim()}`);
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
export function simulate(dirArg: string, batch: Batch, options: SimulateOptions = {}): SimulationResult {
  const dir = resolve(dirArg);
  const info = readDesign(dir);
  const simulator = chooseSimulator(options.simulator);
  const plus: string[] = [];
  if (options.gapPercent) plus.push(`+gap=${options.gapPercent}`);
  if (options.traceFile) plus.push(`+trace=${resolve(options.traceFile)}`);
  if (options.vcdFile) plus.push(`+vcd=${resolve(options.vcdFile)}`);
  const text = runBench(dir, info, batch, { simulator, plus, what: `${simulator} simulation` });
  return parseOutput(text, batch.images.length, info.classes, options.firstImage);
}

/**
 * Builds a bench of the design in `dir` (the core bench unless `testbench` names another), feeds it `batch` as a
 * vector file with the plusargs `plus`, and returns the text it wrote to `+out`.
 */
export function runBench(dirArg: string, info: DesignInfo, batch: Batch, bench: { simulator: Simulator; testbench?: string; plus: readonly string[]; what: string }): string {
  // Tools run with the design directory as cwd, so every path handed to them must be absolute.
  const dir = resolve(dirArg);
  const { command, args } = buildSimulator(dir, info, bench.simulator, bench.testbench);
  const work = mkdtempSync(join(dir, '.run-'));
  try {
    const input = join(work, 'in.txt');
    const output = join(work, 'out.txt');
    writeFileSync(input, vectorFile(batch, info));
    runTool(command, [...args, `+in=${input}`, `+out=${output}`, ...bench.plus], dir, bench.what);
    if (!existsSync(output)) throw new SnncError('tool', `${bench.what} wrote no output file`);
    return readFileSync(output, 'utf8');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The target's `run`: simulates the design in `dir`, after checking it was emitted for `program`. */
export async function runVerilog(dir: string, program: Program, batch: Batch, options: RunOptions = {}): Promise<BatchResult> {
  const info = readDesign(dir);
  if (info.programSha256 !== programSha256(program)) throw new SnncError('io', `${dir}: the design was emitted for another program (${info.program}); emit it again`);
  // A design emitted with --traces also leaves its per-update records (and, with SNNC_VCD=1, a VCD) beside it.
  const traces = info.traces ? { traceFile: join(dir, 'trace.txt'), vcdFile: process.env.SNNC_VCD === '1' ? join(dir, 'wave.vcd') : undefined } : {};
  const result = simulate(dir, batch, { ...traces, simulator: options.simulator, gapPercent: RUN_GAP_PERCENT, firstImage: options.firstImage });
  return { scores: result.scores, labels: result.labels };
}

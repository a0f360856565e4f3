/**
 * @fileoverview The verilog target plug-in: an event-driven, time-multiplexed Verilog-2005 design per program
 * (emit.ts), simulated with Verilator or Icarus (run.ts), refused where it cannot be exact (check.ts).
 */
import { join } from 'node:path';
import { SnncError } from '../../base/errors.ts';
import type { Program } from '../../ir/program.ts';
import type { Batch, BatchResult, EmitOptions, EmittedFile, RunOptions, Target, TargetTrace } from '../target.ts';
import { checkOptions, checkProgram, LIMITS } from './check.ts';
import { emitDesign } from './emit.ts';
import { programSha256 } from '../../ir/fingerprint.ts';
import { readDesign, simulate } from './run.ts';
import { traceDesign } from './trace.ts';

/**
 * Lanes when the caller gives none: 50 MAC lanes put the 784-100-10 example under both of its goals (5,000 cycles,
 * 5,000 7-series LUTs); `--lanes` trades area for speed (results/hardware.md has the table).
 */
export const DEFAULT_LANES = 50;

export function lanesOption(options: EmitOptions): number {
  const lanes = options.lanes ?? DEFAULT_LANES;
  checkOptions({ lanes });
  return lanes;
}

export const target: Target = {
  name: 'verilog',
  summary: 'Verilog-2005, event-driven and time-multiplexed (--lanes), with a test bench; simulated by Verilator or Icarus',
  limits: LIMITS,
  checkOptions,
  check: checkProgram,
  async emit(program: Program, options: EmitOptions): Promise<readonly EmittedFile[]> {
    checkProgram(program);
    const lanes = lanesOption(options);
    const files = emitDesign(program, { lanes, traces: options.traces ?? false });
    options.log?.(`verilog: ${files.filter((f) => f.path.startsWith('rtl/')).length} modules, ${lanes} lane(s)${options.traces ? ', with trace ports' : ''}`);
    return files;
  },
  /** The design as emitted with the lanes and traces design.json records. */
  async reemit(dir: string, program: Program): Promise<readonly EmittedFile[]> {
    const info = readDesign(dir);
    return emitDesign(program, { lanes: info.lanes, traces: info.traces });
  },
  async run(dir: string, program: Program, batch: Batch, options: RunOptions = {}): Promise<BatchResult> {
    const info = readDesign(dir);
    if (info.programSha256 !== programSha256(program)) throw new SnncError('io', `${dir}: the design was emitted for another program (${info.program}); emit it again`);
    // A design emitted with --traces also leaves its per-update records (and, with SNNC_VCD=1, a VCD) beside it.
    const traces = info.traces ? { traceFile: join(dir, 'trace.txt'), vcdFile: process.env.SNNC_VCD === '1' ? join(dir, 'wave.vcd') : undefined } : {};
    const result = simulate(dir, batch, { ...traces, simulator: options.simulator });
    return { scores: result.scores, labels: result.labels };
  },
  /** Runs a traced build of the files on disk (DIR/debug, with a VCD there when SNNC_VCD=1) on one image. */
  async trace(dir: string, program: Program, pixels: Uint8Array, seed: number, options: RunOptions = {}): Promise<TargetTrace> {
    return traceDesign(dir, program, pixels, seed, { vcd: process.env.SNNC_VCD === '1', simulator: options.simulator });
  },
};

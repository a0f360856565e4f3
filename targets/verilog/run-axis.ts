/**
 * @fileoverview Runs the AXI4-Stream bench (tb/snn_axis_tb.v, testbench-axis.ts) on a batch: the same vector file as
 * the core bench, random gaps and stalls on every valid and ready, and the sideband (error flag, cycles_last,
 * fingerprint) per sample.
 */
import { resolve } from 'node:path';
import { SnncError } from '../../base/errors.ts';
import type { Batch } from '../../runtime/batch.ts';
import { readDesign } from './emit.ts';
import { chooseSimulator, runBench, type SimulationResult, type Simulator } from './run.ts';

export const AXIS_TESTBENCH = 'snn_axis_tb';

export interface AxisOptions {
  readonly simulator?: Simulator;
  /** Percent of cycles with s_axis_tvalid and m_axis_tready held low (default 30). */
  readonly gapPercent?: number;
  /** Sample 0 ends early: TLAST on its beat `cut` (1-based). */
  readonly cut?: number;
  /** Sample 0 ends late: `extra` zero beats before TLAST. */
  readonly extra?: number;
}

export interface AxisResult extends SimulationResult {
  /** The sticky error flag after each sample. */
  readonly errors: readonly boolean[];
  /** The `fingerprint` output, 8 hex digits. */
  readonly fingerprint: string;
}

export function parseAxisOutput(text: string, samples: number, classes: number): AxisResult {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const result = { scores: [] as number[][], labels: [] as number[], cycles: [] as number[], errors: [] as boolean[], fingerprint: '' };
  for (const line of lines) {
    if (line === 'timeout') throw new SnncError('mismatch', `the AXI4-Stream design stalled on sample ${result.labels.length} (bench timeout)`);
    if (line === 'protocol') throw new SnncError('mismatch', `the AXI4-Stream design broke the stream protocol on sample ${result.labels.length} (see the bench's message)`);
    const fingerprint = /^fingerprint ([0-9a-f]{8})$/.exec(line);
    if (fingerprint) {
      result.fingerprint = fingerprint[1]!;
      continue;
    }
    const fields = line.split(/\s+/).map(Number);
    if (fields.length !== classes + 3 || fields.some((f) => !Number.isSafeInteger(f))) throw new SnncError('tool', `unreadable AXI bench output line: ${line}`);
    result.labels.push(fields[0]!);
    result.cycles.push(fields[1]!);
    result.errors.push(fields[2] === 1);
    result.scores.push(fields.slice(3));
  }
  if (result.labels.length !== samples || result.fingerprint === '') throw new SnncError('tool', `the AXI bench produced ${result.labels.length} results for ${samples} samples${result.fingerprint ? '' : ' and no fingerprint'}`);
  return result;
}

/** Simulates `batch` through snn_axis in the design emitted in `dir`. */
export function simulateAxis(dirArg: string, batch: Batch, options: AxisOptions = {}): AxisResult {
  const dir = resolve(dirArg);
  const info = readDesign(dir);
  if (!info.tb.includes(`tb/${AXIS_TESTBENCH}.v`)) throw new SnncError('io', `${dir}: the design has no AXI4-Stream bench (a traced build leaves the AXI4-Stream core out); emit it without --traces`);
  const simulator = chooseSimulator(options.simulator);
  const plus = [`+gap=${options.gapPercent ?? 30}`];
  if (options.cut) plus.push(`+cut=${options.cut}`);
  if (options.extra) plus.push(`+extra=${options.extra}`);
  const text = runBench(dir, info, batch, { simulator, testbench: AXIS_TESTBENCH, plus, what: `${simulator} AXI4-Stream simulation` });
  return parseAxisOutput(text, batch.images.length, info.classes);
}

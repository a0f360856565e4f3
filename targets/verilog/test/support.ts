/** @fileoverview Shared helpers of the verilog target's tests: lint an emitted design, compare scores with a located mismatch. */
import { spawnSync } from 'node:child_process';
import type { ExecutionContext } from 'ava';
import type { Program } from '../../../ir/program.ts';
import { runGolden } from '../../../runtime/golden.ts';
import type { Batch } from '../../../runtime/batch.ts';
import type { SimulationResult } from '../run.ts';
import { describeDifference, locateMismatch } from '../trace.ts';
/** Verilator's -Wall lint of everything emitted, test bench included; returns its messages (empty when clean). */
export function lint(dir: string): string {
  const result = spawnSync('sh', ['-c', 'verilator --lint-only -Wall --timing --top-module snn_tb rtl/*.v tb/snn_tb.v'], { cwd: dir, encoding: 'utf8' });
  if (result.error) throw result.error;
  return result.status === 0 ? '' : `${result.stdout}${result.stderr}`.trim();
}

/**
 * Every image's scores and label equal the golden runtime's. On the first image that differs, a traced build names
 * the first differing layer, timestep and neuron in the failure message.
 */
export function assertGoldenScores(t: ExecutionContext, dir: string, program: Program, batch: Batch, result: Pick<SimulationResult, 'scores' | 'labels'>): void {
  let located = false;
  batch.images.forEach((image, i) => {
    const golden = runGolden(program, image, batch.seeds[i]!);
    const same = JSON.stringify(result.scores[i]) === JSON.stringify(golden.scores) && result.labels[i] === golden.label;
    if (!same && !located) {
      located = true;
      const where = locateMismatch(dir, program, image, batch.seeds[i]!);
      t.log(`${program.name} image ${i}: ${where ? describeDifference(where) : 'the traced build agrees; the difference is in the readout'}`);
    }
    t.deepEqual(result.scores[i], golden.scores, `${program.name} image ${i}: scores`);
    t.is(result.labels[i], golden.label, `${program.name} image ${i}: label`);
  });
}

/**
 * @fileoverview The AXI4-Stream core (snn_axis, top-axis.ts) in its Verilator bench (testbench-axis.ts): bit-exact with
 * the golden runtime under random gaps on every valid and stalls on every ready, for an image and an events design;
 * the sideband (fingerprint, cycles_last, error); early and late TLAST; and bench checks that catch a broken core.
 */
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { SnncError } from '../../../base/errors.ts';
import { programSha256 } from '../../../ir/fingerprint.ts';
import type { Program } from '../../../ir/program.ts';
import type { Batch } from '../../../runtime/batch.ts';
import { runGolden } from '../../../runtime/golden.ts';
import { testBatch } from '../../../test/support/batches.ts';
import { sharedCase } from '../../../test/support/conformance-set.ts';
import { emitTo } from '../../../test/support/emit-to.ts';
import { TINY } from '../../../test/support/fixed-programs.ts';
import { target } from '../index.ts';
import { simulateAxis } from '../run-axis.ts';

function golden(program: Program, batch: Batch): { scores: number[][]; labels: number[] } {
  const runs = batch.images.map((image, i) => runGolden(program, image, batch.seeds[i]!));
  return { scores: runs.map((r) => [...r.scores]), labels: runs.map((r) => r.label) };
}

const EVENTS = sharedCase('binary-subtract-delay0-events');

/** One emitted design per program (2 lanes), so each bench is built once for the whole file. */
const designs = new Map<Program, Promise<string>>();
function design(program: Program): Promise<string> {
  let dir = designs.get(program);
  if (!dir) designs.set(program, (dir = emitTo(target, program, { lanes: 2 })));
  return dir;
}

test('lint: verilator -Wall is clean on the AXI core and its bench', async (t) => {
  for (const program of [TINY, EVENTS.program]) {
    const dir = await design(program);
    const lint = spawnSync('sh', ['-c', 'verilator --lint-only -Wall --timing --top-module snn_axis_tb rtl/*.v tb/snn_axis_tb.v'], { cwd: dir, encoding: 'utf8' });
    t.is(`${lint.stdout}${lint.stderr}`.trim(), '', program.name);
  }
});

for (const program of [TINY, EVENTS.program]) {
  test(`${program.name}: bit-exact through AXI4-Stream with 40 % gaps and stalls, fingerprint and cycles_last`, async (t) => {
    const dir = await design(program);
    const batch = testBatch(program, 8);
    const want = golden(program, batch);
    const stalled = simulateAxis(dir, batch, { gapPercent: 40 });
    t.deepEqual(stalled.scores, want.scores);
    t.deepEqual(stalled.labels, want.labels);
    t.deepEqual(stalled.errors, batch.images.map(() => false));
    t.is(stalled.fingerprint, programSha256(program).slice(0, 8));
    const free = simulateAxis(dir, batch, { gapPercent: 0 });
    t.deepEqual(free.scores, want.scores);
    // Gaps and stalls only add cycles, sample by sample (a sample whose beats all meet a free cycle costs none more).
    free.cycles.forEach((c, i) => t.true(c > 0 && stalled.cycles[i]! >= c, `sample ${i}: ${c} free, ${stalled.cycles[i]} stalled`));
    const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
    t.true(sum(stalled.cycles) > sum(free.cycles), `${sum(free.cycles)} cycles free, ${sum(stalled.cycles)} stalled`);
  });
}

test('an early TLAST completes the image with zero pixels and sets error; the next samples are bit-exact', async (t) => {
  const dir = await design(TINY);
  const batch = testBatch(TINY, 4);
  // Beat 1 is the seed, beat 2 the first pixel beat (TINY takes one pixel per beat): pixels 1.. become 0.
  const result = simulateAxis(dir, batch, { cut: 2 });
  const cutImage = batch.images[0]!.map((p, i) => (i === 0 ? p : 0));
  t.deepEqual(result.scores[0], [...runGolden(TINY, cutImage, batch.seeds[0]!).scores]);
  t.deepEqual(result.scores.slice(1), golden(TINY, batch).scores.slice(1));
  t.deepEqual(result.errors, [true, true, true, true], 'error is sticky until reset');
});

test('a late TLAST drops the extra beats and sets error; every sample is bit-exact', async (t) => {
  for (const program of [TINY, EVENTS.program]) {
    const dir = await design(program);
    const batch = testBatch(program, 3);
    const result = simulateAxis(dir, batch, { extra: 3 });
    t.deepEqual(result.scores, golden(program, batch).scores, program.name);
    t.deepEqual(result.errors, [true, true, true], program.name);
  }
});

test('an events sample cut before its last end-of-timestep gets the missing markers and sets error', async (t) => {
  const program = EVENTS.program;
  const dir = await design(program);
  const batch = testBatch(program, 2);
  const result = simulateAxis(dir, batch, { cut: 1 });
  t.deepEqual(result.errors, [true, true]);
  t.deepEqual(result.scores[1], golden(program, batch).scores[1]);
});

/** Edits the emitted core and returns what the bench says about it. */
async function mutated(edit: (verilog: string) => string): Promise<unknown> {
  const dir = await emitTo(target, TINY, { lanes: 2 });
  const file = join(dir, 'rtl/snn_axis.v');
  const before = readFileSync(file, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error('the mutation matched nothing');
  writeFileSync(file, after);
  try {
    return simulateAxis(dir, testBatch(TINY, 10), { gapPercent: 40 });
  } catch (e) {
    return e;
  }
}

test('the bench catches a core that raises TLAST on every beat, or drops a beat it offered', async (t) => {
  const everyBeat = await mutated((v) => v.replace(/assign m_axis_tlast = [^;]+;/, "assign m_axis_tlast = 1'd1;"));
  t.true(everyBeat instanceof SnncError && /broke the stream protocol on sample 0/.test(everyBeat.message), String(everyBeat));
  // Offers each score beat for one cycle only: valid falls while ready is low.
  const dropped = await mutated((v) => v.replace('assign out_slice_ready = (out_state == 1\'d0) && m_axis_tready;', 'assign out_slice_ready = (out_state == 1\'d0);'));
  // The beat is lost only where a stall meets an offered beat: the first sample where the seeded stalls do.
  t.true(dropped instanceof SnncError && /broke the stream protocol on sample \d+/.test(dropped.message), String(dropped));
});

/**
 * @fileoverview The bench catches the RTL mutations `snnc verify` once let through (issue 16): each is applied to the
 * text of an emitted snn_readout.v and verified --as-is on 8 random images. The real design passes on both simulators;
 * a readout that ignores out_ready is caught by the stalls on out_ready, an argmax whose `>` became `>=` by a program
 * built to tie, a readout that skips, repeats or adds a class's beat by the bench's per-image score marks, and a
 * score register stuck for one class by the scores themselves.
 */
import test, { type ExecutionContext } from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Program } from '../../../ir/program.ts';
import type { SpikingOp } from '../../../ir/spiking.ts';
import { validateProgram } from '../../../ir/validate.ts';
import { randomProgramBatch } from '../../../runtime/batch.ts';
import { runGolden } from '../../../runtime/golden.ts';
import { writeManifest } from '../../../verify/manifest.ts';
import { cli } from '../../../test/support/cli.ts';
import { emitTo, tempDir } from '../../../test/support/emit-to.ts';
import { TINY } from '../../../test/support/fixed-programs.ts';
import { target } from '../index.ts';
import { SnncError } from '../../../base/errors.ts';
import { parseOutput, type Simulator } from '../run.ts';

const SAMPLES = 8;

/**
 * TINY with three output units: unit 2 copies unit 1 (weights, shift, bias), and unit 0's bias holds its membrane at
 * the bottom of its range, so classes 1 and 2 tie at the top on every image and the IR's label is 1.
 */
function tiedProgram(): Program {
  const [conv, hidden, out] = TINY.layers as [Program['layers'][number], Program['layers'][number], SpikingOp];
  const row = (j: number): number[] => out.weights.slice(j * out.inputs, (j + 1) * out.inputs);
  const tied: SpikingOp = { ...out, units: 3, weights: [...row(0), ...row(1), ...row(1)], weightFrac: [0, 0, 0], accShift: [2, 2, 2], bias: [-400, 4, 4] };
  return validateProgram({ ...TINY, name: 'tied', classes: 3, layers: [conv, hidden, tied] });
}

const TIED = tiedProgram();
// verify's images: `--dataset random --samples 8` (seed 0).
const BATCH = randomProgramBatch(TIED, SAMPLES, 0);
const GOLDEN = BATCH.images.map((image, i) => runGolden(TIED, image, BATCH.seeds[i]!));

interface Edit {
  readonly from: string;
  readonly to: string;
}

/** A build folder of TIED (ir.json, verilog/, manifest.json), its readout changed by `edits` (each must apply once). */
async function build(t: ExecutionContext, name: string, ...edits: Edit[]): Promise<string> {
  const dir = tempDir(`bench-${name}`);
  writeFileSync(join(dir, 'ir.json'), JSON.stringify(TIED) + '\n');
  await emitTo(target, TIED, { lanes: 2 }, join(dir, 'verilog'));
  writeManifest(dir);
  const file = join(dir, 'verilog', 'rtl', 'snn_readout.v');
  let source = readFileSync(file, 'utf8');
  for (const { from, to } of edits) {
    t.is(source.split(from).length, 2, `${from} occurs once in snn_readout.v`);
    source = source.replace(from, to);
  }
  writeFileSync(file, source);
  return dir;
}

/** The readout's streaming state: the next class on out_ready, or back to idle after the last. */
const STREAM_NEXT = '            if (out_class != LAST_CLASS) begin\n              out_class <= out_class + 1;\n            end else begin\n              state <= 0;';

/** `snnc verify --as-is` of the verilog target on the 8 images: exit code and the verilog row's columns but speed. */
async function verify(dir: string, simulator: Simulator): Promise<{ code: number; row: string }> {
  const r = await cli('verify', dir, '--targets', 'verilog', '--samples', String(SAMPLES), '--dataset', 'random', '--simulator', simulator, '--as-is');
  const line = r.out.find((l) => l.startsWith('verilog')) ?? r.err.join('\n');
  const m = /^verilog +(\d+) +(\S+) +\S+ +(.*)$/.exec(line);
  return { code: r.code, row: m ? `${m[1]} ${m[2]} ${m[3]}` : line };
}

test('the tied program ties classes 1 and 2 at the top on every image, and the IR labels it 1 (the smallest index)', (t) => {
  for (const g of GOLDEN) {
    t.is(g.scores[1], g.scores[2]);
    t.true(g.scores[1]! > g.scores[0]!);
    t.is(g.label, 1);
  }
});

test("the bench's error and timeout lines end the run and name the image in the caller's count (verify runs chunks)", (t) => {
  const error = t.throws(() => parseOutput('1 9 3 4\nerror the design sent class 0 twice\n', 2, 2, 10), { instanceOf: SnncError });
  t.deepEqual([(error as SnncError).code, error!.message], ['mismatch', 'image 11: the design sent class 0 twice']);
  t.throws(() => parseOutput('timeout\n', 1, 2, 40), { instanceOf: SnncError, message: 'the design stalled on image 40 (bench timeout)' });
});

for (const simulator of ['icarus', 'verilator'] as const) {
  test.serial(`${simulator}: the real design verifies with 0 mismatches under the bench's gaps and stalls`, async (t) => {
    t.timeout(10 * 60_000, 'a verilator build');
    const r = await verify(await build(t, `clean-${simulator}`), simulator);
    t.deepEqual(r, { code: 0, row: `${SAMPLES} 0 none` });
  });

  test.serial(`${simulator}: a readout that ignores out_ready is caught by a stall`, async (t) => {
    t.timeout(10 * 60_000, 'a verilator build');
    const dir = await build(t, `ready-${simulator}`, { from: 'if (out_ready) begin', to: "if (1'b1) begin" });
    const r = await verify(dir, simulator);
    // The seeded stalls first meet an offered beat on image 2.
    t.deepEqual(r, { code: 1, row: '0 - error: image 2: the design dropped or changed its beat of class 0 while out_ready was low' });
  });
}

test.serial('an argmax whose > became >= is caught on the tied program: label 2 for 1 on every image', async (t) => {
  const dir = await build(t, 'argmax', { from: 'candidate[LOW_SCORE_BITS - 1:0] > best', to: 'candidate[LOW_SCORE_BITS - 1:0] >= best' });
  const r = await verify(dir, 'icarus');
  t.deepEqual(r, {
    code: 1,
    row: `${SAMPLES} ${SAMPLES} image 0: label 0: golden 1, target 2 (location unavailable: the traced run matches the golden runtime at every layer, timestep and neuron, so the difference is in the readout)`,
  });
});

test.serial("a readout that never sends class 1's beat is caught: no score for class 1, not the last image's", async (t) => {
  const dir = await build(t, 'skip', { from: 'assign out_valid = state == 2;', to: 'assign out_valid = (state == 2) && (out_class != 1);' });
  const r = await verify(dir, 'icarus');
  t.deepEqual(r, { code: 1, row: '0 - error: image 0: the design sent no score for class 1' });
});

test.serial('a readout whose class counter sticks while it streams is caught: class 0 sent twice', async (t) => {
  const dir = await build(t, 'repeat', { from: STREAM_NEXT, to: STREAM_NEXT.replace('out_class <= out_class + 1;', 'out_class <= out_class;') });
  const r = await verify(dir, 'icarus');
  t.deepEqual(r, { code: 1, row: '0 - error: image 0: the design sent class 0 twice' });
});

test.serial('a readout that streams one class too many (class 3 of 0..2, in 2 class bits) is caught', async (t) => {
  const dir = await build(t, 'extra', { from: STREAM_NEXT, to: STREAM_NEXT.replace('LAST_CLASS', '3') }, { from: 'assign out_last = out_class == LAST_CLASS;', to: 'assign out_last = out_class == 3;' });
  const r = await verify(dir, 'icarus');
  t.deepEqual(r, { code: 1, row: '0 - error: image 0: the design sent class 3, outside 0..2' });
});

test.serial("a score register stuck at 0 for class 1 is a score mismatch on every image whose golden score 1 is not 0", async (t) => {
  const dir = await build(t, 'stuck-score', { from: 'if (add_valid && counted) begin', to: 'if (add_valid && counted && (add_index != 1)) begin' });
  const r = await verify(dir, 'icarus');
  const expected = GOLDEN.filter((g) => g.scores[1] !== 0).length;
  t.true(expected > 0);
  const first = GOLDEN.findIndex((g) => g.scores[1] !== 0);
  t.deepEqual(r, {
    code: 1,
    row: `${SAMPLES} ${expected} image ${first}: score 1: golden ${GOLDEN[first]!.scores[1]}, target 0 (location unavailable: the traced run matches the golden runtime at every layer, timestep and neuron, so the difference is in the readout)`,
  });
});

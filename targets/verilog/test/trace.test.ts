/**
 * @fileoverview Traced builds beyond the conformance suite's trace equality: a mismatch is located exactly, the debug
 * build dumps a VCD, and a design emitted with traces leaves its per-update records beside it.
 */
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Program } from '../../../ir/program.ts';
import type { SpikingOp } from '../../../ir/spiking.ts';
import { traceGolden } from '../../../runtime/golden.ts';
import { target } from '../index.ts';
import { describeDifference, firstDifference, locateMismatch, parseTrace, recordsToTrace, traceDesign } from '../trace.ts';
import { testBatch } from '../../../test/support/batches.ts';
import { sharedCase } from '../../../test/support/conformance-set.ts';
import { emitTo } from '../../../test/support/emit-to.ts';
import { TINY } from '../../../test/support/fixed-programs.ts';

/** The same program with one bias changed in its last layer. */
function withBias(program: Program, unit: number, delta: number): Program {
  const layers = [...program.layers];
  const last = layers[layers.length - 1] as SpikingOp;
  layers[layers.length - 1] = { ...last, bias: last.bias.map((b, j) => (j === unit ? b + delta : b)) };
  return { ...program, layers };
}

test('a changed bias is reported at its first differing layer, timestep and neuron', async (t) => {
  const { program, lanes } = sharedCase('excess-zero-delay1-jitter');
  const dir = await emitTo(target, program, { lanes });
  const { images, seeds } = testBatch(program, 1);
  const changed = withBias(program, 1, 1000);
  // Where the two programs' golden traces first part, found independently of the hardware.
  const before = traceGolden(program, images[0]!, seeds[0]!);
  const after = traceGolden(changed, images[0]!, seeds[0]!);
  const last = program.layers.length - 1;
  const step = before.layers[last]!.membrane.findIndex((u, s) => u[1] !== after.layers[last]!.membrane[s]![1]);
  t.true(step >= 1, 'delay 1 hides the change at t = 0');
  const hardware = traceDesign(dir, program, images[0]!, seeds[0]!);
  t.is(firstDifference(program, images[0]!, seeds[0]!, hardware), undefined, 'the design agrees with its own program');
  const d = firstDifference(changed, images[0]!, seeds[0]!, hardware);
  t.deepEqual(d && { layer: d.layer, step: d.step, neuron: d.neuron, signal: d.signal }, { layer: program.layers[last]!.name, step, neuron: 1, signal: 'membrane' });
  t.is(d!.hardware, before.layers[last]!.membrane[step]![1]!);
  t.is(d!.golden, after.layers[last]!.membrane[step]![1]!);
  t.is(describeDifference(d!), `layer ${program.layers[last]!.name}, timestep ${step}, neuron 1: membrane ${d!.hardware} in hardware, ${d!.golden} in the golden runtime`);
});

test('the debug build can dump a VCD', async (t) => {
  const { program, lanes } = sharedCase('binary-subtract-delay0-direct');
  const dir = await emitTo(target, program, { lanes });
  const { images, seeds } = testBatch(program, 1);
  t.is(locateMismatch(dir, program, images[0]!, seeds[0]!, { vcd: true }), undefined);
  const vcd = join(dir, 'debug', 'wave.vcd');
  t.true(existsSync(vcd));
  t.true(readFileSync(vcd, 'utf8').includes('$enddefinitions'));
});

test('a design emitted with traces leaves its per-update records beside it', async (t) => {
  const dir = await emitTo(target, TINY, { lanes: 2, traces: true });
  const batch = testBatch(TINY, 2);
  await target.run(dir, TINY, batch);
  const text = readFileSync(join(dir, 'trace.txt'), 'utf8');
  const [first, second] = text.split(/^# image \d+\n/m).filter((part) => part !== '');
  t.is(text.match(/^# image /gm)?.length, 2);
  for (const [i, part] of [first!, second!].entries()) {
    const trace = recordsToTrace(TINY, parseTrace(part));
    t.is(firstDifference(TINY, batch.images[i]!, batch.seeds[i]!, trace), undefined, `image ${i}`);
  }
});

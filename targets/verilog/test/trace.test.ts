/** @fileoverview Traced builds: per-layer, per-timestep values equal traceGolden, and a mismatch is located exactly. */
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Program } from '../../../ir/program.ts';
import type { SpikingOp } from '../../../ir/spiking.ts';
import { traceGolden } from '../../../runtime/golden.ts';
import { target } from '../index.ts';
import { describeDifference, firstDifference, locateMismatch, parseTrace, recordsToTrace, traceDesign } from '../trace.ts';
import { batchFor, emitTo } from './support.ts';
import { MODE_DESIGNS, TINY } from './programs.ts';

/** The same program with one bias changed in its last layer. */
function withBias(program: Program, unit: number, delta: number): Program {
  const layers = [...program.layers];
  const last = layers[layers.length - 1] as SpikingOp;
  layers[layers.length - 1] = { ...last, bias: last.bias.map((b, j) => (j === unit ? b + delta : b)) };
  return { ...program, layers };
}

for (const design of [MODE_DESIGNS[0]!, MODE_DESIGNS[2]!]) {
  test(`${design.name}: the traced build shows exactly the golden values`, async (t) => {
    const { program, lanes } = design;
    const dir = emitTo(program, { lanes });
    const { images, seeds } = batchFor(program, 1, 9);
    const trace = await target.trace!(dir, program, images[0]!, seeds[0]!);
    const golden = traceGolden(program, images[0]!, seeds[0]!);
    t.deepEqual(trace.layers.map((l) => l.output), golden.layers.map((l) => l.output));
    t.deepEqual(trace.layers.map((l) => l.membrane), golden.layers.map((l) => l.membrane));
    t.is(firstDifference(program, images[0]!, seeds[0]!, trace), undefined);
  });
}

test('a changed bias is reported at its first differing layer, timestep and neuron', (t) => {
  const { program, lanes } = MODE_DESIGNS[2]!;
  const dir = emitTo(program, { lanes });
  const { images, seeds } = batchFor(program, 1, 9);
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

test('the debug build can dump a VCD', (t) => {
  const { program, lanes } = MODE_DESIGNS[1]!;
  const dir = emitTo(program, { lanes });
  const { images, seeds } = batchFor(program, 1, 3);
  t.is(locateMismatch(dir, program, images[0]!, seeds[0]!, { vcd: true }), undefined);
  const vcd = join(dir, 'debug', 'wave.vcd');
  t.true(existsSync(vcd));
  t.true(readFileSync(vcd, 'utf8').includes('$enddefinitions'));
});

test('a design emitted with traces leaves its per-update records beside it', async (t) => {
  const dir = emitTo(TINY, { lanes: 2, traces: true });
  const batch = batchFor(TINY, 2, 4);
  await target.run(dir, TINY, batch);
  const text = readFileSync(join(dir, 'trace.txt'), 'utf8');
  const [first, second] = text.split(/^# image \d+\n/m).filter((part) => part !== '');
  t.is(text.match(/^# image /gm)?.length, 2);
  for (const [i, part] of [first!, second!].entries()) {
    const trace = recordsToTrace(TINY, parseTrace(part));
    t.is(firstDifference(TINY, batch.images[i]!, batch.seeds[i]!, trace), undefined, `image ${i}`);
  }
});

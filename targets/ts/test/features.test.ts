/**
 * @fileoverview The IR features added for NIR through the ts target, beyond equality with the golden runtime (in
 * test/conformance.test.ts): values worked out by hand, the extended programs reaching every new path of the emitter,
 * and shape errors reported as IR errors.
 */
import test from 'ava';
import type { Program } from '../../../ir/program.ts';
import { SnncError } from '../../../base/errors.ts';
import { validateProgram } from '../../../ir/validate.ts';
import { pixelsOf } from '../../../test/support/batches.ts';
import { sweeps } from '../../../test/support/conformance-set.ts';
import { convStridePadding, cubaLif, poolAvgPadded, poolSum } from '../../../test/support/target-feature-programs.ts';
import { planModel } from '../plan.ts';
import { emitAndLoad } from './support.ts';

const ramp = (program: Program): Uint8Array => Uint8Array.from({ length: pixelsOf(program) }, (_, i) => i + 1);

test('conv stride 2 and padding 1 on a ramp image give the window sums worked out by hand', async (t) => {
  const program = convStridePadding();
  const model = await emitAndLoad(program);
  // x(r, c) = 5r + c + 1. Filter 0 sums the 3x3 window at (2i-1, 2j-1), zeros outside; filter 1 is x(2i, 2j) - 3.
  const y = model.trace(ramp(program), 0).layers[0]!.output[0]!;
  t.deepEqual([y[0], y[1], y[4], y[8]], [1 + 2 + 6 + 7, 2 + 3 + 4 + 7 + 8 + 9, 9 * 13, 19 + 20 + 24 + 25]);
  t.deepEqual([y[9], y[10], y[13], y[17]], [1 - 3, 3 - 3, 13 - 3, 25 - 3]);
});

test('sum and avg pools (padding, rounding, the clamp edge) give the values worked out by hand', async (t) => {
  const sum = poolSum();
  const sumY = (await emitAndLoad(sum)).trace(ramp(sum), 0).layers[0]!.output[0]!;
  // Channel 0 x(r, c) = 4r + c + 1, channel 1 adds 16.
  t.deepEqual(sumY, [14, 22, 46, 54, 78, 86, 110, 118]);
  const avg = poolAvgPadded();
  const model = await emitAndLoad(avg);
  // roundShift(sum * 7282, 16) of the padded 3x3 window sums: 16 -> 2, 117 -> 13, 1020 -> 113, and 2295 -> 255, u8's max.
  const rampY = model.trace(ramp(avg), 0).layers[0]!.output[0]!;
  t.deepEqual([rampY[0], rampY[4]], [2, 13]);
  const fullY = model.trace(new Uint8Array(25).fill(255), 0).layers[0]!.output[0]!;
  t.deepEqual([fullY[0], fullY[4]], [113, 255]);
});

/** The conformance suite's 60 extended random programs (every feature mix, fixed seeds). */
const EXTENDED: readonly Program[] = sweeps().find((s) => s.name === '60 extended random programs')!.programs;

test('the extended programs reach every new path of the emitter', (t) => {
  const plans = EXTENDED.map((p) => planModel(p));
  const layers = plans.flatMap((p) => p.layers);
  const count = (what: string, n: number): void => {
    t.true(n > 0, `no program exercises ${what}`);
  };
  const windows = layers.filter((l) => l.kind === 'conv' || l.kind === 'pool');
  count('a strided conv', windows.filter((l) => l.kind === 'conv' && l.op.stride > 1).length);
  count('a padded conv', windows.filter((l) => l.kind === 'conv' && l.op.padding > 0).length);
  count('a strided pool', windows.filter((l) => l.kind === 'pool' && l.op.stride > 1).length);
  count('a padded pool', windows.filter((l) => l.kind === 'pool' && l.op.padding > 0).length);
  count('a sum pool', windows.filter((l) => l.kind === 'pool' && l.op.mode === 'sum').length);
  count('an avg pool', windows.filter((l) => l.kind === 'pool' && l.op.mode === 'avg').length);
  count('a pool on binary events', windows.filter((l) => l.kind === 'pool' && l.input.binary).length);
  const spiking = layers.filter((l) => l.kind === 'spiking');
  count('an identity synapse without shifts', spiking.filter((l) => l.op.synapse === 'identity' && l.weights.every((f) => f === 1)).length);
  count('an identity synapse with shifts', spiking.filter((l) => l.op.synapse === 'identity' && l.weights.some((f) => f !== 1)).length);
  count('an identity synapse on binary events', spiking.filter((l) => l.op.synapse === 'identity' && l.input.binary).length);
  count('a membrane output', spiking.filter((l) => l.op.output.kind === 'membrane').length);
  count('a membrane output with delay 1', spiking.filter((l) => l.op.output.kind === 'membrane' && l.op.delay === 1).length);
  count('a value reset', spiking.filter((l) => l.op.reset.kind === 'value').length);
  count('a none reset', spiking.filter((l) => l.op.reset.kind === 'none').length);
  count('an output readout', plans.filter((p) => p.program.readout.source === 'output').length);
  count('an output readout of binary spikes', plans.filter((p) => p.program.readout.source === 'output' && p.last.out.binary).length);
});

test('windows and identity synapses whose shapes disagree are IR errors from validateProgram, met before the target', (t) => {
  const refused = (p: Program): string | undefined => {
    const error = t.throws(() => validateProgram(p), { instanceOf: SnncError });
    t.is(error?.code, 'ir');
    return error?.message;
  };
  const program = poolSum();
  const pool = program.layers[0]!;
  if (pool.kind !== 'pool') throw new Error('expected a pool first');
  const wrongShape: Program = { ...program, layers: [{ ...pool, outShape: [2, 3, 3] }, ...program.layers.slice(1)] };
  t.regex(refused(wrongShape) ?? '', /outShape: \[2, 3, 3\] is not the 2x2 stride 2 padding 0 output of \[2, 4, 4\]/);
  const widePadding: Program = { ...program, layers: [{ ...pool, padding: 2 }, ...program.layers.slice(1)] };
  t.regex(refused(widePadding) ?? '', /padding: 2 must be an integer in \[0, kernel - 1\]/);
  const feature = cubaLif();
  const lif = feature.layers[1]!;
  if (lif.kind !== 'spiking') throw new Error('expected a spiking layer');
  const uneven: Program = { ...feature, classes: 3, layers: [feature.layers[0]!, { ...lif, units: 3, bias: lif.bias.slice(0, 3), accShift: lif.accShift.slice(0, 3), weightFrac: lif.weightFrac.slice(0, 3) }] };
  t.is(refused(uneven), 'invalid IR: layers[1] (lif).units: an identity synapse needs units == inputs, got 3 and 4');
  const firingNone: Program = { ...feature, layers: [feature.layers[0]!, { ...lif, reset: { kind: 'none' } }] };
  t.is(refused(firingNone), 'invalid IR: layers[1] (lif).reset: reset none needs output membrane (a firing layer must reset), got output excess');
});

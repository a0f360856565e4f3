/**
 * @fileoverview The IR features added for NIR models in Verilator, bit-exact against the golden runtime: the hand-made
 * feature designs (each built once, traced, so one simulation gives both the scores and every layer's visible values
 * per timestep), and a fixed-seed batch of randomProgram(seed, { extended: true }) programs. Serial: each build
 * blocks the event loop, and ava's inactivity timeout should measure one build, not all of them.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomProgram } from '../../../ir/random-program.ts';
import { traceGolden } from '../../../runtime/golden.ts';
import { target } from '../index.ts';
import { parseTrace, recordsToTrace } from '../trace.ts';
import { FEATURE_DESIGNS } from './feature-programs.ts';
import { assertGoldenScores, batchFor, emitTo } from './support.ts';

test('the feature designs cover every new IR feature', (t) => {
  const layers = FEATURE_DESIGNS.flatMap((d) => d.program.layers.map((op, l) => ({ op, before: d.program.layers[l - 1], lanes: d.lanes })));
  const windows = layers.flatMap(({ op }) => (op.kind === 'spiking' ? [] : [op]));
  const spiking = layers.flatMap(({ op }) => (op.kind === 'spiking' ? [op] : []));
  const kinds = <T>(values: T[]): string[] => [...new Set(values.map(String))].sort();
  t.true(windows.some((op) => op.kind === 'conv' && op.stride > 1 && op.padding > 0), 'a strided, padded conv');
  t.deepEqual(kinds(windows.flatMap((op) => (op.kind === 'pool' ? [op.mode] : []))), ['avg', 'sum']);
  t.true(windows.some((op) => op.kind === 'pool' && op.padding > 0 && op.stride > 1), 'a padded, strided pool');
  t.true(windows.some((op) => op.kind === 'pool' && Math.log2(op.kernel * op.kernel) % 1 !== 0), 'a window that is not a power of two');
  t.deepEqual(kinds(spiking.map((op) => op.synapse)), ['dense', 'identity']);
  t.deepEqual(kinds(spiking.map((op) => op.output.kind)), ['binary', 'excess', 'membrane']);
  t.true(spiking.some((op) => op.output.kind === 'membrane' && op.output.type.signed), 'a signed membrane output');
  t.deepEqual(kinds(spiking.map((op) => op.reset.kind)), ['none', 'refractory', 'subtract', 'value', 'zero']);
  t.deepEqual(kinds(FEATURE_DESIGNS.map((d) => d.program.readout.source)), ['membrane', 'output']);
  const afterIdentity = layers.filter(({ op, before }) => op.kind !== 'spiking' && before?.kind === 'spiking' && before.synapse === 'identity');
  t.deepEqual(kinds(afterIdentity.map(({ op }) => op.kind)), ['conv', 'pool'], 'conv and pool read an identity layer by coordinates');
  t.true(layers.some(({ op, lanes }) => op.kind === 'conv' && op.outShape[0] > lanes), 'a conv with several filter groups');
});

for (const { name, program, lanes } of FEATURE_DESIGNS) {
  test.serial(`${name}, ${lanes} lane(s): Verilator matches the golden scores and every layer's trace`, async (t) => {
    const dir = emitTo(program, { lanes, traces: true });
    const batch = batchFor(program, 4, lanes + program.timesteps);
    assertGoldenScores(t, dir, program, batch, await target.run(dir, program, batch));
    const parts = readFileSync(join(dir, 'trace.txt'), 'utf8').split(/^# image \d+\n/m).filter((part) => part !== '');
    t.is(parts.length, batch.images.length);
    parts.forEach((part, i) => {
      const hardware = recordsToTrace(program, parseTrace(part));
      const golden = traceGolden(program, batch.images[i]!, batch.seeds[i]!);
      t.deepEqual(hardware.layers.map((l) => l.output), golden.layers.map((l) => l.output), `image ${i}: outputs`);
      t.deepEqual(hardware.layers.map((l) => l.membrane), golden.layers.map((l) => l.membrane), `image ${i}: membranes`);
    });
  });
}

/** Seeds whose programs put identity layers first, back to back, before a conv and before a pool (padding 2, stride 2). */
const EXTENDED_SEEDS: readonly (readonly [seed: number, lanes: number])[] = [[9, 2], [22, 3], [28, 1], [38, 2]];

for (const [seed, lanes] of EXTENDED_SEEDS) {
  test.serial(`extended random program ${seed}, ${lanes} lane(s): Verilator matches the golden runtime on 3 images`, async (t) => {
    const program = randomProgram(seed, { extended: true, timesteps: 3 });
    const dir = emitTo(program, { lanes });
    const batch = batchFor(program, 3, seed);
    assertGoldenScores(t, dir, program, batch, await target.run(dir, program, batch));
  });
}

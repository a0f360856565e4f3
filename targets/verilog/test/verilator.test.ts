/**
 * @fileoverview Verilator simulation is bit-exact against the golden runtime on generated tiny models covering every
 * mode (each design built once, several images through one simulation), through the target's own run().
 */
import test from 'ava';
import { target } from '../index.ts';
import { simulate } from '../run.ts';
import { assertGoldenScores, batchFor, emitTo } from './support.ts';
import { MODE_DESIGNS, TINY } from './programs.ts';

test('the designs cover every layer kind, output, reset, delay and encoder, and multi-group lanes', (t) => {
  const layers = MODE_DESIGNS.flatMap((d) => d.program.layers.map((op) => ({ op, lanes: d.lanes })));
  const spiking = layers.flatMap(({ op, lanes }) => (op.kind === 'spiking' ? [{ op, lanes }] : []));
  t.true(layers.some(({ op }) => op.kind === 'conv'));
  const kinds = <T>(values: T[]): string[] => [...new Set(values.map(String))].sort();
  t.deepEqual(kinds(spiking.map(({ op }) => op.output.kind)), ['binary', 'excess']);
  t.deepEqual(kinds(spiking.map(({ op }) => op.reset.kind)), ['refractory', 'subtract', 'zero']);
  t.deepEqual(kinds(spiking.map(({ op }) => op.delay)), ['0', '1']);
  t.deepEqual(kinds(MODE_DESIGNS.map((d) => d.program.encoder.kind)), ['direct', 'jitter']);
  t.true(spiking.some(({ op, lanes }) => op.units > lanes), 'some layer needs several groups');
  t.true(spiking.some(({ op }) => new Set(op.accShift).size > 1), 'some layer has per-unit shifts');
});

for (const { name, program, lanes } of [...MODE_DESIGNS, { name: 'tiny', program: TINY, lanes: 2 }]) {
  test(`${name}, ${lanes} lane(s): Verilator matches the golden runtime on 6 images`, async (t) => {
    const dir = emitTo(program, { lanes });
    const batch = batchFor(program, 6, lanes + program.timesteps);
    const result = await target.run(dir, program, batch);
    assertGoldenScores(t, dir, program, batch, result);
  });
}

test('cycle counts are measured per image and the cached build is reused', (t) => {
  const { program, lanes } = MODE_DESIGNS[1]!;
  const dir = emitTo(program, { lanes });
  const first = simulate(dir, batchFor(program, 3, 5), { simulator: 'verilator' });
  const again = simulate(dir, batchFor(program, 3, 5), { simulator: 'verilator' });
  t.deepEqual(again, first);
  t.true(first.cycles.every((c) => c >= program.input.shape.reduce((a, b) => a * b, 1)), 'at least one cycle per pixel beat');
});

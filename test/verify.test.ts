/** @fileoverview verify's engine can fail: a target that is off by one integer is caught and located. */
import test from 'ava';
import { randomPixels, randomProgram } from '../compiler/ir/random-program.ts';
import type { Program } from '../compiler/ir/program.ts';
import { verifyTargets } from '../compiler/verify/verify.ts';
import { firstTraceDifference } from '../compiler/verify/compare.ts';
import { runGolden, traceGolden } from '../runtime/golden.ts';
import type { Target, TargetTrace } from '../targets/target.ts';

/** A target that computes with the golden runtime, optionally corrupting one trace value and the scores. */
function fakeTarget(corrupt?: { layer: number; t: number; neuron: number }): Target {
  const traceOf = (program: Program, pixels: Uint8Array, seed: number): TargetTrace => {
    const trace = traceGolden(program, pixels, seed);
    if (!corrupt) return trace;
    const layers = trace.layers.map((l, i) => (i !== corrupt.layer ? l : { ...l, membrane: l.membrane.map((row, t) => (t !== corrupt.t ? row : row.map((v, j) => (j === corrupt.neuron ? v + 1 : v)))) }));
    return { layers };
  };
  return {
    name: corrupt ? 'broken' : 'exact',
    summary: 'test double',
    check() {},
    async emit() {
      return [{ path: 'marker.txt', contents: 'x' }];
    },
    async run(_dir, program, batch) {
      const results = batch.images.map((image, i) => runGolden(program, image, batch.seeds[i]!));
      return {
        scores: results.map((r, i) => (corrupt && i % 2 === 1 ? r.scores.map((s, k) => (k === 0 ? s + 1 : s)) : r.scores)),
        labels: results.map((r) => r.label),
      };
    },
    async trace(_dir, program, pixels, seed) {
      return traceOf(program, pixels, seed);
    },
  };
}

test('an exact target matches; a target off by one is reported at its first differing layer, step and neuron', async (t) => {
  const program = randomProgram(21, { conv: false, timesteps: 4 });
  const size = program.input.shape.reduce((a, b) => a * b, 1);
  const images = Array.from({ length: 10 }, (_, i) => randomPixels(i, size));
  const { rows } = await verifyTargets(program, undefined, [fakeTarget(), fakeTarget({ layer: 0, t: 2, neuron: 0 })], { images, seeds: images.map((_, i) => i) }, { emit: {} });
  t.is(rows[0]!.status, 'match');
  t.is(rows[0]!.mismatches, 0);
  t.is(rows[1]!.status, 'mismatch');
  t.is(rows[1]!.mismatches, 5);
  t.regex(rows[1]!.first!, /^image 1: layer 0 \(layer0\), t=2, neuron 0 membrane: golden -?\d+, target -?\d+$/);
});

test('firstTraceDifference scans timestep-major, membrane before output', (t) => {
  const program = randomProgram(5, { conv: false, timesteps: 3 });
  const size = program.input.shape.reduce((a, b) => a * b, 1);
  const golden = traceGolden(program, randomPixels(1, size), 1);
  t.is(firstTraceDifference(program, golden, golden), undefined);
  const last = golden.layers.length - 1;
  const changed = { layers: golden.layers.map((l, i) => (i === last ? { ...l, output: l.output.map((row, s) => (s === 1 ? row.map((v, j) => (j === 1 ? v + 7 : v)) : row)) } : l)) };
  const d = firstTraceDifference(program, golden, changed);
  t.like(d, { layer: last, timestep: 1, neuron: 1, signal: 'output' });
  t.is(d!.actual, d!.expected + 7);
});

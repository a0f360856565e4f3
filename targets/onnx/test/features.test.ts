/**
 * @fileoverview The IR features added for NIR through ONNX Runtime: hand-built programs per feature (conv stride and
 * padding, sum and avg pools, identity synapses, membrane outputs, value and none resets, output readouts), then a
 * fixed-seed batch of extended random programs; scores, labels and every trace output equal the golden runtime.
 */
import test, { type ExecutionContext } from 'ava';
import { join } from 'node:path';
import { SnncError } from '../../../base/errors.ts';
import type { Program } from '../../../ir/program.ts';
import { randomPixels, randomProgram } from '../../../ir/random-program.ts';
import { traceGolden } from '../../../runtime/golden.ts';
import { featureImages, featurePrograms, poolSum } from '../../../test/support/target-feature-programs.ts';
import { target } from '../index.ts';
import { traceOutputName } from '../graph-io.ts';
import { OnnxModelSession } from '../run.ts';
import { emitToTemp, goldenBatch } from './helpers.ts';

/**
 * Emits `program` with trace outputs, runs the batch once, and compares scores, labels and every layer's trace with
 * the golden runtime. Returns the names of the layers that showed a nonzero output.
 */
async function assertTracesMatch(t: ExecutionContext, program: Program, batch: { images: Uint8Array[]; seeds: number[] }, unroll: boolean): Promise<Set<string>> {
  const dir = emitToTemp(t, program, { traces: true, unroll });
  const expected = goldenBatch(program, batch);
  t.deepEqual(await target.run(dir, program, batch), expected, `${program.name} (${unroll ? 'unrolled' : 'Loop'}) scores`);
  const session = await OnnxModelSession.open(join(dir, 'model.onnx'), program.input.shape);
  const run = await session.runRaw(batch.images, batch.seeds);
  await session.close();
  const n = batch.images.length;
  const active = new Set<string>();
  batch.images.forEach((image, i) => {
    const golden = traceGolden(program, image, batch.seeds[i]!);
    const rows = (name: string): number[][] => {
      const out = run.outputs.get(name);
      if (!out) return [];
      const units = out.dims[2]!;
      return Array.from({ length: program.timesteps }, (_, step) => out.data.slice((step * n + i) * units, (step * n + i + 1) * units));
    };
    t.deepEqual(rows(traceOutputName('encoder', 'x')), golden.inputs, `${program.name} encoder, image ${i}`);
    program.layers.forEach((op, l) => {
      const want = golden.layers[l]!;
      t.deepEqual(rows(traceOutputName(op.name, 'membrane')), want.membrane, `${program.name} ${op.name} membrane, image ${i}`);
      t.deepEqual(rows(traceOutputName(op.name, 'output')), want.output, `${program.name} ${op.name} output, image ${i}`);
      if (want.output.some((row) => row.some((v) => v !== 0))) active.add(op.name);
    });
  });
  return active;
}

test('hand-built programs per feature, in a Loop and unrolled: scores, labels and every trace equal the golden runtime', async (t) => {
  for (const { program, activity } of featurePrograms()) {
    for (const unroll of [false, true]) {
      const active = await assertTracesMatch(t, program, featureImages(program), unroll);
      t.deepEqual(activity.filter((name) => !active.has(name)), [], `${program.name}: layers that never produced a nonzero value`);
    }
  }
});

test('60 extended random programs x 3 images: scores, labels and every trace equal the golden runtime', async (t) => {
  const kinds = new Set<string>();
  for (let k = 0; k < 60; k++) {
    const program = randomProgram(8000 + k, { extended: true, ...(k % 4 === 0 ? { pool: true } : {}), ...(k % 4 === 1 ? { identity: true } : {}) });
    const size = program.input.shape.reduce((a, b) => a * b, 1);
    const batch = { images: [new Uint8Array(size).fill(255), randomPixels(k * 3 + 1, size), randomPixels(k * 3 + 2, size)], seeds: [k, 0, 0xffffffff] };
    await assertTracesMatch(t, program, batch, k % 10 === 9);
    for (const op of program.layers) {
      if (op.kind === 'spiking') kinds.add(`${op.synapse} synapse`).add(`${op.output.kind} output`).add(`${op.reset.kind} reset`);
      else kinds.add(op.kind === 'pool' ? `${op.mode} pool` : 'conv').add(`${op.kind} stride ${op.stride > 1 ? '> 1' : '1'}`).add(`${op.kind} padding ${op.padding > 0 ? '> 0' : '0'}`);
    }
    kinds.add(`${program.readout.source} readout`);
  }
  const wanted = ['identity synapse', 'membrane output', 'value reset', 'none reset', 'sum pool', 'avg pool', 'conv stride > 1', 'conv padding > 0', 'pool stride > 1', 'pool padding > 0', 'output readout'];
  t.deepEqual(wanted.filter((k) => !kinds.has(k)), [], 'features the batch never exercised');
});

test('the plug-in trace of a model emitted without trace outputs covers pool and identity layers', async (t) => {
  for (const { program } of featurePrograms().filter((f) => f.program.layers.some((l) => l.kind === 'pool'))) {
    const dir = emitToTemp(t, program);
    const { images, seeds } = featureImages(program);
    const actual = await target.trace!(dir, program, images[2]!, seeds[2]!);
    const golden = traceGolden(program, images[2]!, seeds[2]!);
    t.deepEqual(actual.layers, golden.layers, program.name);
  }
});

test('check accepts 300 extended random programs', (t) => {
  for (let seed = 1; seed <= 300; seed++) t.notThrows(() => target.check(randomProgram(seed, { extended: true })), `extended random${seed}`);
});

test('check refuses windows, identity synapses and layer orders the graph cannot compute, naming the layer', (t) => {
  const program = poolSum();
  const pool = program.layers[0]!;
  if (pool.kind !== 'pool') throw new Error('expected a pool first');
  const wrongShape: Program = { ...program, layers: [{ ...pool, outShape: [2, 3, 3] }, ...program.layers.slice(1)] };
  t.throws(() => target.check(wrongShape), { instanceOf: SnncError, message: /^onnx: pool: output shape \[2,3,3\] is not a valid sum pool of \[2,4,4\] with kernel 2, stride 2, padding 0$/ });
  const badPadding: Program = { ...program, layers: [{ ...pool, padding: 2 }, ...program.layers.slice(1)] };
  t.throws(() => target.check(badPadding), { instanceOf: SnncError, message: /^onnx: pool: kernel 2, stride 2, padding 2 is not a window/ });
  const poolLast: Program = { ...program, layers: [...program.layers, { ...pool, name: 'tail', inShape: [2, 1, 1], outShape: [2, 1, 1], kernel: 1, stride: 1 }] };
  t.throws(() => target.check(poolLast), { instanceOf: SnncError, message: 'onnx: the readout reads the last layer, which must be spiking, not pool tail' });
  const cuba = featurePrograms().find((f) => f.program.name === 'feature-cuba-lif')!.program;
  const lif = cuba.layers[1]!;
  if (lif.kind !== 'spiking') throw new Error('expected a spiking layer');
  const uneven: Program = { ...cuba, layers: [cuba.layers[0]!, { ...lif, units: 3, bias: lif.bias.slice(0, 3), accShift: lif.accShift.slice(0, 3) }], classes: 3 };
  t.throws(() => target.check(uneven), { instanceOf: SnncError, message: 'onnx: lif: an identity synapse needs as many inputs as units, not 4 and 3' });
  const firingNone: Program = { ...cuba, layers: [cuba.layers[0]!, { ...lif, reset: { kind: 'none' } }] };
  t.throws(() => target.check(firingNone), { instanceOf: SnncError, message: 'onnx: lif: reset none needs output membrane, but output excess fires' });
});

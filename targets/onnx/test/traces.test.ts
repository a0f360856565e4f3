/**
 * @fileoverview What only the onnx target has: unrolled graphs (the conformance suite runs the default Loop) equal the
 * golden runtime in scores and every trace output; the jitter encoder on full 28x28 images (784 draws per timestep) at
 * jitterBits 1, 8 and 16; the traced twin the plug-in builds for a model emitted without trace outputs; and both for
 * recurrent and synaptic programs.
 */
import test from 'ava';
import { join } from 'node:path';
import type { Program } from '../../../ir/program.ts';
import { randomProgram } from '../../../ir/random-program.ts';
import { runGoldenBatch } from '../../../runtime/golden-batch.ts';
import { traceGolden } from '../../../runtime/golden.ts';
import { mnistBatch, testBatch } from '../../../test/support/batches.ts';
import { recurrenceSweep, sharedSet, sweeps } from '../../../test/support/conformance-set.ts';
import { emitTo } from '../../../test/support/emit-to.ts';
import { exampleProgram } from '../../../test/support/example.ts';
import { target } from '../index.ts';
import { traceOutputName } from '../graph-io.ts';
import { OnnxModelSession } from '../run.ts';

/** Scores and labels of `dir` on the program's testBatch, and the plug-in trace of every image, equal the golden runtime. */
async function assertMatchesGolden(t: import('ava').ExecutionContext, dir: string, program: Program): Promise<void> {
  const batch = testBatch(program);
  t.deepEqual(await target.run(dir, program, batch), await runGoldenBatch(program, batch), `${program.name}: scores and labels`);
  for (const [i, image] of batch.images.entries()) {
    const golden = traceGolden(program, image, batch.seeds[i]!);
    const actual = await target.trace!(dir, program, image, batch.seeds[i]!);
    t.deepEqual(actual.layers, golden.layers, `${program.name} image ${i}: trace`);
  }
}

test('unrolled graphs with trace outputs equal the golden runtime: the shared set and every fifth mode combination', async (t) => {
  const modes = sweeps()[0]!.programs.filter((_, i) => i % 5 === 0);
  for (const program of [...sharedSet().map((c) => c.program), ...modes]) {
    await assertMatchesGolden(t, await emitTo(target, program, { unroll: true, traces: true }), program);
  }
});

test('the jitter encoder draws exactly as the golden runtime on full MNIST images, jitterBits 1, 8 and 16', async (t) => {
  const example = (await exampleProgram()).program;
  const { images, seeds } = mnistBatch(3);
  const all = [...images, new Uint8Array(784).fill(255)]; // every pixel draws
  const allSeeds = [7, 0, 0xfffffffe, 99];
  t.deepEqual(seeds, [0, 1, 2]);
  for (const jitterBits of [1, 8, 16]) {
    const program: Program = { ...example, timesteps: 5, encoder: { kind: 'jitter', prng: 'xorshift32', jitterBits, outType: example.input.type } };
    const dir = await emitTo(target, program, { traces: true });
    const session = await OnnxModelSession.open(join(dir, 'model.onnx'), program.input.shape);
    const run = await session.runRaw(all, allSeeds);
    await session.close();
    const x = run.outputs.get(traceOutputName('encoder', 'x'))!;
    all.forEach((image, i) => {
      const golden = traceGolden(program, image, allSeeds[i]!);
      const rows = Array.from({ length: program.timesteps }, (_, step) => x.data.slice((step * all.length + i) * 784, (step * all.length + i + 1) * 784));
      t.deepEqual(rows, golden.inputs, `jitterBits ${jitterBits}, image ${i}`);
    });
  }
});

test('the plug-in traces a model emitted without trace outputs (Loop and unrolled) through a traced twin', async (t) => {
  const withWindows = sharedSet().filter((c) => c.program.layers.some((l) => l.kind === 'pool')).map((c) => c.program);
  t.true(withWindows.length >= 4);
  for (const [k, program] of [...withWindows, randomProgram(44, { conv: true, delay: 1, timesteps: 4 })].entries()) {
    const dir = await emitTo(target, program, { unroll: k % 2 === 1 });
    const { images, seeds } = testBatch(program);
    const actual = await target.trace!(dir, program, images[2]!, seeds[2]!);
    const golden = traceGolden(program, images[2]!, seeds[2]!);
    t.deepEqual(actual.layers, golden.layers, program.name);
  }
});

test('recurrent and synaptic programs: unrolled with trace outputs, and through the traced twin of a Loop model without them, equal the golden runtime', async (t) => {
  const programs = recurrenceSweep().programs.filter((_, i) => i % 4 === 0);
  t.true(programs.some((p) => p.layers.some((l) => l.kind === 'spiking' && l.recurrent && l.delay === 1)), 'a recurrent layer with delay 1');
  for (const program of programs) {
    await assertMatchesGolden(t, await emitTo(target, program, { unroll: true, traces: true }), program);
    const { images, seeds } = testBatch(program);
    const twin = await target.trace!(await emitTo(target, program, {}), program, images[3]!, seeds[3]!);
    t.deepEqual(twin.layers, traceGolden(program, images[3]!, seeds[3]!).layers, `${program.name}: traced twin`);
  }
});

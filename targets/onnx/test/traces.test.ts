/**
 * @fileoverview Trace outputs against the golden trace, layer by layer and timestep by timestep, including the jitter
 * encoder on a full 28x28 image (784 draws per timestep) and the plug-in's `trace` on models emitted without traces.
 */
import test from 'ava';
import { randomProgram } from '../../../ir/random-program.ts';
import { loadDataset } from '../../../data/load.ts';
import { traceGolden } from '../../../runtime/golden.ts';
import { target } from '../index.ts';
import { traceOutputName } from '../graph-io.ts';
import { OnnxModelSession } from '../run.ts';
import { emitToTemp, randomBatch } from './helpers.ts';
import { syntheticMnist } from './synthetic-mnist.ts';
import { join } from 'node:path';

test('trace outputs equal the golden trace for every layer and timestep', async (t) => {
  const programs = [
    randomProgram(41, { conv: true, encoder: 'jitter', delay: 1, timesteps: 5 }),
    randomProgram(42, { conv: false, encoder: 'direct', delay: 0, timesteps: 4 }),
    randomProgram(43, { conv: true, encoder: 'jitter', delay: 0, output: 'binary', timesteps: 6 }),
  ];
  let compared = 0;
  for (const [p, program] of programs.entries()) {
    for (const unroll of [false, true]) {
      const dir = emitToTemp(t, program, { traces: true, unroll });
      const session = await OnnxModelSession.open(join(dir, 'model.onnx'), program.input.shape);
      const batch = randomBatch(program, p);
      const run = await session.runRaw(batch.images, batch.seeds);
      await session.close();
      const n = batch.images.length;
      batch.images.forEach((image, i) => {
        const golden = traceGolden(program, image, batch.seeds[i]!);
        const rows = (name: string): number[][] => {
          const out = run.outputs.get(name)!;
          const units = out.dims[2]!;
          return Array.from({ length: program.timesteps }, (_, step) => out.data.slice((step * n + i) * units, (step * n + i + 1) * units));
        };
        t.deepEqual(rows(traceOutputName('encoder', 'x')), golden.inputs, `${program.name} encoder, image ${i}`);
        program.layers.forEach((op, l) => {
          if (op.kind === 'spiking') t.deepEqual(rows(traceOutputName(op.name, 'membrane')), golden.layers[l]!.membrane, `${op.name} membrane`);
          t.deepEqual(rows(traceOutputName(op.name, 'output')), golden.layers[l]!.output, `${op.name} output`);
          compared++;
        });
      });
    }
  }
  t.is(compared, 2 * 6 * programs.reduce((a, p) => a + p.layers.length, 0));
});

test('the jitter encoder draws exactly as the golden runtime on full MNIST images, jitterBits 1, 8 and 16', async (t) => {
  let images: Uint8Array[];
  try {
    const data = loadDataset('mnist', 'test', { limit: 3 });
    images = [data.image(0), data.image(1), data.image(2)];
  } catch {
    t.log('MNIST is not fetched: using synthetic 28x28 images');
    images = [0, 1, 2].map((i) => Uint8Array.from({ length: 784 }, (_, k) => ((k * 37 + i * 11) % 5 === 0 ? 0 : (k * 13 + i) % 256)));
  }
  images.push(new Uint8Array(784).fill(255)); // every pixel draws
  for (const jitterBits of [1, 8, 16]) {
    const program = syntheticMnist({ timesteps: 5, jitterBits });
    const dir = emitToTemp(t, program, { traces: true });
    const session = await OnnxModelSession.open(join(dir, 'model.onnx'), program.input.shape);
    const seeds = images.map((_, i) => [7, 0, 0xfffffffe, 99][i]!);
    const run = await session.runRaw(images, seeds);
    await session.close();
    const x = run.outputs.get(traceOutputName('encoder', 'x'))!;
    images.forEach((image, i) => {
      const golden = traceGolden(program, image, seeds[i]!);
      const rows = Array.from({ length: program.timesteps }, (_, step) => x.data.slice((step * images.length + i) * 784, (step * images.length + i + 1) * 784));
      t.deepEqual(rows, golden.inputs, `jitterBits ${jitterBits}, image ${i}`);
    });
  }
});

test('the plug-in trace locates values on a model emitted without trace outputs', async (t) => {
  const program = randomProgram(44, { conv: true, delay: 1, timesteps: 4 });
  const dir = emitToTemp(t, program);
  const { images, seeds } = randomBatch(program, 44);
  const actual = await target.trace!(dir, program, images[0]!, seeds[0]!);
  const golden = traceGolden(program, images[0]!, seeds[0]!);
  t.deepEqual(actual.layers, golden.layers);
});

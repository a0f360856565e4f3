/**
 * @fileoverview The benchmark's bookkeeping, not its speed: the comparison table picks the best PyTorch row per CPU
 * second and divides by it, and the worker-thread runner runs exactly the images it was asked for, on one and on two
 * workers.
 */
import test from 'ava';
import { comparisonTable } from '../bench/compare.ts';
import type { Throughput } from '../bench/row.ts';
import { measureThroughput, softwareTargets } from '../bench/throughput.ts';
import { randomPixels, randomProgram } from '../ir/random-program.ts';

const entry = (target: string, timesteps: number, threads: number, images: number, wallSeconds: number, cpuSeconds: number): Throughput => ({ target, timesteps, threads, images, wallSeconds, cpuSeconds, detail: 'd' });

test('every row is divided by the PyTorch row with the most images per CPU second at its T', (t) => {
  const lines = comparisonTable([
    entry('ts', 8, 1, 1000, 0.5, 0.25),
    entry('pytorch (OpenBLAS)', 8, 1, 1000, 1, 0.5),
    entry('pytorch (OpenBLAS)', 8, 2, 1000, 0.5, 1),
    entry('onnx', 128, 1, 100, 1, 1),
    entry('golden', 16, 1, 100, 1, 1),
  ]);
  t.deepEqual(lines.slice(2), [
    '| ts | 8 | 1 | 1000 | 2000 | 4000 | 2.00x | d |',
    '| **pytorch (OpenBLAS)** (best) | 8 | 1 | 1000 | 1000 | 2000 | 1.00x | d |',
    '| pytorch (OpenBLAS) | 8 | 2 | 1000 | 2000 | 1000 | 0.50x | d |',
    '| onnx | 128 | 1 | 100 | 100 | 100 | n/a (PyTorch not measured) | d |',
  ]);
});

test('the registry software targets are measured, not verilog, and every image is run on one and on two workers', async (t) => {
  t.deepEqual(softwareTargets().slice(0, 1), ['golden']);
  t.false(softwareTargets().includes('verilog'));
  t.true(softwareTargets().includes('ts'));
  const program = randomProgram(3);
  const size = program.input.shape.reduce((a, b) => a * b, 1);
  const pixels = new Uint8Array(40 * size);
  for (let i = 0; i < 40; i++) pixels.set(randomPixels(i + 1, size), i * size);
  for (const threads of [1, 2]) {
    const measured = await measureThroughput('ts', program, pixels, { threads, images: 37 });
    t.is(measured.images, 37);
    t.is(measured.threads, threads);
    t.is(measured.timesteps, program.timesteps);
    t.true(measured.wallSeconds > 0 && measured.cpuSeconds > 0);
  }
});

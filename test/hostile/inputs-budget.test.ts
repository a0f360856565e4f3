/**
 * @fileoverview The work a model file may ask for (issue 19 item 6): a model past the per-image or calibration budget
 * of base/input-limits.ts, or with a layer output past its bound, is refused in one line naming the figure
 * and the bound, before any of that work; calibration reports its progress image by image (drawn only on a TTY).
 */
import test from 'ava';
import type { SnnModel, Tensor } from '../../model/format.ts';
import { terminalProgress } from '../../base/progress.ts';
import { lowerModel } from '../../compiler/lower.ts';
import { cli } from '../support/cli.ts';
import { tinyModel } from '../support/tiny-model.ts';
import { assertRefused, assertUnchanged, modelDir, removeScratch, scratch, snapshotTree } from './support/input-files.ts';

test.after.always(removeScratch);

const filled = (shape: number[], value: number): Tensor => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value) });

/** A 64x4096x4096 input, one conv of `filters` x `kernel`, a 64x64 sum pool and 10 outputs: small files, vast work. */
function giantInput(filters: number, kernel: number): SnnModel {
  const side = 4096 - kernel + 1;
  const pooled = Math.floor((side - 64) / 64) + 1;
  return {
    ...tinyModel(1),
    input: { shape: [kernel === 1 ? 1 : 64, 4096, 4096], scale: 1 / 255 },
    layers: [
      { kind: 'conv', name: 'conv', filters, kernel, weights: filled([filters, kernel === 1 ? 1 : 64, kernel, kernel], 0.01), bias: filled([filters], 0), learned: true },
      { kind: 'pool', name: 'pool', mode: 'sum', kernel: 64, stride: 64, padding: 0 },
      { kind: 'spiking', name: 'out', units: 10, weights: filled([10, filters * pooled * pooled], 0.01), bias: filled([10], 0), decay: 0.9, threshold: 0, output: 'membrane', reset: { kind: 'none' }, delay: 0 },
    ],
  };
}

async function compileRefused(t: import('ava').ExecutionContext, label: string, model: SnnModel, patterns: RegExp[]): Promise<void> {
  const root = scratch(label);
  const dir = modelDir(root, 'model', model);
  const before = snapshotTree(root);
  const r = await cli('compile', dir, '--target', 'none', '--out', `${root}/out`);
  assertRefused(t, r, 2, patterns);
  assertUnchanged(t, root, before);
}

test('a conv model with timesteps 4096 is refused against the calibration budget, naming the figures', async (t) => {
  await compileRefused(t, 'calibration', tinyModel(1, { conv: 3, hidden: 64, timesteps: 4096 }), [
    /model tiny1: calibration needs 2\.08e11 synaptic operations \(4\.07e8 per image x 512 images\), above snnc's budget of 5\.00e10; lower --calibration-images or --timesteps/,
  ]);
});

test('a model whose one timestep of one image is past the per-image budget is refused on read', async (t) => {
  await compileRefused(t, 'per-image', giantInput(1, 4), [/model\.json: 1\.72e10 synaptic operations per image \(1\.72e10 per step x 1 timesteps\), above snnc's budget of 1\.00e10/]);
});

test('a conv layer outputting more values than the bound is refused on read, before allocating them', async (t) => {
  await compileRefused(t, 'outputs', giantInput(2, 1), [/layers\[0\]: outputs 33554432 values per timestep, above snnc's bound of 16777216/]);
});

test('calibration reports progress once per image', (t) => {
  const model = tinyModel(2);
  const images = [0, 1, 2].map((i) => new Uint8Array(784).fill(40 * i));
  const ticks: [number, number][] = [];
  lowerModel({ model, sourceSha256: 'x', calibration: { dataset: 'test', images, seeds: [0, 1, 2], onImageDone: (done, total) => ticks.push([done, total]) } });
  t.deepEqual(ticks, [[1, 3], [2, 3], [3, 3]]);
});

test('the progress bar draws on a TTY only', (t) => {
  const written: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string) => {
    written.push(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    const quiet = terminalProgress('calibrate', 2, false);
    quiet.tick(2);
    quiet.done();
    t.deepEqual(written, []);
    const bar = terminalProgress('calibrate', 2, true);
    bar.tick(2);
    bar.done();
  } finally {
    process.stderr.write = write;
  }
  t.regex(written[0] ?? '', /^\rcalibrate \[#{24}\] 2\/2 /);
  t.is(written[1], '\r\x1b[K');
});

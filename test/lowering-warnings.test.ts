/**
 * @fileoverview A lowering that destroys the model compiles (exit 0) but says so: weights quantized to 0, a layer
 * silent in fixed point, label agreement with float far below 100 %; summary.md records the agreement. A normal
 * compile prints no warning.
 */
import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SnnModel, SpikingLayer } from '../model/format.ts';
import { writeModel } from '../model/write-model.ts';
import { cli } from './support/cli.ts';
import { tinyModel } from './support/tiny-model.ts';

const scratch = mkdtempSync(join(tmpdir(), 'snnc-warnings-'));

function saved(name: string, model: SnnModel): string {
  const dir = join(scratch, name);
  writeModel(model, dir);
  return dir;
}

/**
 * Every hidden unit has one large weight on pixel 0 (a corner, 0 in every MNIST image) and small positive weights
 * elsewhere: float fires on the small weights; at 2-bit weights per channel only the large weight survives.
 */
function cornerHeavy(): SnnModel {
  const base = tinyModel(11);
  const hidden = base.layers[0] as SpikingLayer;
  const inputs = 784;
  const data = Float32Array.from({ length: hidden.units * inputs }, (_, i) => (i % inputs === 0 ? 4 : 0.05));
  return { ...base, layers: [{ ...hidden, weights: { shape: [hidden.units, inputs], data } }, base.layers[1]!] };
}

async function compile(model: string, ...flags: string[]): Promise<{ code: number; err: string[]; summary: string }> {
  const out = join(scratch, `build-${Math.random().toString(36).slice(2)}`);
  const r = await cli('compile', model, '--out', out, '--target', 'none', ...flags);
  return { code: r.code, err: r.err, summary: r.code === 0 ? readFileSync(join(out, 'summary.md'), 'utf8') : '' };
}

test('a normal compile prints no warning and puts the calibration agreement in summary.md', async (t) => {
  const r = await compile('examples/mnist-snn');
  t.is(r.code, 0);
  t.deepEqual(r.err, []);
  t.true(r.summary.includes('- fixed point vs float on the first 64 calibration images: 64 labels agree (100.0 %)\n'), r.summary);
  t.false(r.summary.includes('## Warnings'));
});

test('--weight-bits 2 on the MNIST example: the zeroed weights and the agreement, exit 0', async (t) => {
  const r = await compile('examples/mnist-snn', '--weight-bits', '2');
  t.is(r.code, 0);
  t.deepEqual(r.err, [
    'snnc: warning: hidden: 75,597 of 78,400 weights quantize to 0 at 2-bit weights',
    'snnc: warning: out: 921 of 1,000 weights quantize to 0 at 2-bit weights',
    'snnc: warning: fixed point agrees with float on 9 of 64 calibration images (14.1 %)',
  ]);
  t.true(r.summary.includes('- fixed point vs float on the first 64 calibration images: 9 labels agree (14.1 %)\n'));
  t.true(r.summary.includes('## Warnings\n- hidden: 75,597 of 78,400 weights quantize to 0 at 2-bit weights\n'));
});

test('--activation-bits 1 on the MNIST example: the silent hidden layer and the agreement, exit 0', async (t) => {
  const r = await compile('examples/mnist-snn', '--activation-bits', '1');
  t.is(r.code, 0);
  t.deepEqual(r.err, [
    'snnc: warning: hidden: silent on all 64 calibration images in fixed point (it fires on 64 in float)',
    'snnc: warning: fixed point agrees with float on 5 of 64 calibration images (7.8 %)',
  ]);
});

test('--activation-bits 1 on a tiny model: agreement far below 100 % is a warning, exit 0', async (t) => {
  const r = await compile(saved('tiny5', tinyModel(5)), '--activation-bits', '1', '--calibration-images', '128');
  t.is(r.code, 0);
  t.deepEqual(r.err, ['snnc: warning: fixed point agrees with float on 29 of 64 calibration images (45.3 %)']);
});

test('a layer that fires in float and is silent in fixed point is a warning, exit 0', async (t) => {
  const model = saved('corner', cornerHeavy());
  const normal = await compile(model, '--calibration-images', '128');
  t.is(normal.code, 0);
  t.deepEqual(normal.err.filter((l) => /silent|quantize to 0/.test(l)), [], 'at 8 bits the small weights survive');
  const r = await compile(model, '--weight-bits', '2', '--calibration-images', '128');
  t.is(r.code, 0);
  t.true(r.err.includes('snnc: warning: hidden: silent on all 64 calibration images in fixed point (it fires on 64 in float)'), r.err.join('\n'));
  t.true(r.err.includes('snnc: warning: hidden: 12,528 of 12,544 weights quantize to 0 at 2-bit weights'), r.err.join('\n'));
});

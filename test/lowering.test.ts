/** @fileoverview The lowering pipeline: valid programs at every setting, golden IR text, float/fixed agreement. */
import test from 'ava';
import { lowerModel, calibrationSet } from '../compiler/lower.ts';
import { printProgram } from '../ir/print.ts';
import { validateProgram } from '../ir/validate.ts';
import { membraneBound } from '../ir/bounds.ts';
import { PASS_NAMES } from '../compiler/passes/pipeline.ts';
import type { SpikingOp } from '../ir/spiking.ts';
import { runSnnFloat } from '../runtime/float-reference.ts';
import { runGolden } from '../runtime/golden.ts';
import { loadDataset } from '../data/load.ts';
import { tinyModel } from './support/tiny-model.ts';
import { assertGolden } from './support/golden.ts';

const GOLDEN = new URL('./golden/', import.meta.url).pathname;

test('the pipeline is one named list', (t) => {
  t.deepEqual(PASS_NAMES, ['check-model', 'fold-input-scale', 'calibrate', 'choose-formats', 'quantize', 'range-analysis']);
});

test('every weight width 2..16, per layer and per channel, gives a valid program (validated between passes)', async (t) => {
  const models = [tinyModel(1), tinyModel(2, { conv: 3 }), tinyModel(3, { output: 'binary', reset: { kind: 'zero' }, delay: 1 })];
  for (const model of models) {
    const calibration = await calibrationSet(model, 32);
    for (let weightBits = 2; weightBits <= 16; weightBits++) {
      for (const granularity of ['layer', 'channel'] as const) {
        const program = lowerModel({ model, sourceSha256: 'x', calibration, options: { weightBits, granularity }, hooks: { validateBetween: true } });
        t.is(program.quantization.weightBits, weightBits);
        const w = Math.max(...program.layers.flatMap((l) => (l.kind === 'pool' ? [] : l.weights.map(Math.abs))));
        t.true(w <= 2 ** (weightBits - 1) - 1);
        validateProgram(program);
      }
    }
  }
});

test('the compiled IR of a tiny model matches its golden text', async (t) => {
  const model = tinyModel(1);
  const program = lowerModel({ model, sourceSha256: '0'.repeat(64), calibration: await calibrationSet(model, 64) });
  assertGolden(t, `${GOLDEN}tiny-1.ir.txt`, printProgram(program));
  const conv = tinyModel(2, { conv: 5, reset: { kind: 'subtract' } });
  assertGolden(t, `${GOLDEN}tiny-2-conv5.ir.txt`, printProgram(lowerModel({ model: conv, sourceSha256: '0'.repeat(64), calibration: await calibrationSet(conv, 64) })));
});

test('8-bit fixed point agrees with float on most images; 16-bit on more (inputs stay u8.8 either way)', async (t) => {
  const model = tinyModel(7, { hidden: 32 });
  const calibration = await calibrationSet(model, 128);
  const data = loadDataset('mnist', 'test', { limit: 200 });
  for (const [weightBits, minimum] of [[8, 0.93], [16, 0.95]] as const) {
    const program = lowerModel({ model, sourceSha256: 'x', calibration, options: { weightBits, activationBits: weightBits } });
    let agree = 0;
    for (let i = 0; i < data.count; i++) if (runSnnFloat(model, data.image(i), i).label === runGolden(program, data.image(i), i).label) agree++;
    t.true(agree / data.count >= minimum, `${weightBits} bits: ${agree}/${data.count}`);
  }
});

test('range analysis: decay 1 grows linearly, refractory 1.5 keeps the bound near the drive', (t) => {
  const op = { decay: { mul: 65536, shift: 16 }, reset: { kind: 'subtract' } } as unknown as SpikingOp;
  t.is(membraneBound(op, 100, 10), 10 * 101); // each step: previous + 1 (rounding slack) + drive
  const leaky = { decay: { mul: 0, shift: 16 }, reset: { kind: 'refractory', mul: 98304, shift: 16 } } as unknown as SpikingOp;
  t.is(membraneBound(leaky, 100, 10), 100);
});

test('--timesteps overrides the model and the readout window', async (t) => {
  const model = tinyModel(1);
  const program = lowerModel({ model, sourceSha256: 'x', calibration: await calibrationSet(model, 16), options: { timesteps: 32 } });
  t.is(program.timesteps, 32);
  t.true(program.readout.scoreType.bits >= (program.layers[1] as SpikingOp).membraneType.bits + 5);
});

/** @fileoverview The shipped MNIST example: its printed IR, determinism, and float vs 8-bit fixed-point accuracy. */
import test from 'ava';
import { printProgram } from '../ir/print.ts';
import { evaluate } from '../verify/evaluate.ts';
import { runGolden } from '../runtime/golden.ts';
import { loadDataset } from '../data/load.ts';
import { assertGolden } from './support/golden.ts';
import { exampleProgram } from './support/example.ts';

const GOLDEN = new URL('./golden/', import.meta.url).pathname;

test('the example compiles to the reviewed IR', async (t) => {
  const { program } = await exampleProgram();
  assertGolden(t, `${GOLDEN}mnist-snn.ir.txt`, printProgram(program));
  t.true(program.quantization.provenNoSaturation);
});

test('the same image and seed give identical integers on every run', async (t) => {
  const { program } = await exampleProgram();
  const data = loadDataset('mnist', 'test', { limit: 5 });
  for (let i = 0; i < data.count; i++) t.deepEqual(runGolden(program, data.image(i), 1234 + i), runGolden(program, data.image(i), 1234 + i));
});

test('8-bit fixed point stays within a point of float on 1000 test images', async (t) => {
  const { model, program } = await exampleProgram();
  const r = evaluate(model, program, loadDataset('mnist', 'test', { limit: 1000 }));
  t.log(`float ${r.floatCorrect / 10} %, fixed ${r.fixedCorrect / 10} %, agreement ${r.agree / 10} %`);
  t.true(r.floatCorrect >= 960, `float accuracy ${r.floatCorrect / 10} %`);
  t.true(Math.abs(r.floatCorrect - r.fixedCorrect) <= 10, `float ${r.floatCorrect}, fixed ${r.fixedCorrect}`);
  t.true(r.agree >= 980, `agreement ${r.agree / 10} %`);
});

/** @fileoverview The shipped MNIST example through the verilog target: lint clean and bit-exact on 20 test images. */
import test from 'ava';
import { existsSync } from 'node:fs';
import { loadDataset } from '../../../data/load.ts';
import { exampleProgram, EXAMPLE_DIR } from '../../../test/support/example.ts';
import { target } from '../index.ts';
import { assertGoldenScores, lint, scratch } from './support.ts';
import { writeDirAtomic } from '../../../base/fs-atomic.ts';

const IMAGES = 20;

(existsSync(`${EXAMPLE_DIR}/model.json`) ? test : test.skip)(`the MNIST example is lint clean and bit-exact on ${IMAGES} test images`, async (t) => {
  const { program } = await exampleProgram();
  const dir = scratch('mnist');
  writeDirAtomic(dir, (await target.emit(program, {})).map((f) => [f.path, f.contents] as const));
  t.is(lint(dir), '');
  const mnist = loadDataset('mnist', 'test', { limit: IMAGES });
  const batch = { images: Array.from({ length: IMAGES }, (_, i) => mnist.image(i)), seeds: Array.from({ length: IMAGES }, (_, i) => i) };
  assertGoldenScores(t, dir, program, batch, await target.run(dir, program, batch));
});

/** @fileoverview Hostile `snnc train --out` and `snnc plot --out`: files snnc did not write are never written over. */
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../support/cli.ts';
import { caseWithModel } from './support/cases.ts';
import { assertOneLine, assertSame, snapshotTree } from './support/snapshot.ts';

const train = (out: string) => cli('train', '--arch', 'snn', '--dataset', 'mnist', '--epochs', '1', '--train-limit', '10', '--test-limit', '10', '--out', out);

test('train --out into a folder holding a model.json snnc did not write is refused, the files kept', async (t) => {
  const { dir } = caseWithModel('train-foreign');
  mkdirSync(join(dir, 'mine'));
  writeFileSync(join(dir, 'mine', 'model.json'), '{"my": "own model"}\n');
  writeFileSync(join(dir, 'mine', 'notes.txt'), 'keep\n');
  const before = snapshotTree(dir);
  const r = await train(join(dir, 'mine'));
  t.is(r.code, 2);
  assertOneLine(t, r.err, /mine: holds model\.json that snnc did not write \(no \.snnc-output in it\)/);
  assertSame(t, dir, before);
});

test('train --out naming a file is refused, the file kept', async (t) => {
  const { dir } = caseWithModel('train-file');
  writeFileSync(join(dir, 'results.csv'), 'a,b\n');
  const before = snapshotTree(dir);
  const r = await train(join(dir, 'results.csv'));
  t.is(r.code, 2);
  assertOneLine(t, r.err, /results\.csv: exists and is not a folder/);
  assertSame(t, dir, before);
});

test('plot --out naming a file that is not a PNG is refused, the file kept', async (t) => {
  const { dir, model } = caseWithModel('plot-foreign');
  writeFileSync(join(dir, 'thesis.png'), 'not a picture, my notes\n');
  const before = snapshotTree(dir);
  const r = await cli('plot', 'curves', model, '--out', join(dir, 'thesis.png'));
  t.is(r.code, 2);
  assertOneLine(t, r.err, /thesis\.png: exists and is not a PNG file; choose another file or remove it yourself$/);
  assertSame(t, dir, before);
});

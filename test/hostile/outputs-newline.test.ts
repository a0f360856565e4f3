/** @fileoverview A newline or escape in a path or a layer name is shown escaped: the error stays one stderr line. */
import test from 'ava';
import { join } from 'node:path';
import { cli, cliProcess } from '../support/cli.ts';
import { tinyModel } from '../support/tiny-model.ts';
import type { SpikingLayer } from '../../model/format.ts';
import { assertOneLine, assertSame, snapshotTree } from './support/snapshot.ts';
import { caseWithModel } from './support/cases.ts';

test('a newline in a model path prints one stderr line (the real executable)', (t) => {
  const { dir } = caseWithModel('nl-path');
  const before = snapshotTree(dir);
  const r = cliProcess(['compile', join(dir, 'no\nsuch\u001b[2Jmodel')]);
  t.is(r.code, 2);
  assertOneLine(t, r.stderr, /no\\nsuch\\u001b\[2Jmodel/);
  assertSame(t, dir, before);
});

test('a newline in an --out path prints one stderr line', async (t) => {
  const { dir, model } = caseWithModel('nl-out');
  const before = snapshotTree(dir);
  const r = await cli('compile', model, '--target', 'none', '--out', join(dir, 'a\nb'));
  t.is(r.code, 2);
  assertOneLine(t, r.err, /a\\nb.*control character/);
  assertSame(t, dir, before);
});

test('a newline in a layer name prints one stderr line', async (t) => {
  const base = tinyModel(3);
  const [hidden, out] = base.layers as [SpikingLayer, SpikingLayer];
  // A negative threshold is refused with the layer's name in the message (or the name itself is refused).
  const { dir, model } = caseWithModel('nl-layer', { ...base, layers: [{ ...hidden, name: 'hid\nden', threshold: -1 }, out] });
  const before = snapshotTree(dir);
  const r = await cli('compile', model, '--target', 'none', '--out', join(dir, 'build'));
  t.is(r.code, 2);
  assertOneLine(t, r.err, /hid\\nden/);
  assertSame(t, dir, before);
});

/** @fileoverview A short fixed-seed run of the model-file fuzzer: no crash, no multi-line error, no invalid IR. */
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeModel } from '../model/write-model.ts';
import { fuzzModels } from '../verify/fuzz-models.ts';
import { tinyModel } from './support/tiny-model.ts';
import { avgPoolModel, cubaModel, sinabsModel } from './support/feature-models.ts';

test('600 mutated models are each read and lowered, or refused in one line', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'snnc-fuzz-'));
  writeModel(tinyModel(9, { conv: 3 }), join(dir, 'a'));
  writeModel(tinyModel(8, { output: 'binary', delay: 1 }), join(dir, 'b'));
  const s = await fuzzModels([join(dir, 'a'), join(dir, 'b')], 600, 7);
  t.deepEqual(s.crashReports, []);
  t.is(s.crashes, 0);
  t.is(s.multiline, 0);
  t.is(s.tried, 600);
  t.true(s.refused > 300, `only ${s.refused} refusals: the mutations are too gentle`);
  t.true(s.lowered > 0);
});

test('400 mutated feature models (strides, pools, identity synapses, membrane outputs, new resets) never crash', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'snnc-fuzz-'));
  writeModel(sinabsModel(1), join(dir, 'sinabs'));
  writeModel(cubaModel(2, { kind: 'value', value: 0.25 }), join(dir, 'cuba'));
  writeModel(avgPoolModel(3), join(dir, 'avg'));
  const s = await fuzzModels([join(dir, 'sinabs'), join(dir, 'cuba'), join(dir, 'avg')], 400, 11);
  t.deepEqual(s.crashReports, []);
  t.is(s.crashes, 0);
  t.is(s.multiline, 0);
  t.true(s.refused > 150, `only ${s.refused} refusals`);
  t.true(s.lowered > 0);
});

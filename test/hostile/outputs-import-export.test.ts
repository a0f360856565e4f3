/** @fileoverview Hostile `snnc import` and `snnc export` outputs: the source is never removed, parents are made. */
import test from 'ava';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../support/cli.ts';
import { tinyModel } from '../support/tiny-model.ts';
import { assertKept, assertOneLine, assertSame, snapshotTree } from './support/snapshot.ts';
import { caseWithModel } from './support/cases.ts';

/** A tiny model NIR can state exactly (binary spikes, subtract reset), exported to `dir/net.nir`. */
async function caseWithNir(label: string): Promise<{ dir: string; model: string; nir: string }> {
  const { dir, model } = caseWithModel(label, tinyModel(3, { output: 'binary', reset: { kind: 'subtract' } }));
  const nir = join(dir, 'net.nir');
  const r = await cli('export', model, '--to', 'nir', '--out', nir);
  if (r.code !== 0) throw new Error(r.err.join('\n'));
  return { dir, model, nir };
}

test('import net.nir --out nets keeps the source .nir beside it', async (t) => {
  const { dir, nir } = await caseWithNir('nets');
  const before = snapshotTree(dir);
  const r = await cli('import', nir, '--out', join(dir, 'nets'));
  t.is(r.code, 0, r.err.join('\n'));
  assertKept(t, dir, before);
  t.deepEqual(readdirSync(join(dir, 'nets')).sort(), ['.snnc-output', 'model.json', 'weights.bin']);
});

test('import of a NIR file without the .nir suffix and no --out is refused, the file kept', async (t) => {
  const { dir, nir } = await caseWithNir('suffix');
  copyFileSync(nir, join(dir, 'netfile'));
  const before = snapshotTree(dir);
  const r = await cli('import', join(dir, 'netfile'));
  t.is(r.code, 2);
  assertOneLine(t, r.err, /^snnc: snnc import: .*netfile does not end in \.nir; give --out DIR$/);
  assertSame(t, dir, before);
});

test('import --out naming the folder that holds the .nir is refused, the .nir kept', async (t) => {
  const { dir, nir } = await caseWithNir('holds-nir');
  mkdirSync(join(dir, 'nets'));
  copyFileSync(nir, join(dir, 'nets', 'net.nir'));
  const before = snapshotTree(dir);
  const r = await cli('import', join(dir, 'nets', 'net.nir'), '--out', join(dir, 'nets'));
  t.is(r.code, 2);
  assertOneLine(t, r.err, /nets: holds the input .*net\.nir; snnc never replaces its input$/);
  assertSame(t, dir, before);
});

test('import --out naming the .nir file itself is refused', async (t) => {
  const { dir, nir } = await caseWithNir('is-nir');
  const before = snapshotTree(dir);
  const r = await cli('import', nir, '--out', nir);
  t.is(r.code, 2);
  assertOneLine(t, r.err, /net\.nir: is the input .*net\.nir; snnc never writes over its input$/);
  assertSame(t, dir, before);
});

test('import --out naming a folder snnc did not write is refused', async (t) => {
  const { dir, nir } = await caseWithNir('import-thesis');
  mkdirSync(join(dir, 'thesis'));
  writeFileSync(join(dir, 'thesis', 'main.tex'), '\\begin{document}\n');
  const before = snapshotTree(dir);
  const r = await cli('import', nir, '--out', join(dir, 'thesis'));
  t.is(r.code, 2);
  assertOneLine(t, r.err, /thesis: exists and was not written by snnc/);
  assertSame(t, dir, before);
});

test('export --out into a missing folder makes the folder, as compile does', async (t) => {
  const { dir, model } = caseWithModel('export-parents', tinyModel(3, { output: 'binary', reset: { kind: 'subtract' } }));
  const before = snapshotTree(dir);
  const r = await cli('export', model, '--to', 'nir', '--out', join(dir, 'new', 'deeper', 'x.nir'));
  t.is(r.code, 0, r.err.join('\n'));
  t.is(readFileSync(join(dir, 'new', 'deeper', 'x.nir')).subarray(1, 4).toString(), 'HDF');
  t.deepEqual(readdirSync(join(dir, 'new', 'deeper')), ['x.nir'], 'no temporary file left');
  assertKept(t, dir, before);
});

test('export --out onto a folder is refused, the folder kept', async (t) => {
  const { dir, model } = caseWithModel('export-folder', tinyModel(3, { output: 'binary', reset: { kind: 'subtract' } }));
  mkdirSync(join(dir, 'out.nir'));
  writeFileSync(join(dir, 'out.nir', 'keep.txt'), 'keep\n');
  const before = snapshotTree(dir);
  const r = await cli('export', model, '--to', 'nir', '--out', join(dir, 'out.nir'));
  t.is(r.code, 2);
  assertOneLine(t, r.err, /out\.nir: is a folder; name a file to write$/);
  assertSame(t, dir, before);
});

test('export --out onto a file that is not HDF5 is refused, the file kept', async (t) => {
  const { dir, model } = caseWithModel('export-file', tinyModel(3, { output: 'binary', reset: { kind: 'subtract' } }));
  writeFileSync(join(dir, 'results.csv'), 'a,b\n');
  const before = snapshotTree(dir);
  const r = await cli('export', model, '--to', 'nir', '--out', join(dir, 'results.csv'));
  t.is(r.code, 2);
  assertOneLine(t, r.err, /results\.csv: exists and is not a NIR \(HDF5\) file; choose another file or remove it yourself$/);
  assertSame(t, dir, before);
});

test('export --out inside the model folder is refused', async (t) => {
  const { dir, model } = caseWithModel('export-inside', tinyModel(3, { output: 'binary', reset: { kind: 'subtract' } }));
  const before = snapshotTree(dir);
  const r = await cli('export', model, '--to', 'nir', '--out', join(model, 'x.nir'));
  t.is(r.code, 2);
  assertOneLine(t, r.err, /x\.nir: is inside the input .*model; snnc never writes into its input$/);
  assertSame(t, dir, before);
});

test('export replaces its own earlier NIR file', async (t) => {
  const { dir, model } = caseWithModel('export-again', tinyModel(3, { output: 'binary', reset: { kind: 'subtract' } }));
  const out = join(dir, 'x.nir');
  t.is((await cli('export', model, '--to', 'nir', '--out', out)).code, 0);
  const r = await cli('export', model, '--to', 'nir', '--out', out, '--dt', '0.5');
  t.is(r.code, 0, r.err.join('\n'));
  t.deepEqual(readdirSync(dir).sort(), ['model', 'x.nir']);
});

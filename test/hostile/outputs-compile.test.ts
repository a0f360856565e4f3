/** @fileoverview Hostile `snnc compile --out` cases: only a folder snnc wrote for this model is ever replaced. */
import test from 'ava';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../support/cli.ts';
import { tinyModel } from '../support/tiny-model.ts';
import { writeModel } from '../../model/write-model.ts';
import { assertKept, assertOneLine, assertSame, snapshotTree } from './support/snapshot.ts';
import { caseWithModel } from './support/cases.ts';

const compile = (model: string, ...rest: string[]) => cli('compile', model, '--target', 'none', ...rest);

test('--out naming a folder snnc did not write is refused, its files kept', async (t) => {
  const { dir, model } = caseWithModel('thesis');
  mkdirSync(join(dir, 'thesis', 'chapters'), { recursive: true });
  writeFileSync(join(dir, 'thesis', 'chapters', '1.tex'), '\\chapter{One}\n');
  const before = snapshotTree(dir);
  const r = await compile(model, '--out', join(dir, 'thesis'));
  t.is(r.code, 2);
  assertOneLine(t, r.err, /^snnc: .*thesis: exists and was not written by snnc \(no \.snnc-output in it\); choose another output folder or remove it yourself$/);
  assertSame(t, dir, before);
});

test("--out naming the model's own folder is refused, model.json and training.json kept", async (t) => {
  const { dir, model } = caseWithModel('own');
  writeFileSync(join(model, 'training.json'), '{"history": []}\n');
  const before = snapshotTree(dir);
  const r = await compile(model, '--out', model);
  t.is(r.code, 2);
  assertOneLine(t, r.err, /^snnc: .*model: is the input .*model; snnc never writes over its input$/);
  assertSame(t, dir, before);
});

test('--out inside the model folder is refused', async (t) => {
  const { dir, model } = caseWithModel('inside');
  const before = snapshotTree(dir);
  const r = await compile(model, '--out', join(model, 'build'));
  t.is(r.code, 2);
  assertOneLine(t, r.err, /^snnc: .*model\/build: is inside the input .*; snnc never writes into its input$/);
  assertSame(t, dir, before);
});

test('--out naming a folder that holds the model is refused', async (t) => {
  const { dir, model } = caseWithModel('holds');
  const before = snapshotTree(dir);
  const r = await compile(model, '--out', dir);
  t.is(r.code, 2);
  assertOneLine(t, r.err, /: holds the input .*model; snnc never replaces its input$/);
  assertSame(t, dir, before);
});

test('--out naming a file is refused, the file kept', async (t) => {
  const { dir, model } = caseWithModel('file');
  writeFileSync(join(dir, 'results.csv'), 'image,score\n1,0.5\n');
  const before = snapshotTree(dir);
  const r = await compile(model, '--out', join(dir, 'results.csv'));
  t.is(r.code, 2);
  assertOneLine(t, r.err, /results\.csv: exists and is not a folder; snnc writes a folder here$/);
  assertSame(t, dir, before);
});

test('--out naming a symbolic link is refused, the folder it points to kept', async (t) => {
  const { dir, model } = caseWithModel('link');
  mkdirSync(join(dir, 'real'));
  writeFileSync(join(dir, 'real', 'notes.txt'), 'mine\n');
  symlinkSync(join(dir, 'real'), join(dir, 'link'));
  const before = snapshotTree(dir);
  const r = await compile(model, '--out', join(dir, 'link'));
  t.is(r.code, 2);
  assertOneLine(t, r.err, /link: is a symbolic link; name the folder itself$/);
  assertSame(t, dir, before);
});

test('--out "" is refused', async (t) => {
  const { dir, model } = caseWithModel('empty');
  const before = snapshotTree(dir);
  const r = await compile(model, '--out', '');
  t.is(r.code, 2);
  assertOneLine(t, r.err, /^snnc: --out: empty value$/);
  assertSame(t, dir, before);
});

// The two cases below run from inside the case folder (the probe ran `--out .` beside the model), so they are serial.
test.serial('--out . is refused, the model beside it kept', async (t) => {
  const { dir } = caseWithModel('dot');
  const before = snapshotTree(dir);
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const r = await compile('model', '--out', '.');
    t.is(r.code, 2);
    assertOneLine(t, r.err, /^snnc: \.: is the current folder or holds it; name a folder for the output$/);
  } finally {
    process.chdir(cwd);
  }
  assertSame(t, dir, before);
});

test.serial('a model name that would leave build/ is refused, the build beside it kept', async (t) => {
  for (const name of ['../escape', '']) {
    const { dir } = caseWithModel('name', { ...tinyModel(3), metadata: { ...tinyModel(3).metadata, name } });
    mkdirSync(join(dir, 'build', 'other'), { recursive: true });
    writeFileSync(join(dir, 'build', 'other', 'ir.json'), '{}\n');
    writeFileSync(join(dir, 'escape'), 'keep me\n');
    const before = snapshotTree(dir);
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const r = await compile('model');
      t.is(r.code, 2, JSON.stringify(name));
      assertOneLine(t, r.err, /metadata\.name/);
    } finally {
      process.chdir(cwd);
    }
    assertSame(t, dir, before);
  }
});

test("a compile into another model's build is refused, that build kept", async (t) => {
  const { dir, model } = caseWithModel('other');
  const out = join(dir, 'build');
  t.is((await compile(model, '--out', out)).code, 0);
  writeModel(tinyModel(4), join(dir, 'second'));
  const before = snapshotTree(dir);
  const r = await compile(join(dir, 'second'), '--out', out);
  t.is(r.code, 2);
  assertOneLine(t, r.err, /build: holds the snnc build of another model \(.*model\); choose another output folder or remove it yourself$/);
  assertSame(t, dir, before);
});

test('a compile replaces its own earlier build, and an empty folder may be filled', async (t) => {
  const { dir, model } = caseWithModel('again');
  const out = join(dir, 'build');
  mkdirSync(out);
  const modelBefore = snapshotTree(model);
  t.is((await compile(model, '--out', out, '--weight-bits', '4')).code, 0);
  const first = readFileSync(join(out, 'ir.json'), 'utf8');
  const r = await compile(model, '--out', out, '--weight-bits', '6');
  t.is(r.code, 0, r.err.join('\n'));
  t.not(readFileSync(join(out, 'ir.json'), 'utf8'), first);
  t.deepEqual(readdirSync(out).sort(), ['.snnc-output', 'ir.json', 'ir.txt', 'manifest.json', 'summary.json', 'summary.md']);
  t.deepEqual(readdirSync(dir).sort(), ['build', 'model'], 'no staging or old folder left beside it');
  assertKept(t, model, modelBefore);
});

test('a model named by its model.json: --out inside its folder is still refused', async (t) => {
  const { dir, model } = caseWithModel('json-path');
  const before = snapshotTree(dir);
  const r = await compile(join(model, 'model.json'), '--out', join(model, 'build'));
  t.is(r.code, 2);
  assertOneLine(t, r.err, /model\/build: is inside the input .*model; snnc never writes into its input$/);
  assertSame(t, dir, before);
});

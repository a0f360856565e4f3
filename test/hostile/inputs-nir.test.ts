/**
 * @fileoverview Hostile NIR files (issue 19 items 2 and 3): a FIFO, a device, one dataset hard-linked 2000 times,
 * a gigabyte of compressed zeros, and an unsafe model name in the snnc head. Each is refused in one stderr line, exit
 * 2, from declared shapes alone (no value is read), and every file that was there before is intact.
 */
import test from 'ava';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import { importedModelName } from '../../compiler/frontends/nir/model-head.ts';
import { cli } from '../support/cli.ts';
import { snntorchMlp, writeRawNir } from '../support/nir-build.ts';
import { assertRefused, assertUnchanged, fifo, removeScratch, scratch, snapshotTree } from './support/input-files.ts';

test.after.always(removeScratch);

/** A valid small NIR net at DIR/net.nir, then `extra` adds to the open file. */
async function nirWith(dir: string, extra: (file: InstanceType<typeof h5wasm.File>) => void): Promise<string> {
  const path = join(dir, 'net.nir');
  await writeRawNir(path, snntorchMlp(8));
  await h5wasm.ready;
  const file = new h5wasm.File(path, 'a');
  try {
    extra(file);
  } finally {
    file.close();
  }
  return path;
}

async function compileRefused(t: import('ava').ExecutionContext, root: string, nir: string, patterns: RegExp[]): Promise<void> {
  const before = snapshotTree(root);
  const r = await cli('compile', nir, '--target', 'none', '--out', join(root, 'out'));
  assertRefused(t, r, 2, patterns);
  assertUnchanged(t, root, before);
}

test('a .nir FIFO is refused at once (no hang), exit 2', async (t) => {
  const root = scratch('nir-fifo');
  await compileRefused(t, root, fifo(join(root, 'net.nir')), [/net\.nir: the NIR file is not a regular file \(a FIFO/]);
});

test('a .nir link to /dev/zero is refused as a character device, exit 2', async (t) => {
  const root = scratch('nir-zero');
  symlinkSync('/dev/zero', join(root, 'net.nir'));
  await compileRefused(t, root, join(root, 'net.nir'), [/net\.nir: the NIR file is not a regular file \(a character device\)/]);
});

test('one dataset hard-linked 2000 times is refused by the total declared values, before reading any', async (t) => {
  const root = scratch('nir-links');
  const nir = await nirWith(root, (file) => {
    const junk = file.create_group('junk');
    junk.create_dataset({ name: 'blob', data: new Float64Array(1 << 16), shape: [1 << 16], dtype: '<d' });
    for (let i = 0; i < 2000; i++) junk.create_hard_link('/junk/blob', `link${i}`);
  });
  await compileRefused(t, root, nir, [/net\.nir: datasets declare more than 67108864 values in all \(counting each link; reached at junk\/link\d+\), above snnc's bound/]);
});

test('a gigabyte of compressed zeros in one dataset is refused by its declared shape, before reading it', async (t) => {
  const root = scratch('nir-zeros');
  const nir = await nirWith(root, (file) => {
    const chunk = 1 << 20;
    const ds = file.create_dataset({ name: 'zeros', data: new Float64Array(chunk), shape: [chunk], maxshape: [1 << 27], chunks: [chunk], dtype: '<d', compression: 'gzip' });
    ds.resize([1 << 27]); // 1 GiB of float64 zeros, never written: the file stays small
  });
  await compileRefused(t, root, nir, [/net\.nir: zeros: declares 134217728 values, above snnc's bound of 67108864 per dataset/]);
});

test('an unsafe model name in the snnc head of a NIR file is refused, exit 2', async (t) => {
  const root = scratch('nir-name');
  const nir = await nirWith(root, (file) => {
    const node = file.get('node') as InstanceType<typeof h5wasm.Group>;
    const meta = node.create_group('metadata');
    const head = { format: 'snnc-nir-head', version: 1, metadata: { name: '../../escape', dataset: 'mnist', arch: 'nir', seed: 0, trainCommand: 'x' } };
    meta.create_dataset({ name: 'snnc', data: JSON.stringify(head), shape: [], dtype: 'S' });
  });
  await compileRefused(t, root, nir, [/net\.nir: model name "\.\.\/\.\.\/escape" holds a path separator/]);
});

test('a NIR file name with unsafe characters gives a safe model name', (t) => {
  t.is(importedModelName(undefined, '/x/my net (v2).nir'), 'my_net__v2_');
  t.is(importedModelName(undefined, '/x/...nir'), 'nir-model');
  t.is(importedModelName(undefined, '/x/a..b.nir'), 'a_b');
  t.is(importedModelName('mine', '/x/whatever.nir'), 'mine');
});

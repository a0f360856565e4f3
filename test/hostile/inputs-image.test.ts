/**
 * @fileoverview Hostile `snnc run --image` files (issue 19 item 3): a device, a FIFO, a sparse giant and a PNG header
 * declaring 40000x40000 pixels are refused in one stderr line, exit 2, before any decoding or calibration.
 */
import test from 'ava';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../support/cli.ts';
import { assertRefused, assertUnchanged, fifo, modelDir, pngDeclaring, removeScratch, scratch, snapshotTree, sparse } from './support/input-files.ts';

test.after.always(removeScratch);

async function runImage(t: import('ava').ExecutionContext, label: string, make: (root: string) => string, patterns: RegExp[]): Promise<void> {
  const root = scratch(label);
  const model = modelDir(root);
  const image = make(root);
  const before = snapshotTree(root);
  const r = await cli('run', model, '--image', image);
  assertRefused(t, r, 2, patterns);
  assertUnchanged(t, root, before);
}

test('run --image /dev/zero is refused as a character device, exit 2', async (t) => {
  await runImage(t, 'devzero', () => '/dev/zero', [/\/dev\/zero: the image is not a regular file \(a character device\)/]);
});

test('run --image on a link to /dev/zero is refused the same way', async (t) => {
  await runImage(t, 'devzero-link', (root) => {
    symlinkSync('/dev/zero', join(root, 'digit.png'));
    return join(root, 'digit.png');
  }, [/digit\.png: the image is not a regular file \(a character device\)/]);
});

test('run --image on a FIFO is refused at once (no hang), exit 2', async (t) => {
  await runImage(t, 'fifo', (root) => fifo(join(root, 'digit.png')), [/digit\.png: the image is not a regular file \(a FIFO/]);
});

test('run --image on a 3 GiB sparse file is refused by its stat size, exit 2', async (t) => {
  await runImage(t, 'sparse', (root) => sparse(join(root, 'digit.png'), 3 * 1024 ** 3), [/digit\.png: the image is 3221225472 bytes \(3\.0 GiB\), above snnc's bound of 67108864 bytes/]);
});

test('a PNG declaring 40000x40000 pixels is refused from its header, before decoding, exit 2', async (t) => {
  await runImage(t, 'huge-png', (root) => {
    writeFileSync(join(root, 'digit.png'), pngDeclaring(40000, 40000));
    return join(root, 'digit.png');
  }, [/digit\.png declares 40000x40000 pixels, above snnc's bound of 16777216 pixels/]);
});

test('a PNG declaring another size than the model is refused from its header, exit 2', async (t) => {
  await runImage(t, 'wrong-png', (root) => {
    writeFileSync(join(root, 'digit.png'), pngDeclaring(32, 32));
    return join(root, 'digit.png');
  }, [/digit\.png is 32x32, the model wants 28x28/]);
});

/**
 * @fileoverview Hostile model folders (issue 19 items 2 and 3): unsafe names, weights that are devices, FIFOs or
 * sparse giants, a model.json that is a FIFO. Each is refused in one stderr line, exit 2, before any write, and every
 * file that was there before is still there with the same bytes.
 */
import test from 'ava';
import { mkdirSync, renameSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, cliProcess } from '../support/cli.ts';
import { assertRefused, assertUnchanged, editModelJson, fifo, modelDir, removeScratch, scratch, snapshotTree, sparse } from './support/input-files.ts';

test.after.always(removeScratch);

/** A folder with a model and, beside it, another model's build that a bad default output path would replace. */
function workspace(label: string): { root: string; model: string } {
  const root = scratch(label);
  const model = modelDir(root);
  mkdirSync(join(root, 'build', 'other'), { recursive: true });
  writeFileSync(join(root, 'build', 'other', 'ir.json'), '{"another": "build"}\n');
  writeFileSync(join(root, 'notes.txt'), 'my notes\n');
  return { root, model };
}

const badNames: [string, string, RegExp][] = [
  ['with ../', '../../notes', /holds "\.\."|path separator/],
  ['empty', '', /is empty/],
  ['with a slash', 'a/b', /path separator/],
  ['absolute', '/tmp/x', /path separator/],
  ['of 65 characters', 'n'.repeat(65), /65 characters long, at most 64/],
  ['with a newline', 'two\nlines', /must start with a letter or digit/],
  ['of only dots', '..', /holds "\.\."/],
];

for (const [label, name, reason] of badNames) {
  test(`a model name ${label} is refused on read, one line, exit 2, nothing written`, async (t) => {
    const { root, model } = workspace('name');
    editModelJson(model, (json) => {
      (json.metadata as Record<string, unknown>).name = name;
    });
    const before = snapshotTree(root);
    // Without --out the output would be build/<name> under the current folder: run inside the scratch folder, so a
    // regression writes where the snapshot sees it.
    const run = cliProcess(['compile', model, '--target', 'none'], {}, { cwd: root });
    assertRefused(t, { code: run.code, err: run.stderr.split('\n').filter((l) => l !== '') }, 2, [/metadata\.name/, reason]);
    assertUnchanged(t, root, before);
  });
}

test('weights.bin linked to /dev/zero is refused as a character device, exit 2', async (t) => {
  const { root, model } = workspace('devzero');
  unlinkSync(join(model, 'weights.bin'));
  symlinkSync('/dev/zero', join(model, 'weights.bin'));
  const before = snapshotTree(root);
  const r = await cli('compile', model, '--target', 'none');
  assertRefused(t, r, 2, [/weights\.bin: the weights file is not a regular file \(a character device\)/]);
  assertUnchanged(t, root, before);
});

test('weights.bin as a FIFO is refused at once (no hang), exit 2', async (t) => {
  const { root, model } = workspace('fifo');
  unlinkSync(join(model, 'weights.bin'));
  fifo(join(model, 'weights.bin'));
  const before = snapshotTree(root);
  const r = await cli('compile', model, '--target', 'none');
  assertRefused(t, r, 2, [/weights file is not a regular file \(a FIFO/]);
  assertUnchanged(t, root, before);
});

test('a model.json that is a FIFO is refused at once (no hang), exit 2', async (t) => {
  const root = scratch('json-fifo');
  mkdirSync(join(root, 'model'));
  fifo(join(root, 'model', 'model.json'));
  const before = snapshotTree(root);
  const r = await cli('compile', join(root, 'model'), '--target', 'none');
  assertRefused(t, r, 2, [/model\.json: the model\.json is not a regular file \(a FIFO/]);
  assertUnchanged(t, root, before);
});

test('a 3 GiB sparse weights.bin is refused by its stat size, before reading, exit 2', async (t) => {
  const { root, model } = workspace('sparse');
  sparse(join(model, 'weights.bin'), 3 * 1024 ** 3);
  const before = snapshotTree(root);
  const r = await cli('compile', model, '--target', 'none');
  assertRefused(t, r, 2, [/weights\.bin: 3221225472 bytes \(3\.0 GiB\), model\.json says \d+ \(truncated or wrong file\)/]);
  assertUnchanged(t, root, before);
});

test('weightsFile.bytes declaring 3 GiB is refused against the bound, exit 2', async (t) => {
  const { root, model } = workspace('declared');
  sparse(join(model, 'weights.bin'), 3 * 1024 ** 3);
  editModelJson(model, (json) => {
    (json.weightsFile as Record<string, unknown>).bytes = 3 * 1024 ** 3;
  });
  const before = snapshotTree(root);
  const r = await cli('compile', model, '--target', 'none');
  assertRefused(t, r, 2, [/weightsFile\.bytes: expected an integer in \[0, 1073741824\], got 3221225472/]);
  assertUnchanged(t, root, before);
});

test('weightsFile.bytes above what the tensor shapes declare is refused before reading, exit 2', async (t) => {
  const { root, model } = workspace('oversized');
  sparse(join(model, 'weights.bin'), 512 * 1024 ** 2);
  editModelJson(model, (json) => {
    (json.weightsFile as Record<string, unknown>).bytes = 512 * 1024 ** 2;
  });
  const before = snapshotTree(root);
  const r = await cli('compile', model, '--target', 'none');
  assertRefused(t, r, 2, [/weightsFile\.bytes: 536870912 bytes \(512\.0 MiB\), but the layers' tensors declare \d+ bytes/]);
  assertUnchanged(t, root, before);
});

test('a FIFO named weights.bin beside a model whose blob is another file does not hang its fingerprint', async (t) => {
  const { root, model } = workspace('fingerprint-fifo');
  renameSync(join(model, 'weights.bin'), join(model, 'blob.bin'));
  editModelJson(model, (json) => {
    (json.weightsFile as Record<string, unknown>).path = 'blob.bin';
  });
  fifo(join(model, 'weights.bin'));
  const before = snapshotTree(root);
  const r = await cli('ir', model, '--calibration-images', '4');
  t.is(r.code, 0, r.err.join('\n'));
  t.regex(r.out.join('\n'), /tiny1/);
  assertUnchanged(t, root, before);
});

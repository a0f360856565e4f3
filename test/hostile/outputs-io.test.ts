/**
 * @fileoverview Hostile unwritable outputs: each is the user's error, one line with exit 2, never "internal error".
 * CI runs as root, so the cases fail for root too (a path under a file or a device, /proc); the one case only
 * permissions can make fail runs the CLI as `nobody` when the tests run as root.
 */
import test from 'ava';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, cliProcess } from '../support/cli.ts';
import { assertOneLine, assertSame, snapshotTree } from './support/snapshot.ts';
import { caseWithModel } from './support/cases.ts';

const compile = (model: string, ...rest: string[]) => cli('compile', model, '--target', 'none', ...rest);
const isRoot = process.getuid?.() === 0;

test('--out under /dev/null is one line, exit 2', async (t) => {
  const { dir, model } = caseWithModel('devnull');
  const before = snapshotTree(dir);
  const r = await compile(model, '--out', '/dev/null/build');
  t.is(r.code, 2);
  assertOneLine(t, r.err, /^snnc: \/dev\/null\/build: \/dev\/null is not a folder, so nothing can be written under it$/);
  assertSame(t, dir, before);
});

test('--out under /proc is one line, exit 2', async (t) => {
  const { dir, model } = caseWithModel('proc');
  const before = snapshotTree(dir);
  const r = await compile(model, '--out', '/proc/snnc-build');
  t.is(r.code, 2);
  assertOneLine(t, r.err, /^snnc: \/proc\/snnc-build: cannot write \((a folder on the path does not exist or cannot hold files|permission denied|operation not permitted)\)$/);
  assertSame(t, dir, before);
});

test('--out under a file is one line, exit 2, the file kept', async (t) => {
  const { dir, model } = caseWithModel('under-file');
  writeFileSync(join(dir, 'notes.txt'), 'keep\n');
  const before = snapshotTree(dir);
  const r = await compile(model, '--out', join(dir, 'notes.txt', 'build'));
  t.is(r.code, 2);
  assertOneLine(t, r.err, /notes\.txt\/build: .*notes\.txt is not a folder, so nothing can be written under it$/);
  assertSame(t, dir, before);
});

test('--out naming a read-only folder snnc did not write is refused (root included)', async (t) => {
  const { dir, model } = caseWithModel('ro-existing');
  mkdirSync(join(dir, 'locked'));
  writeFileSync(join(dir, 'locked', 'data.bin'), 'x');
  chmodSync(join(dir, 'locked'), 0o555);
  const before = snapshotTree(dir);
  const r = await compile(model, '--out', join(dir, 'locked'));
  chmodSync(join(dir, 'locked'), 0o755);
  t.is(r.code, 2);
  assertOneLine(t, r.err, /locked: exists and was not written by snnc/);
  assertSame(t, dir, before);
});

/** Permissions do not stop root, so as root the CLI runs as `nobody` for this case: the case must fail for root too. */
const NOBODY = { uid: 65534, gid: 65534 };

test('--out under a read-only folder is one line, exit 2', async (t) => {
  const { dir, model } = caseWithModel('ro-parent');
  chmodSync(dir, 0o755); // mkdtemp makes it 0700: `nobody` must be able to read the model
  mkdirSync(join(dir, 'locked'));
  chmodSync(join(dir, 'locked'), 0o555);
  const before = snapshotTree(dir);
  const argv = ['compile', model, '--target', 'none', '--out', join(dir, 'locked', 'build')];
  const r = isRoot ? cliProcess(argv, {}, NOBODY) : cliProcess(argv);
  chmodSync(join(dir, 'locked'), 0o755);
  t.is(r.code, 2);
  assertOneLine(t, r.stderr.split('\n').filter((l) => l !== ''), /locked\/build: cannot write \(permission denied\)$/);
  assertSame(t, dir, before);
});

test('--out naming a read-only build snnc wrote is one line, exit 2, that build kept and nothing left beside it', async (t) => {
  const { dir, model } = caseWithModel('ro-own');
  chmodSync(dir, 0o777); // `nobody` reads the model and may write beside the build
  const first = await compile(model, '--out', join(dir, 'build'));
  t.is(first.code, 0, first.err.join('\n'));
  chmodSync(join(dir, 'build'), 0o555);
  const before = snapshotTree(dir);
  const argv = ['compile', model, '--target', 'none', '--out', join(dir, 'build')];
  const r = isRoot ? cliProcess(argv, {}, NOBODY) : cliProcess(argv);
  chmodSync(join(dir, 'build'), 0o755);
  t.is(r.code, 2);
  assertOneLine(t, r.stderr.split('\n').filter((l) => l !== ''), /build: cannot write \(permission denied\)$/);
  assertSame(t, dir, before);
});

/** verify on a build that already holds the ts target, so nothing but the error goes to stderr. */
async function verifyArgs(model: string): Promise<string[]> {
  const build = join(model, '..', 'build');
  const r = await cli('compile', model, '--target', 'ts', '--out', build);
  if (r.code !== 0) throw new Error(r.err.join('\n'));
  return ['verify', build, '--targets', 'ts', '--samples', '2', '--dataset', 'random'];
}

test('verify --report into a missing folder is one line, exit 2', async (t) => {
  const { dir, model } = caseWithModel('report-missing');
  const argv = await verifyArgs(model);
  const before = snapshotTree(dir);
  const r = await cli(...argv, '--report', join(dir, 'missing', 'report.json'));
  t.is(r.code, 2);
  t.deepEqual(r.out, [], 'refused before any target ran');
  assertOneLine(t, r.err, /missing\/report\.json: the folder .*missing does not exist$/);
  assertSame(t, dir, before);
});

test('verify --report onto a folder is one line, exit 2, the folder kept', async (t) => {
  const { dir, model } = caseWithModel('report-folder');
  mkdirSync(join(dir, 'reports'));
  writeFileSync(join(dir, 'reports', 'old.json'), '{}\n');
  const argv = await verifyArgs(model);
  const before = snapshotTree(dir);
  const r = await cli(...argv, '--report', join(dir, 'reports'));
  t.is(r.code, 2);
  t.deepEqual(r.out, [], 'refused before any target ran');
  assertOneLine(t, r.err, /reports: is a folder; name a file to write$/);
  assertSame(t, dir, before);
});

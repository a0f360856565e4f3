/**
 * @fileoverview What a killed compile leaves: the staging folder is removed on SIGINT, a stale one by the next run, and
 * a build renamed away between the two renames of the swap is put back by the next run.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUTPUT_MARKER, recoverInterrupted } from '../../base/fs-atomic.ts';
import { cli } from '../support/cli.ts';
import { assertKept, assertOneLine, assertSame, snapshotTree } from './support/snapshot.ts';
import { caseWithModel } from './support/cases.ts';

/** Above Linux's largest pid (2^22), so no live process has it: the folder reads as left by a killed run. */
const DEAD_PID = 4_194_305;
const BIN = new URL('../../bin/snnc.mjs', import.meta.url).pathname;
const compile = (model: string, ...rest: string[]) => cli('compile', model, '--target', 'none', ...rest);

function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.includes('.tmp-'));
}

test('a stale staging folder of a killed compile is removed by the next compile', async (t) => {
  const { dir, model } = caseWithModel('stale');
  const stale = join(dir, `.build.tmp-${DEAD_PID}-1`);
  mkdirSync(join(stale, 'verilog'), { recursive: true });
  writeFileSync(join(stale, OUTPUT_MARKER), '{"format":"snnc-output","kind":"build"}\n');
  writeFileSync(join(stale, 'verilog', 'half.v'), 'module half(');
  const r = await compile(model, '--out', join(dir, 'build'));
  t.is(r.code, 0, r.err.join('\n'));
  t.deepEqual(leftovers(dir), []);
  t.true(readdirSync(join(dir, 'build')).includes('ir.json'));
});

test('a folder that merely looks like a staging folder but has no marker is left alone', async (t) => {
  const { dir, model } = caseWithModel('lookalike');
  const lookalike = join(dir, `.build.tmp-${DEAD_PID}-1`);
  mkdirSync(lookalike);
  writeFileSync(join(lookalike, 'mine.txt'), 'not snnc\n');
  const before = snapshotTree(dir);
  t.is((await compile(model, '--out', join(dir, 'build'))).code, 0);
  assertKept(t, dir, before);
});

test('a build renamed away by a compile killed between the two renames is restored by the next run', (t) => {
  const { dir } = caseWithModel('between');
  const old = join(dir, `.build.tmp-${DEAD_PID}-1.old`);
  mkdirSync(old);
  writeFileSync(join(old, OUTPUT_MARKER), '{"format":"snnc-output","kind":"build"}\n');
  writeFileSync(join(old, 'ir.json'), '{"previous": true}\n');
  writeFileSync(join(dir, 'unrelated.txt'), 'keep\n');
  const staged = join(dir, `.build.tmp-${DEAD_PID}-1`);
  mkdirSync(staged);
  writeFileSync(join(staged, OUTPUT_MARKER), '{"format":"snnc-output","kind":"build"}\n');
  recoverInterrupted(join(dir, 'build'));
  t.is(readFileSync(join(dir, 'build', 'ir.json'), 'utf8'), '{"previous": true}\n');
  t.deepEqual(leftovers(dir), []);
  t.is(readFileSync(join(dir, 'unrelated.txt'), 'utf8'), 'keep\n');
});

test('the next compile after a kill between the renames ends with one complete build and no leftovers', async (t) => {
  const { dir, model } = caseWithModel('between-compile');
  const old = join(dir, `.build.tmp-${DEAD_PID}-1.old`);
  mkdirSync(old);
  writeFileSync(join(old, OUTPUT_MARKER), '{"format":"snnc-output","kind":"build"}\n');
  writeFileSync(join(old, 'ir.json'), '{"previous": true}\n');
  const r = await compile(model, '--out', join(dir, 'build'));
  t.is(r.code, 0, r.err.join('\n'));
  t.deepEqual(leftovers(dir), []);
  t.not(readFileSync(join(dir, 'build', 'ir.json'), 'utf8'), '{"previous": true}\n');
});

test('SIGINT during compile removes the staging folder and keeps the previous build', async (t) => {
  const { dir, model } = caseWithModel('sigint');
  const out = join(dir, 'build');
  t.is((await compile(model, '--out', out)).code, 0);
  const before = snapshotTree(dir);
  // The test hook holds the compile with its staging folder full, just before the swap, and says so on stderr.
  const child = spawn(process.execPath, [BIN, 'compile', model, '--target', 'ts', '--out', out], { env: { ...process.env, SNNC_TEST_PAUSE_BEFORE_SWAP: '1' } });
  let stderr = '';
  const paused = new Promise<void>((resolve) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('snnc: paused before swap')) resolve();
    });
    child.on('exit', () => resolve()); // a compile without the hook must fail the test, not hang it
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  await paused;
  t.is(leftovers(dir).length, 1, 'the staging folder exists while the compile is paused');
  child.kill('SIGINT');
  const { code, signal } = await exited;
  t.is(signal, 'SIGINT', `ended by the signal (code ${code})`);
  assertOneLine(t, stderr.split('\n').filter((l) => l.startsWith('snnc:')), /^snnc: paused before swap$/);
  assertSame(t, dir, before);
});

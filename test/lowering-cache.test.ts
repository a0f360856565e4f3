/**
 * @fileoverview `snnc run`, `eval` and `ir` read a lowered program from the per-user cache when the same model was
 * lowered with the same flags; another flag, another model or a damaged cache file lowers afresh.
 */
import test from 'ava';
import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheRoot } from '../data/cache.ts';
import { writeModel } from '../model/write-model.ts';
import { parseProgram } from '../ir/validate.ts';
import { cli } from './support/cli.ts';
import { tinyModel } from './support/tiny-model.ts';

// A cache root of our own, with the real MNIST folder linked in so calibration needs no fetch.
const datasets = cacheRoot();
const root = mkdtempSync(join(tmpdir(), 'snnc-progcache-'));
symlinkSync(join(datasets, 'mnist'), join(root, 'mnist'));
process.env.SNNC_CACHE_DIR = root;
const programs = join(root, 'programs');

const scratch = mkdtempSync(join(tmpdir(), 'snnc-progcache-models-'));
const model = join(scratch, 'tiny');
writeModel(tinyModel(21), model);

const HIT = /^snnc: note: lowered program read from the cache \((.*)\)$/;

function cacheFiles(): string[] {
  try {
    return readdirSync(programs).sort();
  } catch {
    return [];
  }
}

test.serial('the second run is served from the cache, with the same scores', async (t) => {
  const first = await cli('run', model, '--index', '2', '--calibration-images', '32');
  t.is(first.code, 0, first.err.join('\n'));
  t.false(first.err.some((l) => HIT.test(l)));
  const files = cacheFiles();
  t.is(files.length, 1);
  t.regex(files[0]!, /^[0-9a-f]{64}\.json$/);
  const program = parseProgram(JSON.stringify(JSON.parse(readFileSync(join(programs, files[0]!), 'utf8')).program), 'cache');
  t.is(program.name, 'tiny21');

  const second = await cli('run', model, '--index', '2', '--calibration-images', '32');
  t.is(second.code, 0);
  t.deepEqual(second.err.filter((l) => HIT.test(l)), [`snnc: note: lowered program read from the cache (${join(programs, files[0]!)})`]);
  t.deepEqual(second.out, first.out);
  // eval and ir with the same lowering flags share the entry
  const ir = await cli('ir', model, '--calibration-images', '32');
  t.true(ir.err.some((l) => HIT.test(l)));
  t.deepEqual(cacheFiles(), files);
});

test.serial('another lowering flag or another model misses the cache', async (t) => {
  const before = cacheFiles().length;
  const bits = await cli('run', model, '--index', '2', '--calibration-images', '32', '--weight-bits', '6');
  t.is(bits.code, 0);
  t.false(bits.err.some((l) => HIT.test(l)));
  t.is(cacheFiles().length, before + 1);

  const other = join(scratch, 'other');
  writeModel(tinyModel(22), other);
  const r = await cli('run', other, '--index', '2', '--calibration-images', '32');
  t.is(r.code, 0);
  t.false(r.err.some((l) => HIT.test(l)));
  t.is(cacheFiles().length, before + 2);

  // the same folder with changed weights is another model
  writeModel({ ...tinyModel(23), metadata: tinyModel(21).metadata }, model);
  const changed = await cli('run', model, '--index', '2', '--calibration-images', '32');
  t.false(changed.err.some((l) => HIT.test(l)));
  t.is(cacheFiles().length, before + 3);
});

test.serial('a damaged cache file is lowered afresh and written over', async (t) => {
  writeModel(tinyModel(24), model);
  const first = await cli('ir', model, '--calibration-images', '16');
  t.is(first.code, 0);
  const hit = await cli('ir', model, '--calibration-images', '16');
  const file = HIT.exec(hit.err.find((l) => HIT.test(l)) ?? '')?.[1];
  t.truthy(file);
  writeFileSync(file!, '{"format": 1, "warnings": [], "program": {"format": "snnc-ir"}}\n');
  const fresh = await cli('ir', model, '--calibration-images', '16');
  t.is(fresh.code, 0);
  t.false(fresh.err.some((l) => HIT.test(l)));
  t.deepEqual(fresh.out, first.out);
  const again = await cli('ir', model, '--calibration-images', '16');
  t.true(again.err.some((l) => HIT.test(l)));
  t.deepEqual(again.out, first.out);
});

test.serial('--dump-after always lowers (the dump is the point) and the cache keeps warnings', async (t) => {
  const dump = await cli('ir', model, '--calibration-images', '16', '--dump-after', 'quantize');
  t.is(dump.code, 0);
  t.false(dump.err.some((l) => HIT.test(l)));
  const lossy = await cli('ir', model, '--calibration-images', '16', '--weight-bits', '2');
  const warnings = lossy.err.filter((l) => l.startsWith('snnc: warning: '));
  t.true(warnings.length > 0);
  const cached = await cli('ir', model, '--calibration-images', '16', '--weight-bits', '2');
  t.true(cached.err.some((l) => HIT.test(l)));
  t.deepEqual(cached.err.filter((l) => l.startsWith('snnc: warning: ')), warnings);
});

/**
 * @fileoverview Target limits are checked where the user gives them: `--lanes` takes its range from the verilog
 * target's declared limit, and every chosen target's checkOptions runs before any lowering work. The cache root holds
 * an empty `mnist` folder, so calibration (the lowering's first step) fails at once with a data error and fetches
 * nothing; a refusal that names the option instead, with nothing written, proves no lowering began.
 */
import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeModel } from '../model/write-model.ts';
import { target as onnx } from '../targets/onnx/index.ts';
import { target as verilog } from '../targets/verilog/index.ts';
import { cli } from './support/cli.ts';
import { tinyModel } from './support/tiny-model.ts';

const root = mkdtempSync(join(tmpdir(), 'snnc-limits-'));
mkdirSync(join(root, 'mnist'));
process.env.SNNC_CACHE_DIR = root;

const scratch = mkdtempSync(join(tmpdir(), 'snnc-limits-models-'));
const model = join(scratch, 'tiny');
writeModel(tinyModel(21), model);
const longModel = join(scratch, 'long');
writeModel(tinyModel(22, { timesteps: 300 }), longModel);

const NOT_FETCHED = /^snnc: dataset mnist is incomplete: .*train-images-idx3-ubyte is missing; run: snnc data fetch mnist$/;

test('the targets declare their limits as data', (t) => {
  t.deepEqual(verilog.limits.lanes, { min: 1, max: 1024 });
  t.is(onnx.limits.unrolledTimesteps, 256);
  t.is(onnx.limits.exactBits, 53);
});

test('without a refused option the same command reaches calibration and fails there (the setup detects lowering)', async (t) => {
  const out = join(scratch, 'control');
  const r = await cli('compile', model, '--lanes', '1024', '--out', out);
  t.is(r.code, 2);
  t.is(r.err.length, 1);
  t.regex(r.err[0]!, NOT_FETCHED);
  t.false(existsSync(out));
});

test('compile refuses --lanes 2000 in one line, exit 2, before any lowering', async (t) => {
  const out = join(scratch, 'lanes');
  const r = await cli('compile', model, '--lanes', '2000', '--out', out);
  t.is(r.code, 2);
  t.deepEqual(r.err, ['snnc: --lanes: 2000 is outside [1, 1024]']);
  t.deepEqual(r.out, []);
  t.false(existsSync(out));
  t.deepEqual(readdirSync(root), ['mnist']);
  t.deepEqual(readdirSync(join(root, 'mnist')), []);
});

test('verify refuses --lanes 2000 in one line, exit 2, before any lowering', async (t) => {
  const r = await cli('verify', model, '--targets', 'verilog', '--lanes', '2000');
  t.is(r.code, 2);
  t.deepEqual(r.err, ['snnc: --lanes: 2000 is outside [1, 1024]']);
  t.deepEqual(readdirSync(root), ['mnist']);
});

test("--lanes's help text and range come from the verilog target's limit", async (t) => {
  for (const command of ['compile', 'verify']) {
    const r = await cli(command, '--help');
    t.is(r.code, 0);
    const line = r.out.join('\n').split('\n').find((l) => l.startsWith('  --lanes'));
    t.regex(line ?? '', new RegExp(`verilog: neurons updated in parallel, ${verilog.limits.lanes!.min}\\.\\.${verilog.limits.lanes!.max}$`));
  }
});

test("onnx's unroll limit refuses the model's 300 timesteps before calibration", async (t) => {
  const out = join(scratch, 'unroll');
  const r = await cli('compile', longModel, '--target', 'onnx', '--unroll', '--out', out);
  t.is(r.code, 2);
  t.deepEqual(r.err, ['snnc: onnx: unrolling 300 timesteps is refused (at most 256); use the Loop']);
  t.false(existsSync(out));
  const flagged = await cli('compile', model, '--target', 'onnx', '--unroll', '--timesteps', '257', '--out', out);
  t.deepEqual([flagged.code, flagged.err], [2, ['snnc: onnx: unrolling 257 timesteps is refused (at most 256); use the Loop']]);
  t.deepEqual(readdirSync(join(root, 'mnist')), []);
});

/**
 * @fileoverview The verilog plug-in: emitted files, the lanes option, refusing a stale design, a missing simulator,
 * cycle counts and the cached Verilator build.
 */
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SnncError } from '../../../base/errors.ts';
import { target } from '../index.ts';
import { DEFAULT_LANES } from '../check.ts';
import { simulate } from '../run.ts';
import { testBatch } from '../../../test/support/batches.ts';
import { sharedCase } from '../../../test/support/conformance-set.ts';
import { emitTo } from '../../../test/support/emit-to.ts';
import { TINY } from '../../../test/support/fixed-programs.ts';

test('emit writes the cores, the top, the bench, the memory images and design.json', async (t) => {
  const files = await target.emit(TINY, {});
  const paths = files.map((f) => f.path);
  for (const p of ['rtl/snn_top.v', 'rtl/snn_conv.v', 'rtl/snn_neuron.v', 'rtl/snn_prng.v', 'tb/snn_tb.v', 'mem/s0_weights.hex', 'design.json']) t.true(paths.includes(p), p);
  const info = JSON.parse(String(files.find((f) => f.path === 'design.json')!.contents)) as { lanes: number; pixels: number; classes: number };
  t.deepEqual([info.lanes, info.pixels, info.classes], [DEFAULT_LANES, 9, 2]);
});

test('the lanes option must be a positive integer', async (t) => {
  const error = await t.throwsAsync(target.emit(TINY, { lanes: 0 }), { instanceOf: SnncError });
  t.is((error as SnncError).code, 'usage');
});

test('run refuses a design emitted for another program', async (t) => {
  const dir = await emitTo(target, TINY, { lanes: 1 });
  const other = { ...TINY, readout: { ...TINY.readout, begin: 0 } };
  const error = await t.throwsAsync(target.run(dir, other, testBatch(other, 1)), { instanceOf: SnncError });
  t.is((error as SnncError).code, 'io');
  t.regex(error!.message, /emitted for another program/);
});

test('a missing simulator is one line with code tool', async (t) => {
  const dir = await emitTo(target, TINY, { lanes: 1 });
  const path = process.env.PATH;
  process.env.PATH = mkdtempSync(join(tmpdir(), 'snnc-empty-path-'));
  try {
    for (const simulator of ['verilator', 'icarus'] as const) {
      const error = t.throws(() => simulate(dir, testBatch(TINY, 1), { simulator }), { instanceOf: SnncError });
      t.is((error as SnncError).code, 'tool');
      t.regex(error!.message, simulator === 'verilator' ? /^verilator not found/ : /^iverilog not found/);
      t.false(error!.message.includes('\n'));
    }
  } finally {
    process.env.PATH = path;
  }
});

test('cycle counts are measured per image and the cached build is reused', async (t) => {
  const { program, lanes } = sharedCase('binary-subtract-delay0-direct');
  const dir = await emitTo(target, program, { lanes });
  const first = simulate(dir, testBatch(program, 3), { simulator: 'verilator' });
  const again = simulate(dir, testBatch(program, 3), { simulator: 'verilator' });
  t.deepEqual(again, first);
  t.true(first.cycles.every((c) => c >= program.input.shape.reduce((a, b) => a * b, 1)), 'at least one cycle per pixel beat');
});

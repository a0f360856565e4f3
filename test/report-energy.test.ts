/**
 * @fileoverview `snnc report`'s activity and energy estimate: exact counts on a hand-built program, conv and pool counts
 * against a gather-order recount, the per-operation figures, and the CLI (its errors and the PNG it writes).
 */
import test from 'ava';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { intType } from '../ir/int-type.ts';
import type { Program } from '../ir/program.ts';
import type { ConvOp } from '../ir/conv.ts';
import type { PoolOp } from '../ir/pool.ts';
import { validateProgram } from '../ir/validate.ts';
import { ActivityCounter, measureActivity, windowTaps } from '../runtime/activity.ts';
import { randomBatch } from '../runtime/batch.ts';
import { estimateEnergy } from '../runtime/energy.ts';
import { traceGolden } from '../runtime/golden.ts';
import { writeModel } from '../model/write-model.ts';
import { IDENTITY_DELAY_POOL, STRIDED_IDENTITY_CONV } from './support/fixed-programs.ts';
import { cli } from './support/cli.ts';
import { tempDir } from './support/emit-to.ts';
import { tinyModel } from './support/tiny-model.ts';
import { assertOneLine } from './hostile/support/snapshot.ts';

const u8 = intType(false, 8, 8);
const binary = intType(false, 1, 0);

/**
 * 2 direct pixels -> 3 IF units (weights [1 0; 0 1; 1 1], threshold 4, binary, reset to zero, no leak) -> 2 units read
 * by their membrane (weights [1 2 3; -1 0 1]), T = 2.
 */
const HAND: Program = validateProgram({
  format: 'snnc-ir', version: 1, name: 'hand', sourceSha256: '0'.repeat(64), timesteps: 2, classes: 2,
  input: { shape: [1, 1, 2], type: u8, realPerLsb: 1 / 255 },
  encoder: { kind: 'direct', outType: u8 },
  layers: [
    {
      kind: 'spiking', name: 'if', inputs: 2, units: 3, inType: u8, synapse: 'dense', weights: [1, 0, 0, 1, 1, 1], weightType: intType(true, 4, 0),
      weightFrac: [0, 0, 0], accType: intType(true, 16, 0), accShift: [0, 0, 0], bias: [0, 0, 0], membraneType: intType(true, 16, 0),
      decay: { mul: 1, shift: 0 }, threshold: 4, output: { kind: 'binary', type: binary }, reset: { kind: 'zero' }, delay: 0,
    },
    {
      kind: 'spiking', name: 'li', inputs: 3, units: 2, inType: binary, synapse: 'dense', weights: [1, 2, 3, -1, 0, 1], weightType: intType(true, 4, 0),
      weightFrac: [0, 0], accType: intType(true, 8, 0), accShift: [0, 0], bias: [0, 0], membraneType: intType(true, 16, 0),
      decay: { mul: 3, shift: 2 }, threshold: 0, output: { kind: 'membrane', shift: 0, type: intType(true, 16, 0) }, reset: { kind: 'none' }, delay: 0,
    },
  ],
  readout: { kind: 'sum', source: 'membrane', begin: 0, scoreType: intType(true, 24, 0), realPerLsb: 1 },
  quantization: { weightBits: 4, granularity: 'layer', activationBits: 8, calibration: { dataset: 'none', images: 0, seed: 0 }, provenNoSaturation: false },
});

// Image A = [0, 5]: units 1 and 2 see 5 > 4 and fire at both steps (reset to 0), unit 0 sees 0. Image B = [7, 9]: all fire.
const BATCH = { images: [Uint8Array.from([0, 5]), Uint8Array.from([7, 9])], seeds: [0, 1] };

test('hand-built program: synops, dense synops, updates, spikes and nonzero values are the hand counts', (t) => {
  const a = measureActivity(HAND, BATCH);
  t.is(a.images, 2);
  const [first, second] = a.layers;
  // per step nonzero inputs: A 1, B 2; synops = nonzero inputs x 3 units, both steps, both images
  t.deepEqual(first!.nonzeroInputs, [3, 3]);
  t.is(first!.synops, (1 + 2) * 3 * 2);
  t.is(first!.denseSynops, 2 * 3 * 2 * 2);
  t.is(first!.updates, 3 * 2 * 2);
  t.deepEqual(first!.fires, [2 + 3, 2 + 3]);
  t.deepEqual(first!.nonzeroOutputs, [5, 5]);
  // the second layer reads the spikes: 2 then 3 nonzero inputs per step, 2 units each
  t.is(second!.synops, (2 + 3) * 2 * 2);
  t.is(second!.denseSynops, 3 * 2 * 2 * 2);
  t.deepEqual(second!.fires, [0, 0], 'an output-membrane layer never fires');
});

/** Equal up to rounding of the sums (the figures are decimal fractions). */
const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-9 * Math.max(1, Math.abs(b));

test('hand-built program: the energy per operation and per sample follow the stated figures', (t) => {
  const e = estimateEnergy(HAND, measureActivity(HAND, BATCH));
  const [first, second] = e.layers;
  // layer 1, 8-bit inputs: add 16b (32-bit figure 0.1) + mult 4x8 (8-bit figure 0.2) + read 4 of 64 bits of an 8 KB SRAM (10 pJ)
  t.true(close(first!.cost.synop.pJ, 0.1 + 0.2 + (10 * 4) / 64));
  // update: no leak (decay 1 is a shift), acc add, bias add, compare, membrane read and write of 16 bits
  t.deepEqual(first!.cost.update.terms.map((x) => x.what.split(' ')[0]), ['acc', 'bias', 'compare', 'membrane', 'membrane']);
  t.true(close(first!.cost.update.pJ, 3 * 0.1 + 2 * ((10 * 16) / 64)));
  t.is(first!.cost.fire.pJ, 0, 'binary output, zero reset: nothing to compute on a spike');
  // layer 2, binary inputs: an event is an add of the weight (8 bits: 0.03) and its read; the dense engine also multiplies
  t.true(close(second!.cost.synop.pJ, 0.03 + (10 * 4) / 64));
  t.true(close(second!.cost.denseSynop.pJ, 0.03 + 0.2 + (10 * 4) / 64));
  t.is(second!.cost.update.terms[0]!.what, 'decay mult 16x2b');
  // per sample: the means of the hand counts
  t.deepEqual([first!.synops, first!.denseSynops, first!.updates, first!.fires], [9, 12, 6, 5]);
  t.true(close(first!.eventPj, 9 * (0.1 + 0.2 + 0.625) + 6 * (0.3 + 5)));
  t.true(close(first!.densePj, 12 * (0.1 + 0.2 + 0.625) + 6 * (0.3 + 5)));
  t.true(close(first!.eventMemoryPj, 9 * 0.625 + 6 * 5), 'weight reads and membrane reads and writes');
  t.true(close(first!.synopPj + first!.updatePj + first!.firePj, first!.eventPj));
  t.is(e.total.synops, 9 + 10);
  t.is(e.total.annMacs, 2 * 3 + 3 * 2);
  t.deepEqual(e.readsByWidth, [{ bits: 4, reads: 9 + 10 }, { bits: 16, reads: 6 + 4 }]);
});

test('windowTaps counts the windows each position falls in', (t) => {
  t.deepEqual(windowTaps(5, 5, 3, 1, 1), [2, 3, 3, 3, 2]);
  t.deepEqual(windowTaps(5, 2, 2, 2, 0), [1, 1, 1, 1, 0]);
  t.deepEqual(windowTaps(7, 4, 3, 2, 1), [1, 2, 1, 2, 1, 2, 1]);
});

/** Synops of a conv or pool layer counted the other way round: per output, per tap, per nonzero input it reads. */
function gatherSynops(op: ConvOp | PoolOp, x: readonly number[]): number {
  const [channels, height, width] = op.inShape;
  const [outC, outH, outW] = op.outShape;
  let n = 0;
  for (let f = 0; f < outC; f++)
    for (let i = 0; i < outH; i++)
      for (let j = 0; j < outW; j++)
        for (let c = op.kind === 'conv' ? 0 : f; c < (op.kind === 'conv' ? channels : f + 1); c++)
          for (let ki = 0; ki < op.kernel; ki++)
            for (let kj = 0; kj < op.kernel; kj++) {
              const [r, s] = [i * op.stride + ki - op.padding, j * op.stride + kj - op.padding];
              if (r >= 0 && s >= 0 && r < height && s < width && x[(c * height + r) * width + s] !== 0) n++;
            }
  return n;
}

for (const program of [IDENTITY_DELAY_POOL, STRIDED_IDENTITY_CONV]) {
  test(`${program.name}: conv and pool synops equal a gather-order recount, identity synops the nonzero inputs`, (t) => {
    const pixels = program.input.shape.reduce((a, b) => a * b, 1);
    const batch = randomBatch(pixels, 3, 11);
    const counter = new ActivityCounter(program);
    const expected = program.layers.map(() => 0);
    batch.images.forEach((image, k) => {
      const trace = traceGolden(program, image, batch.seeds[k]!);
      counter.add(trace);
      program.layers.forEach((op, l) => {
        for (let s = 0; s < program.timesteps; s++) {
          const x = l === 0 ? trace.inputs[s]! : trace.layers[l - 1]!.output[s]!;
          const nonzero = x.filter((v) => v !== 0).length;
          expected[l]! += op.kind === 'spiking' ? nonzero * (op.synapse === 'dense' ? op.units : 1) : gatherSynops(op, x);
        }
      });
    });
    const counted = counter.result().layers.map((l) => l.synops);
    t.deepEqual(counted, expected);
    t.true(counted.every((n) => n > 0), 'every layer saw activity, so the comparison means something');
  });
}

const scratch = tempDir('report-energy');
const model = join(scratch, 'tiny');
writeModel(tinyModel(5, { timesteps: 3 }), model);

test('snnc report MODEL prints the activity and the energy estimate with its source, and writes the PNG it states', async (t) => {
  const png = join(scratch, 'figures', 'activity.png');
  const r = await cli('report', model, '--images', '4', '--calibration-images', '16', '--plot', png);
  t.is(r.code, 0, r.err.join('\n'));
  t.regex(r.out[0]!, /^activity +tiny5, T=3, per sample: mean over 4 mnist test images 0\.\.3 \(jitter seed = image index\)/);
  t.regex(r.out.find((l) => l.startsWith('energy')) ?? '', /ESTIMATE per sample.*Horowitz, "Computing's energy problem \(and what we can do about it\)", ISSCC 2014/);
  t.regex(r.out.find((l) => /^ +total/.test(l)) ?? '', /^ +total +[\d.,]+ +[\d.,]+ +[\d.,]+ +[\d.,]+/);
  const stated = /activity\.png: (\d+)x(\d+) activity of tiny5$/.exec(r.err.find((l) => l.includes('activity.png')) ?? '');
  t.truthy(stated, r.err.join('\n'));
  const image = PNG.sync.read(readFileSync(png));
  t.deepEqual([image.width, image.height], [Number(stated![1]), Number(stated![2])]);
  // --json: the same estimate, per layer
  const j = await cli('report', model, '--images', '2', '--calibration-images', '16', '--json');
  t.is(j.code, 0, j.err.join('\n'));
  const parsed = JSON.parse(j.out.join('\n')) as { activity: { images: number; layers: { updates: number }[] }; energy: { layers: { name: string; denseSynops: number }[]; source: string } };
  t.deepEqual(parsed.energy.layers.map((l) => [l.name, l.denseSynops]), [['hidden', 784 * 16 * 3], ['out', 16 * 10 * 3]]);
  t.deepEqual([parsed.activity.images, parsed.activity.layers.map((l) => l.updates)], [2, [2 * 16 * 3, 2 * 10 * 3]], 'raw sums over the 2 images');
});

test('report errors are one line: a missing folder, a folder with no model or build, a bad flag, a plot over a foreign file', async (t) => {
  assertOneLine(t, (await cli('report', join(scratch, 'missing'))).err, /missing: no such file or folder$/);
  const empty = join(scratch, 'empty');
  mkdirSync(empty, { recursive: true });
  assertOneLine(t, (await cli('report', empty)).err, /empty: not a model \(model\.json or \.nir\), a build folder \(ir\.json\) or a verilog design \(design\.json\)$/);
  assertOneLine(t, (await cli('report', model, '--images', 'many')).err, /--images: expected an integer, got "many"$/);
  assertOneLine(t, (await cli('report', model, '--energy')).err, /unknown flag --energy/);
  assertOneLine(t, (await cli('report', model, '--plot', join(scratch, 'a.png'), '--images', '0')).err, /--plot needs images to count/);
  const notes = join(scratch, 'notes.png');
  writeFileSync(notes, 'my notes\n');
  const r = await cli('report', model, '--images', '1', '--calibration-images', '16', '--plot', notes);
  t.is(r.code, 2);
  assertOneLine(t, r.err, /notes\.png: exists and is not a PNG file; choose another file or remove it yourself$/);
  t.is(readFileSync(notes, 'utf8'), 'my notes\n');
});

test('report on a build folder reads its ir.json, refuses lowering flags, and counts without a verilog design', async (t) => {
  const build = join(scratch, 'build');
  const c = await cli('compile', model, '--out', build, '--target', 'onnx', '--calibration-images', '16');
  t.is(c.code, 0, c.err.join('\n'));
  const fromBuild = await cli('report', build, '--images', '3');
  t.is(fromBuild.code, 0, fromBuild.err.join('\n'));
  const fromModel = await cli('report', model, '--images', '3', '--calibration-images', '16');
  t.deepEqual(fromBuild.out, fromModel.out, 'the build holds the program the model lowers to');
  assertOneLine(t, (await cli('report', build, '--weight-bits', '4')).err, /--weight-bits shapes the lowering of a model; a build folder's program is already lowered$/);
});

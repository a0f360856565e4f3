/**
 * @fileoverview Events programs on the verilog target: the address-event stream the bench sends, the divider-free
 * address to {channel, row, column} conversion, bit-exact scores with conv and dense first layers (an all-zero sample,
 * saturated counts, gaps on valid and stalls on ready), silent inputs costing nothing, and `snnc verify` on a build.
 */
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SnncError } from '../../../base/errors.ts';
import { maxOf } from '../../../ir/int-type.ts';
import type { Program } from '../../../ir/program.ts';
import { randomProgram } from '../../../ir/random-program.ts';
import type { Batch } from '../../../runtime/batch.ts';
import { writeManifest } from '../../../verify/manifest.ts';
import { testBatch } from '../../../test/support/batches.ts';
import { cli } from '../../../test/support/cli.ts';
import { emitTo, tempDir } from '../../../test/support/emit-to.ts';
import { reciprocal } from '../aer-plan.ts';
import { target } from '../index.ts';
import { readDesign } from '../emit.ts';
import { printModule } from '../print-verilog.ts';
import { aerBeats, simulate, vectorFile } from '../run.ts';
import { pnrHarness, synthIce40 } from '../synth.ts';
import { assertGoldenScores } from './support.ts';

test('a sample becomes one beat per nonzero count in address order and a marker per timestep', (t) => {
  // T = 3 frames of P = 3 counts; beats are (address << 2) | count, the marker 1 << (2 + 2).
  const sample = Uint8Array.from([0, 2, 0, 0, 0, 0, 1, 0, 3]);
  t.deepEqual(aerBeats(sample, 3, { addrBits: 2, countBits: 2 }), [6n, 16n, 16n, 1n, 11n, 16n]);
});

test('the reciprocal gives floor(i / d) for every address of its width', (t) => {
  for (let divisor = 1; divisor <= 70; divisor++) {
    // Addresses reach the divisor: d <= 2^bits (H * W <= C * H * W, W <= H * W).
    for (let bits = Math.ceil(Math.log2(divisor)); bits <= 12; bits++) {
      if (bits === 0) continue;
      const { mul, shift, mulBits } = reciprocal(divisor, bits);
      t.true(mulBits <= bits + 1, `mul of ${divisor} fits ${bits} + 1 bits`);
      const m = Number(mul);
      for (let i = 0; i < 2 ** bits; i++) {
        if (Math.floor((i * m) / 2 ** shift) !== Math.floor(i / divisor)) t.fail(`${i} / ${divisor} at ${bits} bits`);
      }
    }
  }
  t.deepEqual(reciprocal(30, 6), { mul: 69n, shift: 11, mulBits: 7 });
});

/** Counts of `program`'s input: every one at the type's largest value, alternating frames, nothing, or the test batch. */
function samples(program: Program): Batch {
  const [c, h, w] = program.input.shape;
  const pixels = c * h * w;
  const length = program.timesteps * pixels;
  const max = maxOf(program.input.type);
  const alternate = Uint8Array.from({ length }, (_, i) => (Math.floor(i / pixels) % 2 === 0 && i % 3 !== 0 ? max : 0));
  const batch = testBatch(program, 6);
  const images = [new Uint8Array(length), new Uint8Array(length).fill(max), alternate, ...batch.images];
  return { images, seeds: images.map((_, i) => i) };
}

const CASES = [
  { name: 'a conv first layer, 2x5x6 u1 events', program: randomProgram(11, { conv: true, encoder: 'events', timesteps: 8 }), lanes: 2 },
  { name: 'a conv first layer, 2x5x4 u4 events', program: randomProgram(25, { conv: true, encoder: 'events', timesteps: 3 }), lanes: 3 },
  { name: 'a dense first layer, 2x3x6 u7 events', program: randomProgram(18, { conv: false, encoder: 'events', timesteps: 6 }), lanes: 2 },
];

for (const { name, program, lanes } of CASES) {
  test(`${name}: scores equal the golden runtime, with and without gaps; silent inputs cost nothing`, async (t) => {
    t.is(program.encoder.kind, 'events');
    t.is(program.layers[0]!.kind, name.includes('conv') ? 'conv' : 'spiking');
    const dir = await emitTo(target, program, { lanes });
    const batch = samples(program);
    // Icarus: these designs are tiny, and its build takes a second where Verilator's takes tens.
    const steady = simulate(dir, batch, { simulator: 'icarus' });
    assertGoldenScores(t, dir, program, batch, steady);
    const gappy = simulate(dir, batch, { simulator: 'icarus', gapPercent: 40 });
    assertGoldenScores(t, dir, program, batch, gappy);
    const [zero, full] = steady.cycles as [number, number];
    t.log(`cycles per sample: ${steady.cycles.join(', ')}; with 40% gaps: ${gappy.cycles.join(', ')}`);
    // The all-zero sample is T marker beats: fewer cycles than the saturated one, which sends every address.
    t.true(zero < full, `${zero} < ${full}`);
    t.true(gappy.cycles[1]! > full, 'gaps on valid and stalls on ready slow the saturated sample');
  });
}

test('a sample that is not T frames of the input is refused in one line', (t) => {
  const error = t.throws(() => vectorFile({ images: [new Uint8Array(5)], seeds: [0] }, { pixels: 36, timesteps: 6, aer: { addrBits: 6, countBits: 7 } }), { instanceOf: SnncError });
  t.is((error as SnncError).code, 'data');
  t.is(error!.message, 'sample 0 has 5 counts, the design takes 6 frames of 36');
});

test('random events programs (identity, pool and conv first layers, lanes 1..64) are exact under 10 % and 50 % gaps', async (t) => {
  for (let seed = 200; seed < 212; seed++) {
    const program = randomProgram(seed, { encoder: 'events', extended: seed % 2 === 0, timesteps: 1 + (seed % 7) });
    const lanes = [1, 2, 3, 5, 8, 64][seed % 6]!;
    const dir = await emitTo(target, program, { lanes });
    const batch = testBatch(program, 4);
    assertGoldenScores(t, dir, program, batch, simulate(dir, batch, { simulator: 'icarus', gapPercent: seed % 3 === 0 ? 50 : 10 }));
  }
});

test('the place-and-route harness drives the address-event ports, and yosys maps the design', async (t) => {
  const { program, lanes } = CASES[0]!;
  const dir = await emitTo(target, program, { lanes });
  const info = readDesign(dir);
  const harness = printModule(pnrHarness(info));
  t.regex(harness, /\.in_eot\(shift_in\[\d+\]\)/);
  t.notRegex(harness, /in_pixel|in_seed/);
  const { estimate } = synthIce40(dir, info, tempDir('events-synth'), pnrHarness(info));
  t.true(estimate.lut > 0 && estimate.ff > 0, JSON.stringify(estimate));
});

test('snnc verify runs an events build on the verilog target with 0 mismatches', async (t) => {
  const { program, lanes } = CASES[0]!;
  const build = tempDir('events-build');
  writeFileSync(join(build, 'ir.json'), JSON.stringify(program) + '\n');
  mkdirSync(join(build, 'verilog'));
  for (const f of await target.emit(program, { lanes })) {
    mkdirSync(join(build, 'verilog', f.path, '..'), { recursive: true });
    writeFileSync(join(build, 'verilog', f.path), f.contents);
  }
  writeManifest(build);
  const r = await cli('verify', build, '--targets', 'verilog', '--samples', '12', '--dataset', 'random', '--simulator', 'icarus');
  t.is(r.code, 0, r.err.join('\n'));
  t.regex(r.out.find((l) => l.startsWith('verilog')) ?? '', /^verilog\s+12\s+0\s/);
});

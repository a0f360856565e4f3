/**
 * @fileoverview The fast golden runtime (runtime/golden-fast.ts) gives runtime/golden.ts's scores and label, integer
 * for integer: on every conformance program, the random sweeps, random programs, the lowered MNIST-sized models, and
 * through runGoldenBatch on worker threads. One compiled program runs its images one after another, so state left by
 * an inference (membranes, delay buffers, the encoder's values) would show.
 */
import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeModel } from '../model/write-model.ts';
import type { Program } from '../ir/program.ts';
import { randomProgram } from '../ir/random-program.ts';
import type { Batch } from '../runtime/batch.ts';
import { runGolden } from '../runtime/golden.ts';
import { runGoldenBatch } from '../runtime/golden-batch.ts';
import { compileGolden } from '../runtime/golden-fast.ts';
import { mnistBatch, testBatch } from './support/batches.ts';
import { cli } from './support/cli.ts';
import { LOWERED, sharedSet, sweeps } from './support/conformance-set.ts';
import { tinyModel } from './support/tiny-model.ts';

/** The first image of `batch` whose fast result differs from the definition's, as a message; undefined when none. */
function firstDifference(program: Program, batch: Batch): string | undefined {
  const fast = compileGolden(program);
  for (let i = 0; i < batch.images.length; i++) {
    const want = runGolden(program, batch.images[i]!, batch.seeds[i]!);
    const got = fast.run(batch.images[i]!, batch.seeds[i]!);
    if (JSON.stringify(got) !== JSON.stringify(want)) return `${program.name} image ${i}: golden ${JSON.stringify(want)}, fast ${JSON.stringify(got)}`;
  }
  return undefined;
}

test('equal to golden.ts on every program of the shared conformance set', (t) => {
  const cases = sharedSet();
  t.true(cases.length >= 21);
  for (const c of cases) t.is(firstDifference(c.program, testBatch(c.program, 12)), undefined, c.name);
});

test('equal to golden.ts on the random sweeps', (t) => {
  for (const sweep of sweeps()) {
    for (const program of sweep.programs) t.is(firstDifference(program, testBatch(program, 6)), undefined, sweep.name);
  }
});

test('equal to golden.ts on 400 more random programs, plain and extended', (t) => {
  for (let seed = 0; seed < 400; seed++) {
    const program = randomProgram(50_000 + seed, { extended: seed % 2 === 1 });
    t.is(firstDifference(program, testBatch(program, 4)), undefined, `random program ${50_000 + seed}`);
  }
});

test('equal to golden.ts on the lowered MNIST-sized models', async (t) => {
  const batch = mnistBatch(12);
  for (const c of LOWERED) t.is(firstDifference(await c.program(), batch), undefined, c.name);
});

test('a nonzero result: the example scores differ between images (the comparison is not of empty runs)', async (t) => {
  const program = await LOWERED[0]!.program();
  const fast = compileGolden(program);
  const batch = mnistBatch(3);
  const results = batch.images.map((image, i) => fast.run(image, batch.seeds[i]!));
  t.true(results.every((r) => r.scores.some((s) => s !== 0)));
  t.notDeepEqual(results[0]!.scores, results[1]!.scores);
});

test('runGoldenBatch on worker threads: the fast and the definition evaluators agree on 600 MNIST images', async (t) => {
  const program = await LOWERED[0]!.program();
  const batch = mnistBatch(600);
  const fast = await runGoldenBatch(program, batch, { evaluator: 'fast', threads: 2 });
  const definition = await runGoldenBatch(program, batch, { evaluator: 'definition', threads: 1 });
  t.deepEqual(fast, definition);
  t.is(fast.labels.length, 600);
});

test('refuses an image of the wrong size, as golden.ts does', (t) => {
  const program = randomProgram(1);
  t.throws(() => compileGolden(program).run(new Uint8Array(1), 0), { instanceOf: RangeError, message: /the program wants/ });
});

test('snnc verify compares with the fast golden by default, with the definition on --golden definition', async (t) => {
  const scratch = mkdtempSync(join(tmpdir(), 'snnc-golden-fast-'));
  const model = join(scratch, 'tiny');
  writeModel(tinyModel(7), model);
  for (const [flags, golden] of [[[], 'fast'], [['--golden', 'definition'], 'definition']] as const) {
    const report = join(scratch, `${golden}.json`);
    const r = await cli('verify', model, '--targets', 'ts', '--samples', '20', '--report', report, ...flags);
    t.is(r.code, 0, r.err.join('\n'));
    t.regex(r.out[2]!, /^ts +20 +0 +[\d.]+ +none$/, golden);
    t.like(JSON.parse(readFileSync(report, 'utf8')), { golden, images: 20, rows: [{ target: 'ts', status: 'match' }] });
  }
  const bad = await cli('verify', model, '--golden', 'slow');
  t.not(bad.code, 0);
  t.regex(bad.err.join('\n'), /--golden/);
});

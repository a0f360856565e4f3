/**
 * @fileoverview ONNX Runtime against the golden runtime, integer for integer, on random programs covering every
 * encoder, output, reset and delay mode, conv and dense, weight bits 2..16, Loop and unrolled graphs.
 */
import test from 'ava';
import type { Program } from '../../../ir/program.ts';
import { randomProgram, type RandomProgramOptions } from '../../../ir/random-program.ts';
import { target } from '../index.ts';
import { emitToTemp, goldenBatch, randomBatch } from './helpers.ts';

const MODES: RandomProgramOptions[] = [];
for (const encoder of ['jitter', 'direct'] as const)
  for (const conv of [false, true])
    for (const output of ['excess', 'binary'] as const)
      for (const reset of ['refractory', 'subtract', 'zero'] as const)
        for (const delay of [0, 1] as const) MODES.push({ encoder, conv, output, reset, delay });

/** Totals across a test, so it can assert that the programs did something (spikes, nonzero scores). */
interface Activity {
  nonzeroScores: number;
  labels: Set<number>;
}

async function assertMatchesGolden(t: import('ava').ExecutionContext, program: Program, salt: number, unroll: boolean, activity: Activity): Promise<void> {
  const dir = emitToTemp(t, program, { unroll });
  const batch = randomBatch(program, salt);
  const expected = goldenBatch(program, batch);
  const actual = await target.run(dir, program, batch);
  t.deepEqual(actual, expected, `${program.name} (${unroll ? 'unrolled' : 'Loop'}): ${JSON.stringify({ encoder: program.encoder.kind, layers: program.layers.map((l) => l.kind) })}`);
  activity.nonzeroScores += expected.scores.flat().filter((s) => s !== 0).length;
  for (const label of expected.labels) activity.labels.add(label);
}

test('every mode combination (encoder x conv x output x reset x delay) matches the golden runtime', async (t) => {
  const activity: Activity = { nonzeroScores: 0, labels: new Set() };
  for (const [i, mode] of MODES.entries()) await assertMatchesGolden(t, randomProgram(1000 + i, mode), i, false, activity);
  t.true(activity.nonzeroScores > 500, `only ${activity.nonzeroScores} nonzero scores: the programs barely ran`);
  t.true(activity.labels.size >= 3);
});

test('weight bits 2..16 and longer runs match the golden runtime', async (t) => {
  const activity: Activity = { nonzeroScores: 0, labels: new Set() };
  for (let weightBits = 2; weightBits <= 16; weightBits++) {
    for (const timesteps of [1, 9]) {
      const program = randomProgram(2000 + weightBits * 10 + timesteps, { weightBits, timesteps });
      await assertMatchesGolden(t, program, weightBits, false, activity);
    }
  }
  t.true(activity.nonzeroScores > 100);
});

test('many random seeds match the golden runtime', async (t) => {
  const activity: Activity = { nonzeroScores: 0, labels: new Set() };
  for (let seed = 1; seed <= 60; seed++) await assertMatchesGolden(t, randomProgram(seed), seed, false, activity);
  t.true(activity.nonzeroScores > 500);
});

test('unrolled timesteps give the same integers as the Loop', async (t) => {
  const activity: Activity = { nonzeroScores: 0, labels: new Set() };
  for (const [i, mode] of MODES.entries()) if (i % 5 === 0) await assertMatchesGolden(t, randomProgram(3000 + i, mode), i, true, activity);
  t.true(activity.nonzeroScores > 50);
});

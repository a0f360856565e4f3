/**
 * @fileoverview The split module that bench/wasm-profile.ts profiles (each part of a timestep a function of its own)
 * computes the emitted module's integers, with and without the prefetched jitter draws, and names its parts in order.
 */
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { programSha256 } from '../../../ir/fingerprint.ts';
import type { Program } from '../../../ir/program.ts';
import { randomProgramBatch } from '../../../runtime/batch.ts';
import { runGolden } from '../../../runtime/golden.ts';
import { tempDir } from '../../../test/support/emit-to.ts';
import { cubaLif, sinabsConvNet } from '../../../test/support/target-feature-programs.ts';
import { buildModule, splitParts } from '../build-module.ts';
import { planWasm } from '../plan.ts';
import { printWasm } from '../print-wasm.ts';
import { loadWasmModel } from '../run.ts';
import { wrapperSource } from '../wrapper.ts';
import { docExample } from './support.ts';

async function splitScores(program: Program, prefetch: boolean, count: number): Promise<{ got: number[][]; want: number[][] }> {
  const plan = planWasm(program, { prefetch });
  const dir = tempDir(`wasm-split-${program.name}-${prefetch}`);
  writeFileSync(join(dir, 'model.wasm'), printWasm(buildModule(plan, 'split')));
  writeFileSync(join(dir, 'model.mjs'), wrapperSource(plan, programSha256(program)));
  const model = await loadWasmModel(dir, program);
  const batch = randomProgramBatch(program, count, 5);
  return {
    got: batch.images.map((image, i) => model.infer(image, batch.seeds[i]!).scores),
    want: batch.images.map((image, i) => runGolden(program, image, batch.seeds[i]!).scores),
  };
}

test('the split module equals the golden runtime, with the draws prefetched and on their own', async (t) => {
  for (const program of [docExample(), sinabsConvNet(), cubaLif()]) {
    for (const prefetch of [true, false]) {
      const { got, want } = await splitScores(program, prefetch, 12);
      t.deepEqual(got, want, `${program.name}, prefetch ${prefetch}`);
    }
  }
});

test('the split parts are named in the order step calls them, and only the draws move with the prefetch', (t) => {
  const program = docExample();
  t.true(planWasm(program).prefetch !== undefined, 'the doc example prefetches its draws');
  t.deepEqual(splitParts(planWasm(program)).map((p) => p.part), ['layer 0 accumulate+next draws', 'layer 0 update', 'layer 1 accumulate', 'layer 1 update', 'readout']);
  t.deepEqual(splitParts(planWasm(program, { prefetch: false })).map((p) => p.part), ['encode', 'layer 0 accumulate', 'layer 0 update', 'layer 1 accumulate', 'layer 1 update', 'readout']);
  const split = buildModule(planWasm(program), 'split').functions.map((f) => f.name);
  t.deepEqual(split, ['begin', 'step', ...splitParts(planWasm(program)).map((p) => p.name), 'run']);
  t.deepEqual(buildModule(planWasm(program)).functions.map((f) => f.name), ['begin', 'step', 'run']);
});

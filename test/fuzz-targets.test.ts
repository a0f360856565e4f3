/** @fileoverview Differential fuzzing harness: the shrinker, the saved regression fixtures, and a fixed-seed CI batch. */
import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomPixels, randomProgram } from '../ir/random-program.ts';
import { shrink } from '../verify/shrink.ts';
import { parseProgram } from '../ir/validate.ts';
import { caseAgrees, fuzzTarget } from '../verify/fuzz-targets.ts';
import { targets } from '../targets/registry.ts';
import type { SpikingOp } from '../ir/spiking.ts';

test('the shrinker keeps only what the failure needs', async (t) => {
  const program = randomProgram(12, { conv: false, timesteps: 5 });
  const pixels = randomPixels(3, program.input.shape.reduce((a, b) => a * b, 1));
  pixels[3] = 200;
  // A pretend bug: wrong whenever pixel 3 is lit and there are at least 2 timesteps.
  const small = await shrink({ program, pixels, seed: 1 }, async (c) => c.pixels[3] !== 0 && c.program.timesteps >= 2);
  t.is(small.program.timesteps, 2);
  t.deepEqual([...small.pixels].filter((p) => p !== 0), [200]);
  t.true(small.program.layers.every((l) => l.kind === 'pool' || l.weights.every((w) => w === 0)));
});

test('the shrinker drops the recurrence a failure does not need and the units of a recurrent layer', async (t) => {
  // Seed 9: dense layers of 3, 7 (recurrent and synaptic) and 5 (recurrent and synaptic) units.
  const program = randomProgram(9, { conv: false, recurrence: 'both', timesteps: 4 });
  const pixels = randomPixels(3, program.input.shape.reduce((a, b) => a * b, 1));
  // A pretend bug: wrong whenever the second layer has a recurrent synapse.
  const small = await shrink({ program, pixels, seed: 1 }, async (c) => c.program.layers[1]?.kind === 'spiking' && c.program.layers[1].recurrent !== undefined);
  const [first, second, third] = small.program.layers as SpikingOp[];
  t.deepEqual([first!.units, second!.units, third!.units], [1, 1, 5]);
  t.is(second!.recurrent?.weights.length, 1);
  t.deepEqual(small.program.layers.map((op) => op.kind === 'spiking' && (op.synaptic !== undefined || (op !== second && op.recurrent !== undefined))), [false, false, false]);
});

const FIXTURES = new URL('./fixtures/regressions/', import.meta.url).pathname;
const fixtures = existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((f) => f.endsWith('.json')) : [];
for (const file of fixtures) {
  test(`regression fixture ${file} agrees on every target`, async (t) => {
    const raw = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as { seed: number; pixels: number[]; program: unknown };
    const program = parseProgram(JSON.stringify(raw.program), file);
    const pixels = Uint8Array.from(raw.pixels);
    for (const target of targets) t.true(await caseAgrees(target, { program, pixels, seed: raw.seed }), target.name);
  });
}

/** CI's fixed-seed batch per target; Verilog builds a simulator per model, so it runs fewer. Every other model is extended. */
const CI_MODELS: Record<string, number> = { ts: 100, onnx: 100, verilog: 12 };
for (const target of targets) {
  test(`differential fuzzing: ${CI_MODELS[target.name] ?? 20} random programs agree on ${target.name}`, async (t) => {
    const s = await fuzzTarget(target, { models: CI_MODELS[target.name] ?? 20, seed: 2026, imagesPerModel: 2, extended: true, log: (l) => t.log(l) });
    t.deepEqual(s.failures, []);
    t.is(s.crashes, 0);
    t.is(s.mismatches, 0);
    t.true(s.models + s.unsupported === (CI_MODELS[target.name] ?? 20));
  });
}

/** The targets that compute recurrent synapses and synaptic currents, on a fixed-seed batch of such programs. */
const RECURRENCE_MODELS: Record<string, number> = { onnx: 40, ts: 60, verilog: 9, wasm: 60 };
for (const target of targets.filter((t) => RECURRENCE_MODELS[t.name] !== undefined)) {
  const models = RECURRENCE_MODELS[target.name]!;
  test(`differential fuzzing: ${models} random recurrent and synaptic programs agree on ${target.name}`, async (t) => {
    const s = await fuzzTarget(target, { models, seed: 2027, imagesPerModel: 2, extended: true, events: true, recurrence: true, log: (l) => t.log(l) });
    t.deepEqual(s.failures, []);
    t.is(s.crashes, 0);
    t.is(s.mismatches, 0);
    t.is(s.unsupported, 0);
    t.is(s.models, models);
  });
}

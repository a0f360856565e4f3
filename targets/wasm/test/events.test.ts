/**
 * @fileoverview Event input in the wasm target: step t reads frame t of a T x P sample (P = 20 here, frames padded to
 * 32 bytes), its nonzero counts become exactly the first layer's events in index order, a conv first layer gets the
 * whole frame widened to i32; scores and traces equal the golden runtime on edge frames (silent, every count at 255,
 * a lone count in the padded chunk, a lone high-bit count); the loader refuses a wrong length or a count too large.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Program } from '../../../ir/program.ts';
import { randomProgram } from '../../../ir/random-program.ts';
import { randomProgramBatch } from '../../../runtime/batch.ts';
import { runGolden, traceGolden } from '../../../runtime/golden.ts';
import { emitTo } from '../../../test/support/emit-to.ts';
import { assertGolden } from '../../../test/support/golden.ts';
import { target } from '../index.ts';
import { planWasm } from '../plan.ts';
import { loadWasmModel } from '../run.ts';
import { wasmApi } from './support.ts';

const T = 7;
/** Events of u8 counts (T = 7) into a 1x4x5 input: a dense first layer, or a conv first layer. */
const denseFirst = (): Program => randomProgram(2, { encoder: 'events', conv: false, timesteps: T });
const convFirst = (): Program => randomProgram(2, { encoder: 'events', conv: true, timesteps: T });
const P = 20;

/** Frames: silent, every count 255, only the last count (in the padded chunk), 128 and 1, then three random frames. */
function edgeSample(seed: number): Uint8Array {
  const sample = randomProgramBatch(denseFirst(), 1, seed).images[0]!.slice();
  sample.fill(0, 0, P);
  sample.fill(255, P, 2 * P);
  sample.fill(0, 2 * P, 3 * P);
  sample[3 * P - 1] = 3;
  sample.fill(0, 3 * P, 4 * P);
  sample[3 * P + 5] = 128;
  sample[3 * P + 18] = 1;
  return sample;
}

interface Exports {
  memory: { buffer: ArrayBuffer };
  begin(seed: number): void;
  step(): void;
}

/** model.wasm instantiated directly, with `sample` placed as the loader places it (frame t at t * stride). */
async function instantiate(program: Program, sample: Uint8Array): Promise<Exports> {
  const dir = await emitTo(target, program);
  const { instance } = await wasmApi.instantiate(readFileSync(join(dir, 'model.wasm')));
  const exports = instance.exports as unknown as Exports;
  const plan = planWasm(program);
  const memory = new Uint8Array(exports.memory.buffer);
  for (let t = 0; t < T; t++) memory.set(sample.subarray(t * P, (t + 1) * P), plan.pixelsAt + t * plan.frames!.stride);
  exports.begin(0);
  return exports;
}

test('the plan: frames of 20 counts padded to 32 bytes; a dense first layer gets events only, a conv one the dense frame', (t) => {
  const dense = planWasm(denseFirst());
  t.deepEqual(dense.frames, { frame: P, stride: 32 });
  t.deepEqual([dense.encoder.kind, dense.encoder.out.dense, dense.encoder.out.list === undefined], ['events', undefined, false]);
  const conv = planWasm(convFirst());
  t.deepEqual([conv.encoder.out.dense === undefined, conv.encoder.out.list], [false, undefined]);
  t.deepEqual(denseFirst().input.type, { signed: false, bits: 8, frac: 0 });
});

test('README.md states the event input: its usage and the plan of the encoder', async (t) => {
  const readme = String((await target.emit(denseFirst(), {})).find((f) => f.path === 'README.md')!.contents);
  t.true(readme.includes('encoder: events over frame t of 7 frames of 20 counts (padded to 32), read 16 at a time, sends events'));
  assertGolden(t, fileURLToPath(new URL('golden/events.README.md', import.meta.url)), readme);
});

test('step t turns exactly the nonzero counts of frame t into events (row offset, count), in index order', async (t) => {
  const program = denseFirst();
  const plan = planWasm(program);
  const list = plan.encoder.out.list!;
  const sample = edgeSample(3);
  const exports = await instantiate(program, sample);
  const words = new Int32Array(exports.memory.buffer);
  const counts: number[] = [];
  for (let step = 0; step < T; step++) {
    exports.step();
    const frame = sample.subarray(step * P, (step + 1) * P);
    const expected = [...frame].flatMap((count, i) => (count === 0 ? [] : [[i * list.rowBytes, count]]));
    const bytes = words[list.countAt / 4]!;
    const actual = Array.from({ length: bytes / 8 }, (_, e) => [words[(list.at + 8 * e) / 4], words[(list.at + 8 * e + 4) / 4]]);
    t.deepEqual(actual, expected, `frame ${step}`);
    counts.push(expected.length);
  }
  t.deepEqual(counts.slice(0, 4), [0, P, 1, 2]);
});

test('a conv first layer reads frame t widened to i32, every count of it', async (t) => {
  const program = convFirst();
  const dense = planWasm(program).encoder.out.dense!;
  const sample = edgeSample(4);
  const exports = await instantiate(program, sample);
  for (let step = 0; step < T; step++) {
    exports.step();
    t.deepEqual([...new Int32Array(exports.memory.buffer, dense, P)], [...sample.subarray(step * P, (step + 1) * P)], `frame ${step}`);
  }
});

test('scores, labels and traces equal the golden runtime on edge samples and 20 random ones', async (t) => {
  for (const program of [denseFirst(), convFirst()]) {
    const dir = await emitTo(target, program);
    const batch = randomProgramBatch(program, 20, 5);
    const samples = [edgeSample(1), edgeSample(2), ...batch.images];
    const result = await target.run(dir, program, { images: samples, seeds: samples.map((_, i) => i) });
    samples.forEach((sample, i) => t.deepEqual(result.scores[i], runGolden(program, sample, i).scores, `${program.name} sample ${i}`));
    t.true(new Set(result.scores.map((s) => JSON.stringify(s))).size > 10, 'the samples give different scores');
    const model = await loadWasmModel(dir, program);
    const actual = model.trace(edgeSample(1), 0).layers;
    const expected = traceGolden(program, edgeSample(1), 0).layers;
    t.deepEqual(actual.map((l) => [l.membrane, l.output]), expected.map((l) => [l.membrane, l.output]), program.name);
  }
});

test('the loader refuses a sample of the wrong length or with a count above the input type', async (t) => {
  const program = randomProgram(2, { encoder: 'events', conv: false, timesteps: 4 });
  t.deepEqual(program.input.type, { signed: false, bits: 5, frac: 0 });
  const model = await loadWasmModel(await emitTo(target, program), program);
  t.throws(() => model.infer(new Uint8Array(P), 0), { instanceOf: RangeError, message: 'sample has 20 values, the model wants 4 frames of 20 counts' });
  const sample = new Uint8Array(4 * P);
  sample[2 * P + 7] = 32;
  t.throws(() => model.infer(sample, 0), { instanceOf: RangeError, message: "event count 32 at frame 2 exceeds the input type's 31" });
  sample[2 * P + 7] = 31;
  t.deepEqual(model.infer(sample, 0).scores, runGolden(program, sample, 0).scores);
});

/**
 * @fileoverview Event input on the ts target: the generated module's event-list API (binEvents, inferEvents) equals
 * data/events.ts binEvents followed by the golden runtime on the frames, refuses what binEvents refuses with the same
 * words, and infer(frames) refuses what the golden runtime refuses. (The conformance suite runs the event programs of
 * the shared set and the mode sweep on frames.)
 */
import test from 'ava';
import { SnncError } from '../../../base/errors.ts';
import { binEvents, type EventSample } from '../../../data/events.ts';
import type { EventBinning } from '../../../ir/encoder.ts';
import { maxOf } from '../../../ir/int-type.ts';
import { makeRandom } from '../../../ir/mulberry32.ts';
import type { Program } from '../../../ir/program.ts';
import { randomProgram } from '../../../ir/random-program.ts';
import { validateProgram } from '../../../ir/validate.ts';
import { runGolden } from '../../../runtime/golden.ts';
import type { InferResult } from '../../../runtime/trace.ts';
import { testBatch } from '../../../test/support/batches.ts';
import { emitAndLoad, withBinning } from './support.ts';

/** The event-list part of a generated events module. */
interface EventModule {
  infer(frames: Uint8Array, seed: number): InferResult;
  binEvents(events: object): { frames: Uint8Array; dropped: number };
  inferEvents(events: object, seed: number): InferResult & { dropped: number };
  readonly modelInfo: { readonly binning?: object };
}

const dvs2 = randomProgram(5, { conv: true, encoder: 'events', timesteps: 3 });
const dvs1 = randomProgram(4, { conv: false, encoder: 'events', timesteps: 3 });
const channels = withBinning(randomProgram(12, { conv: false, encoder: 'events', timesteps: 8 }), 'channels');
const frames = withBinning(randomProgram(12, { conv: false, encoder: 'events', timesteps: 7 }), 'frames');

const loaded = new Map<Program, Promise<EventModule>>();

/**
 * The module of `program`, emitted and imported once per file: importFresh (targets/load-emitted.ts) imports a copy
 * named by content and removes it after, so two concurrent imports of one module would race on that copy.
 */
function moduleOf(program: Program): Promise<EventModule> {
  let module = loaded.get(program);
  if (!module) loaded.set(program, (module = emitAndLoad(program) as Promise<unknown> as Promise<EventModule>));
  return module;
}

function binningOf(program: Program): EventBinning {
  if (program.encoder.kind !== 'events') throw new Error('not an events program');
  return program.encoder.binning;
}

/** `count` events: a few before the window and past its end, bursts on a few places so counts saturate. */
function randomEvents(program: Program, seed: number, count: number): EventSample {
  const rand = makeRandom(seed);
  const int = (n: number): number => Math.floor(rand() * n);
  const [c, h, w] = program.input.shape;
  const { binUs, startUs } = binningOf(program);
  const t = Float64Array.from({ length: count }, () => Math.max(0, startUs + int((program.timesteps + 2) * binUs) - binUs));
  const hot = (n: number): number => (rand() < 0.5 ? int(Math.min(n, 2)) : int(n));
  if (binningOf(program).source === 'channels') return { kind: 'channels', channel: Uint16Array.from(t, () => hot(c * h * w)), t };
  return { kind: 'dvs', x: Uint16Array.from(t, () => hot(w)), y: Uint16Array.from(t, () => hot(h)), p: Uint8Array.from(t, () => int(2)), t };
}

function dataBin(program: Program, sample: EventSample) {
  return binEvents(sample, binningOf(program), program.input.shape, program.timesteps, maxOf(program.input.type));
}

test('the programs are valid, and each source bins differently', (t) => {
  for (const p of [dvs2, dvs1, channels, frames]) t.notThrows(() => validateProgram(p), p.name);
  t.deepEqual([dvs2, dvs1, channels].map((p) => p.input.shape[0]), [2, 1, channels.input.shape[0]]);
  t.true(channels.input.shape[0] > 2);
});

for (const program of [dvs2, dvs1, channels]) {
  test(`${program.name}: binEvents and inferEvents equal data/events.ts binEvents and the golden runtime on its frames`, async (t) => {
    const model = await moduleOf(program);
    t.deepEqual(model.modelInfo.binning, { ...binningOf(program), maxCount: maxOf(program.input.type) });
    let dropped = 0;
    let saturated = 0;
    for (let k = 0; k < 12; k++) {
      const sample = randomEvents(program, 100 + k, k * 40);
      const want = dataBin(program, sample);
      const got = model.binEvents(sample);
      t.deepEqual(got, want, `sample ${k}: frames and dropped`);
      const seed = 7 * k;
      t.deepEqual(model.inferEvents(sample, seed), { ...runGolden(program, want.frames, seed), dropped: want.dropped }, `sample ${k}: inferEvents`);
      dropped += want.dropped;
      saturated += want.frames.filter((v) => v === maxOf(program.input.type)).length;
    }
    t.true(dropped > 0, 'some events fell outside the window');
    t.true(saturated > 0, 'some counts saturated');
    const empty = model.binEvents(randomEvents(program, 1, 0));
    t.deepEqual(empty, { frames: new Uint8Array(program.timesteps * program.input.shape.reduce((a, b) => a * b, 1)), dropped: 0 });
  });
}

test('bad events are refused in the words of data/events.ts', async (t) => {
  const dvs = await moduleOf(dvs2);
  const cochlea = await moduleOf(channels);
  const [, h, w] = dvs2.input.shape;
  const one = (x: number, y: number, p: number, time: number): EventSample => ({ kind: 'dvs', x: Uint16Array.of(0, x), y: Uint16Array.of(0, y), p: Uint8Array.of(1, p), t: Float64Array.of(5, time) });
  const cases: [EventModule, Program, EventSample][] = [
    [dvs, dvs2, one(0, 0, 0, 2.5)],
    [dvs, dvs2, one(w, 0, 0, 3)],
    [dvs, dvs2, one(0, h, 1, 3)],
    [dvs, dvs2, one(0, 0, 2, 3)],
    [dvs, dvs2, one(w, 0, 0, 10 ** 9)], // outside the input and past the window: refused, not dropped
    [cochlea, channels, { kind: 'channels', channel: Uint16Array.of(channels.input.shape[0]), t: Float64Array.of(1000) }],
  ];
  for (const [model, program, sample] of cases) {
    const want = t.throws(() => dataBin(program, sample), { instanceOf: SnncError });
    t.throws(() => model.binEvents(sample), { instanceOf: RangeError, message: want?.message });
    t.throws(() => model.inferEvents(sample, 0), { instanceOf: RangeError, message: want?.message });
  }
  t.throws(() => dvs.binEvents({ x: [0], y: [0, 1], p: [0], t: [0] }), { instanceOf: RangeError, message: 'events: x, y, p, t differ in length' });
  t.throws(() => dvs.binEvents({ x: [-1], y: [0], p: [0], t: [0] }), { instanceOf: RangeError, message: 'event 0: (x -1, y 0) is outside the 5x3 input' });
  t.throws(() => dvs.binEvents({ x: [0], y: [0], p: [0], t: [-100] }), { instanceOf: RangeError, message: 'event 0: time -100 us is not a whole number >= 0' });
});

test('infer(frames) refuses what the golden runtime refuses, in its words', async (t) => {
  const model = await moduleOf(dvs2);
  const sample = testBatch(dvs2, 4).images[3]!;
  t.deepEqual(model.infer(sample, 0), runGolden(dvs2, sample, 0));
  const tooBig = sample.slice();
  tooBig[tooBig.length - 1] = maxOf(dvs2.input.type) + 1;
  for (const bad of [tooBig, sample.subarray(1)]) {
    const want = t.throws(() => runGolden(dvs2, bad, 0), { instanceOf: RangeError });
    t.throws(() => model.infer(bad, 0), { instanceOf: RangeError, message: want?.message });
  }
});

test('a program that takes frames (a sequence) has no event-list API, and infers on frames', async (t) => {
  const model = (await moduleOf(frames)) as Partial<EventModule> & Pick<EventModule, 'infer'>;
  t.is(model.binEvents, undefined);
  t.is(model.inferEvents, undefined);
  for (const [i, sample] of testBatch(frames).images.entries()) t.deepEqual(model.infer(sample, i), runGolden(frames, sample, i));
});

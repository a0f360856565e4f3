/**
 * @fileoverview The conformance suite: every target in targets/registry.ts runs the one set of programs of
 * test/support/conformance-set.ts (check, emit to a temp folder, run a batch) and must give the golden runtime's
 * scores and labels integer for integer, and, when it can trace, every layer's membrane and output at every timestep.
 * A new target gets every test here by registering. Target folders test only what is their own (test/ under each).
 * Serial: a simulator build blocks the event loop, and the inactivity timeout should measure one build, not several.
 */
import test, { type ExecutionContext } from 'ava';
import type { Program } from '../ir/program.ts';
import { randomProgram } from '../ir/random-program.ts';
import type { Batch, BatchResult } from '../runtime/batch.ts';
import { traceGolden } from '../runtime/golden.ts';
import { runGoldenBatch } from '../runtime/golden-batch.ts';
import { targets } from '../targets/registry.ts';
import type { Target, TargetTrace } from '../targets/target.ts';
import { mnistBatch, testBatch } from './support/batches.ts';
import { LOWERED, RECURRENCE_TARGETS, recurrenceCases, recurrenceDesigns, recurrenceSweep, sharedSet, sweeps } from './support/conformance-set.ts';
import { emitTo } from './support/emit-to.ts';

const SHARED = sharedSet();
const SWEEPS = sweeps();
const RECURRENCE = recurrenceSweep();
const RECURRENCE_DESIGNS = recurrenceDesigns();
const RECURRENCE_CASES = recurrenceCases();

/**
 * How many programs of each sweep a target runs (default: all). Every verilog program is a simulator build of about
 * ten seconds, so the simulated target runs the shared set (which holds generated programs too) and no sweep.
 */
const SWEEP_PROGRAMS: Readonly<Record<string, number>> = { verilog: 0 };
/** Images of a sweep program whose traces are compared (all of them are compared in scores and labels). */
const SWEEP_TRACED_IMAGES = 2;
const MNIST_IMAGES = 200;

const goldens = new Map<string, Promise<BatchResult>>();

/** The golden runtime's result on `batch`, computed once per key and shared by every target. */
function golden(key: string, program: Program, batch: Batch): Promise<BatchResult> {
  let result = goldens.get(key);
  if (!result) {
    result = runGoldenBatch(program, batch);
    goldens.set(key, result);
  }
  return result;
}

/** Runs `batch` on the files in `dir`; scores and labels must equal the golden runtime's, image by image. */
async function assertRunMatches(t: ExecutionContext, target: Target, dir: string, program: Program, batch: Batch, key: string): Promise<void> {
  const [actual, expected] = await Promise.all([target.run(dir, program, batch), golden(key, program, batch)]);
  t.is(actual.scores.length, batch.images.length);
  batch.images.forEach((_, i) => {
    t.deepEqual(actual.scores[i], expected.scores[i], `${program.name} image ${i}: scores`);
    t.is(actual.labels[i], expected.labels[i], `${program.name} image ${i}: label`);
  });
}

/** The target's trace of the first `count` images equals the golden trace, layer by layer. */
async function assertTracesMatch(t: ExecutionContext, target: Target, dir: string, program: Program, batch: Batch, count: number): Promise<void> {
  if (!target.trace) return;
  for (let i = 0; i < Math.min(count, batch.images.length); i++) {
    const actual: TargetTrace = await target.trace(dir, program, batch.images[i]!, batch.seeds[i]!);
    const expected = traceGolden(program, batch.images[i]!, batch.seeds[i]!);
    t.is(actual.layers.length, program.layers.length);
    expected.layers.forEach((layer, l) => {
      t.deepEqual(actual.layers[l]?.membrane, layer.membrane, `${program.name} image ${i}: ${layer.name} membrane`);
      t.deepEqual(actual.layers[l]?.output, layer.output, `${program.name} image ${i}: ${layer.name} output`);
    });
  }
}

test('the shared set covers every IR feature, and its hand-built programs are not vacuous on their batches', (t) => {
  const layers = SHARED.flatMap((c) => c.program.layers.map((op, l) => ({ op, before: c.program.layers[l - 1], lanes: c.lanes })));
  const windows = layers.flatMap(({ op }) => (op.kind === 'spiking' ? [] : [op]));
  const spiking = layers.flatMap(({ op, lanes }) => (op.kind === 'spiking' ? [{ op, lanes }] : []));
  const kinds = <T>(values: T[]): string[] => [...new Set(values.map(String))].sort();
  t.true(windows.some((op) => op.kind === 'conv' && op.stride > 1 && op.padding > 0), 'a strided, padded conv');
  t.deepEqual(kinds(windows.flatMap((op) => (op.kind === 'pool' ? [op.mode] : []))), ['avg', 'sum']);
  t.true(windows.some((op) => op.kind === 'pool' && op.padding > 0 && op.stride > 1), 'a padded, strided pool');
  t.true(windows.some((op) => op.kind === 'pool' && Math.log2(op.kernel * op.kernel) % 1 !== 0), 'a window that is not a power of two');
  t.deepEqual(kinds(spiking.map(({ op }) => op.synapse)), ['dense', 'identity']);
  t.deepEqual(kinds(spiking.map(({ op }) => op.output.kind)), ['binary', 'excess', 'membrane']);
  t.true(spiking.some(({ op }) => op.output.kind === 'membrane' && op.output.type.signed), 'a signed membrane output');
  t.deepEqual(kinds(spiking.map(({ op }) => op.reset.kind)), ['none', 'refractory', 'subtract', 'value', 'zero']);
  t.deepEqual(kinds(spiking.map(({ op }) => op.delay)), ['0', '1']);
  t.deepEqual(kinds(SHARED.map((c) => c.program.encoder.kind)), ['direct', 'events', 'jitter']);
  t.deepEqual(kinds(SHARED.map((c) => c.program.readout.source)), ['membrane', 'output']);
  const afterIdentity = layers.filter(({ op, before }) => op.kind !== 'spiking' && before?.kind === 'spiking' && before.synapse === 'identity');
  t.deepEqual(kinds(afterIdentity.map(({ op }) => op.kind)), ['conv', 'pool'], 'conv and pool read an identity layer by coordinates');
  t.true(layers.some(({ op, lanes }) => op.kind === 'conv' && op.outShape[0] > lanes), 'a conv with several filter groups');
  t.true(spiking.some(({ op, lanes }) => op.units > lanes), 'a spiking layer with several groups');
  t.true(spiking.some(({ op }) => new Set(op.accShift).size > 1), 'per-unit shifts');
  t.deepEqual(new Set(SHARED.map((c) => c.name)).size, SHARED.length, 'case names are unique');
  for (const c of SHARED) {
    const batch = testBatch(c.program);
    const active = new Set<string>();
    batch.images.forEach((image, i) => {
      for (const layer of traceGolden(c.program, image, batch.seeds[i]!).layers) if (layer.output.some((row) => row.some((v) => v !== 0))) active.add(layer.name);
    });
    t.deepEqual(c.activity.filter((name) => !active.has(name)), [], `${c.name}: layers that never produced a nonzero value`);
  }
});

test('the hand-computed recurrence programs are not vacuous on their batches', (t) => {
  for (const c of RECURRENCE_CASES) {
    const batch = testBatch(c.program);
    const active = batch.images.some((image, i) => traceGolden(c.program, image, batch.seeds[i]!).layers[0]!.output.some((row) => row.some((v) => v !== 0)));
    t.true(active, c.name);
  }
});

test('the generated recurrence designs hold recurrent and synaptic, dense and identity layers, and every layer fires', (t) => {
  const spiking = RECURRENCE_DESIGNS.flatMap((c) => c.program.layers.flatMap((op) => (op.kind === 'spiking' ? [op] : [])));
  for (const synapse of ['dense', 'identity'] as const) {
    t.true(spiking.some((op) => op.synapse === synapse && op.recurrent), `a recurrent ${synapse} layer`);
    t.true(spiking.some((op) => op.synapse === synapse && op.synaptic), `a synaptic ${synapse} layer`);
  }
  for (const c of RECURRENCE_DESIGNS) {
    const batch = testBatch(c.program);
    const active = new Set<string>();
    batch.images.forEach((image, i) => traceGolden(c.program, image, batch.seeds[i]!).layers.forEach((layer) => layer.output.some((row) => row.some((v) => v !== 0)) && active.add(layer.name)));
    t.deepEqual(c.program.layers.map((op) => op.name).filter((name) => !active.has(name)), [], c.name);
  }
});

for (const target of targets) {
  test.serial(`${target.name}: check accepts the shared set, 300 random and 300 extended random programs`, (t) => {
    for (const c of SHARED) t.notThrows(() => target.check(c.program), c.name);
    for (let seed = 1; seed <= 300; seed++) {
      t.notThrows(() => target.check(randomProgram(seed)), `random ${seed}`);
      t.notThrows(() => target.check(randomProgram(seed, { extended: true })), `extended random ${seed}`);
    }
  });

  for (const c of RECURRENCE_TARGETS.has(target.name) ? [...SHARED, ...RECURRENCE_CASES, ...RECURRENCE_DESIGNS] : SHARED) {
    const traced = target.trace ? ' and every layer\'s trace' : '';
    test.serial(`${target.name}: ${c.name}: scores, labels${traced} equal the golden runtime on 5 images`, async (t) => {
      target.check(c.program);
      const dir = await emitTo(target, c.program, { lanes: c.lanes, traces: true });
      const batch = testBatch(c.program);
      await assertRunMatches(t, target, dir, c.program, batch, `shared ${c.name}`);
      await assertTracesMatch(t, target, dir, c.program, batch, batch.images.length);
    });
  }

  for (const sweep of RECURRENCE_TARGETS.has(target.name) ? [...SWEEPS, RECURRENCE] : SWEEPS) {
    const programs = sweep.programs.slice(0, SWEEP_PROGRAMS[target.name] ?? sweep.programs.length);
    if (programs.length === 0) continue;
    test.serial(`${target.name}: ${sweep.name}: scores and labels on 5 images, traces on ${SWEEP_TRACED_IMAGES}, equal the golden runtime`, async (t) => {
      for (const [k, program] of programs.entries()) {
        const dir = await emitTo(target, program, { traces: true });
        const batch = testBatch(program);
        await assertRunMatches(t, target, dir, program, batch, `${sweep.name} ${k}`);
        await assertTracesMatch(t, target, dir, program, batch, SWEEP_TRACED_IMAGES);
      }
    });
  }

  for (const lowered of LOWERED) {
    test.serial(`${target.name}: ${lowered.name}: as emitted by default, equal to the golden runtime on ${MNIST_IMAGES} MNIST test images`, async (t) => {
      const program = await lowered.program();
      const dir = await emitTo(target, program);
      const batch = mnistBatch(MNIST_IMAGES);
      t.is(batch.images.length, MNIST_IMAGES);
      await assertRunMatches(t, target, dir, program, batch, `lowered ${lowered.name}`);
      const labels = (await golden(`lowered ${lowered.name}`, program, batch)).labels;
      t.true(new Set(labels).size >= 3, 'a program that gives (nearly) every image one label proves little');
    });
  }
}

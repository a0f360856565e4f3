/**
 * @fileoverview Builds the whole module from the plan: `begin(seed)` (zero the state, seed the generator, list the
 * nonzero pixels; for events only the zeroing), `step()` (encode, every layer, the readout; one timestep), and
 * `run(seed)` (begin, T steps, scores as f64 at scoresOutAt, returns the label: the smallest k with the largest score).
 */
import { ZERO_SEED_STATE } from '../../runtime/prng.ts';
import { buildConv, buildPool } from './build-windows.ts';
import { spikingParts, type StepPart } from './build-spiking.ts';
import { encodeStep } from './build-jitter.ts';
import { encodeFrame } from './build-events.ts';
import type { WasmPlan } from './plan.ts';
import {
  call, forRange, get, i32, ifThen, load, Locals, op, set, store, type Code, type WasmFunction, type WasmModule,
} from './wasm-data.ts';

/** Zero the state, seed the generator, list the nonzero pixels (and encode them once for the direct encoder). */
function begin(plan: WasmPlan): WasmFunction {
  const locals = new Locals();
  for (const name of ['i', 'p', 'nb', 'lb']) locals.add(name, 'i32');
  const out = plan.encoder.out;
  const direct = plan.encoder.kind === 'direct';
  const rowBytes = out.list?.rowBytes ?? 0;
  const zeroState = op('memory.fill', i32(plan.stateAt), i32(0), i32(plan.stateBytes));
  // Events: each step reads its own frame (build-events.ts); there is nothing to list or seed.
  if (plan.encoder.kind === 'events') return { name: 'begin', params: [{ name: 'seed', type: 'i32' }], locals: locals.list, body: zeroState, exported: true };
  const body: Code = [
    ...zeroState,
    ...store('i32.store', i32(0), op('select', i32(ZERO_SEED_STATE), get('seed'), op('i32.eqz', get('seed'))), plan.prngAt),
    ...set('nb', i32(0)),
    ...set('lb', i32(0)),
    ...forRange('i', i32(0), i32(plan.pixels), 1, [
      ...set('p', load('i32.load8_u', get('i'), plan.pixelsAt)),
      ...(direct && out.dense !== undefined ? store('i32.store', op('i32.shl', get('i'), i32(2)), get('p'), out.dense) : []),
      ...ifThen(get('p'), [
        ...store('i32.store', get('nb'), op('i32.shl', get('i'), i32(2)), plan.nzAt),
        ...store('i32.store', get('nb'), get('p'), plan.nzAt + 4),
        ...store('i32.store', get('nb'), op('i32.mul', get('i'), i32(rowBytes)), plan.nzAt + 8),
        ...set('nb', op('i32.add', get('nb'), i32(16))),
        ...(direct && out.list
          ? [
              ...store('i32.store', get('lb'), op('i32.mul', get('i'), i32(rowBytes)), out.list.at),
              ...store('i32.store', get('lb'), get('p'), out.list.at + 4),
              ...set('lb', op('i32.add', get('lb'), i32(8))),
            ]
          : []),
      ]),
    ]),
    ...store('i32.store', i32(0), get('nb'), plan.nzCountAt),
    ...(direct && out.list ? store('i32.store', i32(0), get('lb'), out.list.countAt) : []),
    ...(plan.prefetch ? encodeStep(plan, locals) : []),
  ];
  return { name: 'begin', params: [{ name: 'seed', type: 'i32' }], locals: locals.list, body, exported: true };
}

/** score[k] += the last layer's visible value k, from timestep readout.begin on. */
function readout(plan: WasmPlan, locals: Locals): Code {
  locals.add('r', 'i32');
  const add = forRange('r', i32(0), i32(plan.program.classes), 1, store('i64.store', op('i32.shl', get('r'), i32(3)),
    op('i64.add', load('i64.load', op('i32.shl', get('r'), i32(3)), plan.scoresAt), op('i64.extend_i32_s', load('i32.load', op('i32.shl', get('r'), i32(2)), plan.readAt))), plan.scoresAt));
  const t = load('i32.load', i32(0), plan.tAt);
  return [
    ...(plan.program.readout.begin === 0 ? add : ifThen(op('i32.ge_s', t, i32(plan.program.readout.begin)), add)),
    ...store('i32.store', i32(0), op('i32.add', t, i32(1)), plan.tAt),
  ];
}

/** One timestep's parts in order: the encoding, each layer's parts, the readout. */
function stepParts(plan: WasmPlan): StepPart[] {
  // With a prefetch, step 0's encoding runs in begin and each step's first layer encodes the next step.
  const encode: StepPart[] = plan.encoder.kind === 'events'
    ? [{ part: 'encode frame', build: (locals) => encodeFrame(plan, locals) }]
    : plan.prefetch ? [] : [{ part: 'encode', build: (locals) => encodeStep(plan, locals) }];
  const layers = plan.layers.flatMap((layer, l): StepPart[] => {
    switch (layer.kind) {
      case 'conv':
        return [{ part: `layer ${l} conv`, build: (locals) => buildConv(layer, locals) }];
      case 'pool':
        return [{ part: `layer ${l} pool`, build: (locals) => buildPool(layer, locals) }];
      default:
        return spikingParts(layer).map((p) => ({ part: `layer ${l} ${p.part}`, build: p.build }));
    }
  });
  return [...encode, ...layers, { part: 'readout', build: (locals) => readout(plan, locals) }];
}

/**
 * `step` with its parts inline (what the target emits), or split: one function per part, which `step` calls in order
 * (the same integers; bench/wasm-profile.ts attributes the time per part from a sampling profile of this form).
 */
function step(plan: WasmPlan, shape: ModuleShape): WasmFunction[] {
  const parts = stepParts(plan);
  if (shape === 'inline') {
    const locals = new Locals();
    return [{ name: 'step', params: [], locals: locals.list, body: parts.flatMap((p) => p.build(locals)), exported: true }];
  }
  const functions = parts.map((p, k): WasmFunction => {
    const locals = new Locals();
    const body = p.build(locals);
    return { name: partFunctionName(k, p.part), params: [], locals: locals.list, body, exported: true };
  });
  return [{ name: 'step', params: [], locals: [], body: functions.flatMap((f) => call(f.name)), exported: true }, ...functions];
}

/** The exported name of part k in a split module. */
export function partFunctionName(k: number, part: string): string {
  return `part${k}_${part.replace(/[^A-Za-z0-9]+/g, '_')}`;
}

function run(plan: WasmPlan): WasmFunction {
  const locals = new Locals();
  for (const name of ['t', 'k', 'best']) locals.add(name, 'i32');
  const score = (k: Code): Code => load('i64.load', op('i32.shl', k, i32(3)), plan.scoresAt);
  const body: Code = [
    ...call('begin', get('seed')),
    ...forRange('t', i32(0), i32(plan.program.timesteps), 1, call('step')),
    ...set('best', i32(0)),
    ...forRange('k', i32(0), i32(plan.program.classes), 1, [
      ...store('f64.store', op('i32.shl', get('k'), i32(3)), op('f64.convert_i64_s', score(get('k'))), plan.scoresOutAt),
      ...ifThen(op('i64.gt_s', score(get('k')), score(get('best'))), set('best', get('k'))),
    ]),
    ...get('best'),
  ];
  return { name: 'run', params: [{ name: 'seed', type: 'i32' }], result: 'i32', locals: locals.list, body, exported: true };
}

/** inline: the emitted form; split: each part of a step in a function of its own (for profiling). */
export type ModuleShape = 'inline' | 'split';

export function buildModule(plan: WasmPlan, shape: ModuleShape = 'inline'): WasmModule {
  return { pages: plan.pages, data: plan.segments, functions: [begin(plan), ...step(plan, shape), run(plan)] };
}

/** The names of a split module's part functions, in the order `step` calls them, with the part each computes. */
export function splitParts(plan: WasmPlan): { readonly name: string; readonly part: string }[] {
  return stepParts(plan).map((p, k) => ({ name: partFunctionName(k, p.part), part: p.part }));
}

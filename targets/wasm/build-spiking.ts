/**
 * @fileoverview Builder of a spiking layer's step (docs/ir.md "Spiking op"). Dense synapse, event-driven:
 * `acc[u..u+n) += x_i * W'[i][u..u+n)` for every event (row offset of i, x_i) of the input list, SIMD over units in
 * register blocks of up to BLOCK vectors (i32x4 or i64x2 lanes, plan.ts). Then per unit, in i64:
 *   u = clamp(roundShift(v * decay.mul, decay.shift) + (acc << accShift) + bias)      (clamp sides the bounds need)
 *   o, v as golden.ts: fired = u > threshold (never for output membrane), outputs and resets per kind.
 */
import { maxOf, minOf } from '../../ir/int-type.ts';
import type { SpikingPlan } from './plan.ts';
import { appendEvent, closeList } from './build-windows.ts';
import {
  clampLocal64, forRange, get, i32, i64, ifThen, load, op, roundShift64, set, store, v128zero, type Code, type Locals,
} from './wasm-data.ts';

/** Accumulator vectors kept in registers while one pass runs over the events. */
export const BLOCK = 8;

/** Copies the previous step's u, o and event list to the visible buffers (delay 1), before this step overwrites them. */
function delayCopies(plan: SpikingPlan): Code {
  if (plan.op.delay === 0) return [];
  const bytes = i32(4 * plan.op.units);
  const own = plan.ownList;
  const seen = plan.out.list;
  return [
    ...op('memory.copy', i32(plan.visibleU), i32(plan.uAt), bytes),
    ...op('memory.copy', i32(plan.out.dense!), i32(plan.oAt), bytes),
    ...(own && seen
      ? [...op('memory.copy', i32(seen.at), i32(own.at), load('i32.load', i32(0), own.countAt)), ...store('i32.store', i32(0), load('i32.load', i32(0), own.countAt), seen.countAt)]
      : []),
  ];
}

/** One pass over the input events for `count` vectors starting at weight byte `wb` (a local or a constant). */
function accumulateBlock(plan: SpikingPlan, count: number, wb: Code): Code {
  const d = plan.dense!;
  const list = plan.input.list!;
  const wide = d.width === 'i64';
  const acc = (m: number): string => `a${m}`;
  const add = wide ? 'i64x2.add' : 'i32x4.add';
  const term = (m: number): Code => {
    const w = load(wide ? 'v128.load32x2_s' : 'v128.load16x4_s', get('base'), d.weightsAt + m * 8);
    return d.binaryInput ? w : op(wide ? 'i64x2.mul' : 'i32x4.mul', w, get('xs'));
  };
  const splat = wide ? op('i64x2.splat', op('i64.extend_i32_s', load('i32.load', get('k'), list.at + 4))) : op('i32x4.splat', load('i32.load', get('k'), list.at + 4));
  const blocks = Array.from({ length: count }, (_, m) => m);
  return [
    ...blocks.flatMap((m) => set(acc(m), v128zero())),
    ...forRange('k', i32(0), get('events'), 8, [
      ...set('base', op('i32.add', load('i32.load', get('k'), list.at), wb)),
      ...(d.binaryInput ? [] : set('xs', splat)),
      ...blocks.flatMap((m) => set(acc(m), op(add, get(acc(m)), term(m)))),
    ]),
    ...blocks.flatMap((m) => store('v128.store', op('i32.shl', wb, i32(1)), get(acc(m)), d.accAt + m * 16)),
  ];
}

/** acc of every unit, in full blocks of BLOCK vectors, then the remainder in blocks of 4, 2 and 1. */
function accumulate(plan: SpikingPlan, locals: Locals): Code {
  const d = plan.dense!;
  for (let m = 0; m < BLOCK; m++) locals.add(`a${m}`, 'v128');
  locals.add('xs', 'v128');
  for (const name of ['k', 'events', 'base', 'wb']) locals.add(name, 'i32');
  const vectors = d.paddedUnits / d.lanes;
  const full = Math.floor(vectors / BLOCK);
  const code: Code[] = [set('events', load('i32.load', i32(0), plan.input.list!.countAt))];
  if (full > 0) code.push(forRange('wb', i32(0), i32(full * BLOCK * 8), BLOCK * 8, accumulateBlock(plan, BLOCK, get('wb'))));
  let done = full * BLOCK;
  for (const size of [4, 2, 1]) {
    while (vectors - done >= size && size < BLOCK) {
      code.push(accumulateBlock(plan, size, i32(done * 8)));
      done += size;
    }
  }
  return code.flat();
}

/** acc_j as i64: from the accumulators, or x_j itself for the identity synapse. */
function accOf(plan: SpikingPlan): Code {
  const d = plan.dense;
  if (!d) return op('i64.extend_i32_s', load('i32.load', op('i32.shl', get('j'), i32(2)), plan.input.dense!));
  if (d.width === 'i64') return load('i64.load', op('i32.shl', get('j'), i32(3)), d.accAt);
  return op('i64.extend_i32_s', load('i32.load', op('i32.shl', get('j'), i32(2)), d.accAt));
}

/** (acc << accShift) + bias. */
function driveOf(plan: SpikingPlan): Code {
  const shift = 'value' in plan.accShift ? i64(plan.accShift.value) : op('i64.extend_i32_u', load('i32.load', op('i32.shl', get('j'), i32(2)), plan.accShift.at));
  const shifted = 'value' in plan.accShift && plan.accShift.value === 0 ? accOf(plan) : op('i64.shl', accOf(plan), shift);
  if ('value' in plan.bias) return plan.bias.value === 0 ? shifted : op('i64.add', shifted, i64(plan.bias.value));
  return op('i64.add', shifted, load('i64.load', op('i32.shl', get('j'), i32(3)), plan.bias.at));
}

/** scaleBy(v, decay) of the stored v. */
function decayed(plan: SpikingPlan): Code {
  const { mul, shift } = plan.decay;
  const v = load('i64.load', op('i32.shl', get('j'), i32(3)), plan.vAt);
  if (mul === 0) return i64(0);
  return roundShift64(mul === 1 ? v : op('i64.mul', v, i64(mul)), shift);
}

/** o of a fired unit (into local o64), and its reset (into local v). */
function fire(plan: SpikingPlan): Code {
  const op_ = plan.op;
  const out = op_.output;
  const output = out.kind === 'binary'
    ? set('o64', i64(1))
    : [...set('o64', roundShift64(op('i64.sub', get('u'), i64(op_.threshold)), out.kind === 'excess' ? out.shift : 0)), ...clampLocal64('o64', minOf(out.type), maxOf(out.type))];
  const reset = op_.reset;
  let v: Code;
  switch (reset.kind) {
    case 'refractory':
      v = [...set('v', op('i64.sub', get('u'), roundShift64(op('i64.mul', get('u'), i64(reset.mul)), reset.shift))), ...clampLocal64('v', plan.membraneLo, plan.membraneHi)];
      break;
    case 'subtract':
      v = set('v', op('i64.sub', get('u'), i64(op_.threshold)));
      break;
    case 'zero':
      v = set('v', i64(0));
      break;
    case 'value':
      v = set('v', i64(reset.value));
      break;
    default:
      v = [];
  }
  return [...output, ...v];
}

/** The membrane, output and reset of every unit, and the event list of the nonzero outputs. */
function update(plan: SpikingPlan, locals: Locals): Code {
  for (const name of ['u', 'v', 'o64']) locals.add(name, 'i64');
  for (const name of ['j', 'o', 'nb']) locals.add(name, 'i32');
  const op_ = plan.op;
  const out = op_.output;
  const outputs: Code = out.kind === 'membrane'
    ? [...set('o64', roundShift64(get('u'), out.shift)), ...clampLocal64('o64', minOf(out.type), maxOf(out.type)), ...set('v', get('u'))]
    : ifThen(op('i64.gt_s', get('u'), i64(op_.threshold)), fire(plan), [...set('o64', i64(0)), ...set('v', get('u'))]);
  return [
    ...set('nb', i32(0)),
    ...forRange('j', i32(0), i32(op_.units), 1, [
      ...set('u', op('i64.add', decayed(plan), driveOf(plan))),
      ...clampLocal64('u', plan.clampLo, plan.clampHi),
      ...store('i32.store', op('i32.shl', get('j'), i32(2)), op('i32.wrap_i64', get('u')), plan.uAt),
      ...outputs,
      ...set('o', op('i32.wrap_i64', get('o64'))),
      ...store('i32.store', op('i32.shl', get('j'), i32(2)), get('o'), plan.oAt),
      ...store('i64.store', op('i32.shl', get('j'), i32(3)), get('v'), plan.vAt),
      ...appendEvent(plan.ownList, 'nb', get('j'), 'o'),
    ]),
    ...closeList(plan.ownList, 'nb'),
  ];
}

export function buildSpiking(plan: SpikingPlan, locals: Locals): Code {
  return [...delayCopies(plan), ...(plan.dense ? accumulate(plan, locals) : []), ...update(plan, locals)];
}

/**
 * @fileoverview Builder of a spiking layer's step (docs/ir.md "Spiking op"). Dense synapse, event-driven:
 * `acc[u..u+n) += x_i * W'[i][u..u+n)` for every event (row offset of i, x_i) of the input list, SIMD over units in
 * register blocks of up to BLOCK vectors (i32x4 or i64x2 lanes, plan.ts). Then per unit, in i64:
 *   u = clamp(roundShift(v * decay.mul, decay.shift) + (acc << accShift) + bias)      (clamp sides the bounds need)
 *   o, v as golden.ts: fired = u > threshold (never for output membrane), outputs and resets per kind.
 */
import { maxOf, minOf } from '../../ir/int-type.ts';
import { PAIR_BLOCK, type SpikingPlan } from './plan.ts';
import { accumulateRecurrent, membraneInput } from './build-recurrent.ts';
import { plusBias, scaledState, shiftByUnit } from './build-terms.ts';
import { declareJitter, drawSome, finishDraws, startDraws } from './build-jitter.ts';
import { buildVectorUpdate } from './build-update.ts';
import { appendEvent, closeList } from './build-windows.ts';
import {
  clampLocal64, forRange, get, i32, i64, load, op, roundShift64, set, store, v128zero, type Code, type Locals,
} from './wasm-data.ts';

/** Accumulator vectors kept in registers while one pass runs over the events: i32 and i64 groups of one vector. */
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

/** Interleaves units 0..3 (LO) or 4..7 (HI) of two rows of 8 i16 weights: (r1[u], r2[u]) pairs for dot_i16x8_s. */
const LO = [0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23];
const HI = LO.map((lane) => lane + 8);

/**
 * pair16: events two at a time, (r1, x1) and (r2, x2) (an odd count gets a zero event); per group of 8 units
 * acc[u..u+4) += dot_i16x8_s(interleave(W'[r1][g], W'[r2][g]), splat16(x1, x2)) = x1 W'[r1][u] + x2 W'[r2][u].
 */
function pairBlock(plan: SpikingPlan, groups: number, wb: Code | number, inject: Code): Code {
  const d = plan.dense!;
  const { row, weightsAt, accAddr, accAt } = blockAddressing(plan, wb);
  const list = plan.input.list!;
  const ids = Array.from({ length: groups }, (_, g) => g);
  const rows = (g: number): Code => [...set('r1', load('v128.load', get('b1'), weightsAt + g * 16)), ...set('r2', load('v128.load', get('b2'), weightsAt + g * 16))];
  const x1 = load('i32.load', get('k'), list.at + 4);
  const dot = (lanes: number[], acc: string): Code => set(acc, op('i32x4.add', get(acc), op('i32x4.dot_i16x8_s', [...get('r1'), ...get('r2'), ['i8x16.shuffle', ...lanes]], get('xs'))));
  return [
    ...ids.flatMap((g) => [...set(`a${2 * g}`, v128zero()), ...set(`a${2 * g + 1}`, v128zero())]),
    ...forRange('k', i32(0), get('events'), 16, [
      ...set('b1', row(load('i32.load', get('k'), list.at))),
      ...set('b2', row(load('i32.load', get('k'), list.at + 8))),
      ...set('xs', op('i32x4.splat', op('i32.or', d.signedInput ? op('i32.and', x1, i32(0xffff)) : x1, op('i32.shl', load('i32.load', get('k'), list.at + 12), i32(16))))),
      ...ids.flatMap((g) => [...rows(g), ...dot(LO, `a${2 * g}`), ...dot(HI, `a${2 * g + 1}`)]),
      ...inject,
    ]),
    ...ids.flatMap((g) => [
      ...store('v128.store', accAddr, get(`a${2 * g}`), accAt + g * 32),
      ...store('v128.store', accAddr, get(`a${2 * g + 1}`), accAt + g * 32 + 16),
    ]),
  ];
}

/**
 * Addresses of a pass starting at weight byte `wb` of each row (accumulator byte 2 wb): a constant `wb` folds into
 * the instructions' offsets, a local one is added to the row offset.
 */
function blockAddressing(plan: SpikingPlan, wb: Code | number): { row: (offset: Code) => Code; weightsAt: number; accAddr: Code; accAt: number } {
  const d = plan.dense!;
  if (typeof wb === 'number') return { row: (offset) => offset, weightsAt: d.weightsAt + wb, accAddr: i32(0), accAt: d.accAt + 2 * wb };
  return { row: (offset) => op('i32.add', offset, wb), weightsAt: d.weightsAt, accAddr: op('i32.shl', wb, i32(1)), accAt: d.accAt };
}

/** One pass over the input events for `count` groups starting at weight byte `wb` (a local or a constant). */
function accumulateBlock(plan: SpikingPlan, count: number, wb: Code | number, inject: Code = []): Code {
  const d = plan.dense!;
  if (d.width === 'pair16') return pairBlock(plan, count, wb, inject);
  const { row, weightsAt, accAddr, accAt } = blockAddressing(plan, wb);
  const list = plan.input.list!;
  const wide = d.width === 'i64';
  const acc = (m: number): string => `a${m}`;
  const add = wide ? 'i64x2.add' : 'i32x4.add';
  const term = (m: number): Code => {
    const w = load(wide ? 'v128.load32x2_s' : 'v128.load16x4_s', get('base'), weightsAt + m * 8);
    return d.binaryInput ? w : op(wide ? 'i64x2.mul' : 'i32x4.mul', w, get('xs'));
  };
  const splat = wide ? op('i64x2.splat', op('i64.extend_i32_s', load('i32.load', get('k'), list.at + 4))) : op('i32x4.splat', load('i32.load', get('k'), list.at + 4));
  const blocks = Array.from({ length: count }, (_, m) => m);
  return [
    ...blocks.flatMap((m) => set(acc(m), v128zero())),
    ...forRange('k', i32(0), get('events'), 8, [
      ...set('base', row(load('i32.load', get('k'), list.at))),
      ...(d.binaryInput ? [] : set('xs', splat)),
      ...blocks.flatMap((m) => set(acc(m), op(add, get(acc(m)), term(m)))),
    ]),
    ...blocks.flatMap((m) => store('v128.store', accAddr, get(acc(m)), accAt + m * 16)),
  ];
}

/** Group counts of the passes over the events: at most `block` each, balanced when few (static code). */
export function passSizes(groups: number, block: number): { looped: number; sizes: number[] } {
  const passes = Math.ceil(groups / block);
  if (passes > 4) {
    const looped = Math.floor(groups / block);
    return { looped, sizes: groups > looped * block ? [groups - looped * block] : [] };
  }
  return { looped: 0, sizes: Array.from({ length: passes }, (_, p) => Math.floor((groups + p) / passes)).reverse() };
}

/** acc of every unit: passes over the events, each with up to a block of groups in registers. */
function accumulate(plan: SpikingPlan, locals: Locals): Code {
  const d = plan.dense!;
  const pairs = d.width === 'pair16';
  const block = pairs ? PAIR_BLOCK : BLOCK;
  const groupBytes = d.lanes * d.weightBytes;
  for (let m = 0; m < 2 * Math.max(block, PAIR_BLOCK); m++) locals.add(`a${m}`, 'v128');
  for (const name of ['xs', 'r1', 'r2']) locals.add(name, 'v128');
  for (const name of ['k', 'events', 'base', 'wb', 'b1', 'b2']) locals.add(name, 'i32');
  const list = plan.input.list!;
  const { looped, sizes } = passSizes(d.paddedUnits / d.lanes, block);
  const code: Code[] = [set('events', load('i32.load', i32(0), list.countAt))];
  if (pairs) {
    // A zero event after the last one; the count rounded up to whole pairs.
    code.push(store('i64.store', get('events'), i64(0), list.at), set('events', op('i32.and', op('i32.add', get('events'), i32(8)), i32(-16))));
  }
  if (looped > 0) code.push(forRange('wb', i32(0), i32(looped * block * groupBytes), block * groupBytes, accumulateBlock(plan, block, get('wb'))));
  let done = looped * block;
  const pre = plan.prefetch;
  if (pre) {
    // Step t+1's draws, two pixels per pair of events of the first pass, the rest after it (plan.ts Prefetch).
    declareJitter(locals);
    code.push(startDraws(pre.jitter));
  }
  for (const [p, size] of sizes.entries()) {
    code.push(accumulateBlock(plan, size, done * groupBytes, pre && p === 0 ? drawSome(pre.jitter, pre.next, 2) : []));
    if (pre && p === 0) code.push(finishDraws(pre.jitter, pre.next, undefined));
    done += size;
  }
  if (pre) {
    code.push(op('memory.copy', i32(list.at), i32(pre.next.at), get('eb')), store('i32.store', i32(0), get('eb'), list.countAt));
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

/** acc << accShift, plus bias unless a synaptic current takes it (build-recurrent.ts). */
function driveOf(plan: SpikingPlan): Code {
  const shifted = shiftByUnit(accOf(plan), plan.accShift);
  return plan.current ? shifted : plusBias(plan, shifted);
}

/** o and v if the unit fires (into locals o64 and vf); selected by the fired flag afterwards. */
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
      v = [...set('vf', op('i64.sub', get('u'), roundShift64(op('i64.mul', get('u'), i64(reset.mul)), reset.shift))), ...clampLocal64('vf', plan.membraneLo, plan.membraneHi)];
      break;
    case 'subtract':
      v = set('vf', op('i64.sub', get('u'), i64(op_.threshold)));
      break;
    case 'zero':
      v = set('vf', i64(0));
      break;
    case 'value':
      v = set('vf', i64(reset.value));
      break;
    default:
      v = set('vf', get('u'));
  }
  // fired = u > threshold; o = fired ? o : 0; v = fired ? vf : u (selects: firing is data, not a branch to predict).
  return [
    ...output,
    ...v,
    ...set('fired', op('i64.gt_s', get('u'), i64(op_.threshold))),
    ...set('o64', op('select', get('o64'), i64(0), get('fired'))),
    ...set('v', op('select', get('vf'), get('u'), get('fired'))),
  ];
}

/** The membrane, output and reset of every unit, and the event list of the nonzero outputs. */
function update(plan: SpikingPlan, locals: Locals): Code {
  for (const name of ['u', 'v', 'vf', 'o64']) locals.add(name, 'i64');
  for (const name of ['j', 'o', 'nb', 'fired']) locals.add(name, 'i32');
  const op_ = plan.op;
  const out = op_.output;
  const outputs: Code = out.kind === 'membrane'
    ? [...set('o64', roundShift64(get('u'), out.shift)), ...clampLocal64('o64', minOf(out.type), maxOf(out.type)), ...set('v', get('u'))]
    : fire(plan);
  return [
    ...set('nb', i32(0)),
    ...forRange('j', i32(0), i32(op_.units), 1, [
      ...set('u', membraneInput(plan, locals, scaledState(plan.vAt, plan.decay), driveOf(plan))),
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

/** A named part of a layer's step: the unit that bench/wasm-profile.ts times as a function of its own. */
export interface StepPart {
  readonly part: string;
  build(locals: Locals): Code;
}

/** The layer's step in order: the delay copies, the accumulation over the input events, the update of every unit. */
export function spikingParts(plan: SpikingPlan): StepPart[] {
  return [
    ...(plan.op.delay === 0 ? [] : [{ part: 'delay', build: () => delayCopies(plan) }]),
    ...(plan.dense ? [{ part: plan.prefetch ? 'accumulate+next draws' : 'accumulate', build: (locals: Locals) => accumulate(plan, locals) }] : []),
    ...(plan.recurrent ? [{ part: 'recurrent', build: (locals: Locals) => accumulateRecurrent(plan, locals) }] : []),
    { part: 'update', build: (locals: Locals) => (plan.vector ? buildVectorUpdate(plan, locals) : update(plan, locals)) },
  ];
}

export function buildSpiking(plan: SpikingPlan, locals: Locals): Code {
  return spikingParts(plan).flatMap((p) => p.build(locals));
}

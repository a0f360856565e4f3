/**
 * @fileoverview The membrane update of a dense layer in i32x4 lanes, 4 units per iteration, when plan-vector.ts
 * proved every value fits int32. The equations are golden.ts's; firing is a lane mask, outputs and resets are chosen
 * by it (v128.bitselect), and the units that sent a nonzero output are found from the mask's bits (i32x4.bitmask).
 */
import { maxOf, minOf } from '../../ir/int-type.ts';
import type { SpikingPlan } from './plan.ts';
import type { Scale32 } from './plan-vector.ts';
import { forEachBit, forRange, get, i32, load, op, set, store, type Code, type Locals } from './wasm-data.ts';

const splat = (n: number): Code => op('i32x4.splat', i32(n));
const vlocal = (name: string): Code => get(name);

/** roundShift(a, s) in lanes, a + 2^(s-1) proven to fit. */
function roundShift32(a: Code, shift: number): Code {
  return shift === 0 ? a : op('i32x4.shr_s', op('i32x4.add', a, splat(2 ** (shift - 1))), i32(shift));
}

/** scaleBy(local a, {mul, shift}) in lanes, by the mode plan-vector.ts chose. */
function scale32(a: string, f: Scale32): Code {
  switch (f.mode) {
    case 'zero':
      return splat(0);
    case 'direct':
      return roundShift32(f.mul === 1 ? vlocal(a) : op('i32x4.mul', vlocal(a), splat(f.mul)), f.shift);
    case 'split': {
      const hi = op('i32x4.mul', op('i32x4.shr_s', vlocal(a), i32(f.shift)), splat(f.mul));
      const lo = op('i32x4.mul', op('v128.and', vlocal(a), splat(2 ** f.shift - 1)), splat(f.mul));
      return op('i32x4.add', hi, op('i32x4.shr_u', op('i32x4.add', lo, splat(2 ** (f.shift - 1))), i32(f.shift)));
    }
  }
}

function clamp32(x: Code, lo: number | null, hi: number | null): Code {
  const floor = lo === null ? x : op('i32x4.max_s', x, splat(lo));
  return hi === null ? floor : op('i32x4.min_s', floor, splat(hi));
}

/** o for every lane (zero where the unit did not fire) and v (the reset where it fired). */
function outputsAndResets(plan: SpikingPlan): Code {
  const p = plan.op;
  const out = p.output;
  if (out.kind === 'membrane') return [...set('o4', clamp32(roundShift32(vlocal('u4'), out.shift), minOf(out.type), maxOf(out.type))), ...set('v4', vlocal('u4'))];
  const fired = set('f4', op('i32x4.gt_s', vlocal('u4'), splat(p.threshold)));
  const o = out.kind === 'binary'
    ? op('i32x4.shr_u', vlocal('f4'), i32(31))
    : op('v128.and', clamp32(roundShift32(op('i32x4.sub', vlocal('u4'), splat(p.threshold)), out.shift), null, maxOf(out.type)), vlocal('f4'));
  const reset = p.reset;
  const vf: Code =
    reset.kind === 'refractory' ? clamp32(op('i32x4.sub', vlocal('u4'), scale32('u4', plan.vector!.reset!)), plan.membraneLo, plan.membraneHi)
    : reset.kind === 'subtract' ? op('i32x4.sub', vlocal('u4'), splat(p.threshold))
    : reset.kind === 'value' ? splat(reset.value)
    : reset.kind === 'zero' ? splat(0)
    : vlocal('u4');
  return [...fired, ...set('o4', o), ...set('v4', op('v128.bitselect', vf, vlocal('u4'), vlocal('f4')))];
}

/** Appends (unit * rowBytes, o) for each lane whose o is nonzero, lowest unit first. */
function appendLanes(plan: SpikingPlan): Code {
  const list = plan.ownList;
  if (!list) return [];
  const unitAddr = op('i32.add', get('jb'), op('i32.shl', get('lane'), i32(2)));
  return [
    ...set('mask', op('i32x4.bitmask', op('i32x4.ne', vlocal('o4'), splat(0)))),
    ...forEachBit('mask', 'lane', [
      ...store('i32.store', get('nb'), op('i32.mul', op('i32.shr_u', unitAddr, i32(2)), i32(list.rowBytes)), list.at),
      ...store('i32.store', get('nb'), load('i32.load', unitAddr, plan.oAt), list.at + 4),
      ...set('nb', op('i32.add', get('nb'), i32(8))),
    ]),
  ];
}

export function buildVectorUpdate(plan: SpikingPlan, locals: Locals): Code {
  for (const name of ['u4', 'v4', 'o4', 'f4', 'd4']) locals.add(name, 'v128');
  for (const name of ['jb', 'nb', 'mask', 'lane']) locals.add(name, 'i32');
  const vec = plan.vector!;
  const acc = load('v128.load', get('jb'), plan.dense!.accAt);
  const shifted = vec.accShift === 'powers' && 'at' in plan.accShift ? op('i32x4.mul', acc, load('v128.load', get('jb'), plan.accShift.at))
    : vec.accShift === 0 || vec.accShift === 'powers' ? acc : op('i32x4.shl', acc, i32(vec.accShift));
  const bias = 'value' in plan.bias ? splat(plan.bias.value) : load('v128.load', get('jb'), plan.bias.at);
  const units4 = Math.ceil(plan.op.units / 4) * 4;
  return [
    ...set('nb', i32(0)),
    ...forRange('jb', i32(0), i32(4 * units4), 16, [
      ...set('v4', load('v128.load', get('jb'), plan.vAt)),
      ...set('d4', scale32('v4', vec.decay)),
      ...set('u4', clamp32(op('i32x4.add', vlocal('d4'), op('i32x4.add', shifted, bias)), plan.clampLo, plan.clampHi)),
      ...store('v128.store', get('jb'), vlocal('u4'), plan.uAt),
      ...outputsAndResets(plan),
      ...store('v128.store', get('jb'), vlocal('o4'), plan.oAt),
      ...store('v128.store', get('jb'), vlocal('v4'), plan.vAt),
      ...appendLanes(plan),
    ]),
    ...(plan.ownList ? store('i32.store', i32(0), get('nb'), plan.ownList.countAt) : []),
  ];
}

/**
 * @fileoverview The jitter encoder's code. For each nonzero pixel (i, p) in order, s := xorshift32(s) (shifts 13, 17,
 * 5) and x_i = floor(p * (s >>> (32 - jitterBits)) / 2^jitterBits); nonzero x_i become events. One draw depends on
 * the previous one (a chain of six dependent operations), so when the first layer is dense the draws of step t+1
 * run inside its first pass over the events of step t (plan.ts `Prefetch`), hidden under the SIMD work.
 */
import type { EventList } from './layout.ts';
import type { JitterCode, WasmPlan } from './plan.ts';
import { block, brIf, freshLabel, get, i32, ifThen, load, op, set, store, type Code, type Locals } from './wasm-data.ts';

export function declareJitter(locals: Locals): void {
  for (const name of ['q', 's', 'x', 'eb', 'nz']) locals.add(name, 'i32');
}

/** Encodes the pixel at nonzero-list byte `q` into `list` (and the dense vector at `dense`); advances q. */
export function drawPixel(j: JitterCode, list: EventList | undefined, dense: number | undefined): Code {
  const xor = (shift: Code): Code => set('s', op('i32.xor', get('s'), shift));
  return [
    ...xor(op('i32.shl', get('s'), i32(13))),
    ...xor(op('i32.shr_u', get('s'), i32(17))),
    ...xor(op('i32.shl', get('s'), i32(5))),
    ...set('x', op('i32.shr_u', op('i32.mul', load('i32.load', get('q'), j.nzAt + 4), op('i32.shr_u', get('s'), i32(32 - j.jitterBits))), i32(j.jitterBits))),
    ...(dense !== undefined ? store('i32.store', load('i32.load', get('q'), j.nzAt), get('x'), dense) : []),
    ...(list
      ? [
          ...store('i32.store', get('eb'), load('i32.load', get('q'), j.nzAt + 8), list.at),
          ...store('i32.store', get('eb'), get('x'), list.at + 4),
          ...set('eb', op('i32.add', get('eb'), op('i32.shl', op('i32.ne', get('x'), i32(0)), i32(3)))),
        ]
      : []),
    ...set('q', op('i32.add', get('q'), i32(16))),
  ];
}

/** Loads the generator and the pixel count; starts at the first pixel and an empty list. */
export function startDraws(j: JitterCode): Code {
  return [...set('s', load('i32.load', i32(0), j.prngAt)), ...set('q', i32(0)), ...set('eb', i32(0)), ...set('nz', load('i32.load', i32(0), j.nzCountAt))];
}

/** Encodes the pixels not yet encoded, then stores the generator and the list's byte count. */
export function finishDraws(j: JitterCode, list: EventList | undefined, dense: number | undefined): Code {
  const out = freshLabel('drawn');
  const more = freshLabel('draw');
  return [
    ...block(out, [['loop', more], ...brIf(out, op('i32.ge_u', get('q'), get('nz'))), ...drawPixel(j, list, dense), ['br', more], ['end']]),
    ...store('i32.store', i32(0), get('s'), j.prngAt),
    ...(list ? store('i32.store', i32(0), get('eb'), list.countAt) : []),
  ];
}

/** Up to `count` pixels, each only while pixels remain (the body injected into a pass over events). */
export function drawSome(j: JitterCode, list: EventList, count: number): Code {
  return Array.from({ length: count }, () => ifThen(op('i32.lt_u', get('q'), get('nz')), drawPixel(j, list, undefined))).flat();
}

/** The whole encoding of one step, into the encoder's list (and dense vector). */
export function encodeStep(plan: WasmPlan, locals: Locals): Code {
  if (plan.encoder.kind !== 'jitter') return [];
  declareJitter(locals);
  const j = { jitterBits: plan.encoder.jitterBits, nzAt: plan.nzAt, nzCountAt: plan.nzCountAt, prngAt: plan.prngAt };
  return [...startDraws(j), ...finishDraws(j, plan.encoder.out.list, plan.encoder.out.dense)];
}

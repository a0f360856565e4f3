/**
 * @fileoverview The events encoder's code: x_t = frame t of the sample (docs/ir.md "Event input"). Frame t sits at
 * pixelsAt + t * stride, zero-padded to a multiple of 16 bytes (plan.ts FramePlan), and is read 16 counts at a time:
 * - for a dense consumer (conv, pool, identity): the 16 counts widened to i32 (u8 -> u16 -> u32 lanes), stored;
 * - for a dense synapse: only the nonzero counts become events (row offset i * rowBytes, count), found from the mask
 *   of nonzero bytes (i8x16.bitmask), so a silent block of 16 inputs costs one load, one compare and one test.
 */
import type { WasmPlan } from './plan.ts';
import { closeList } from './build-windows.ts';
import { forEachBit, forRange, get, i32, load, op, set, store, v128zero, type Code, type Locals } from './wasm-data.ts';

/** Frame t's counts into the encoder's dense vector and event list; t is the step counter at tAt. */
export function encodeFrame(plan: WasmPlan, locals: Locals): Code {
  const frames = plan.frames!;
  const { dense, list } = plan.encoder.out;
  for (const name of ['frameAt', 'chunk', 'countMask', 'countLane', 'eventBytes', 'countAt']) locals.add(name, 'i32');
  locals.add('counts', 'v128');
  const widened = (half16: string, half32: string): Code =>
    op(`i32x4.extend_${half32}_i16x8_u`, op(`i16x8.extend_${half16}_i8x16_u`, get('counts')));
  const widen: Code = dense === undefined ? [] : [
    ...store('v128.store', op('i32.shl', get('chunk'), i32(2)), widened('low', 'low'), dense),
    ...store('v128.store', op('i32.shl', get('chunk'), i32(2)), widened('low', 'high'), dense + 16),
    ...store('v128.store', op('i32.shl', get('chunk'), i32(2)), widened('high', 'low'), dense + 32),
    ...store('v128.store', op('i32.shl', get('chunk'), i32(2)), widened('high', 'high'), dense + 48),
  ];
  const events: Code = !list ? [] : [
    ...set('countMask', op('i8x16.bitmask', op('i8x16.ne', get('counts'), v128zero()))),
    ...forEachBit('countMask', 'countLane', [
      ...set('countAt', op('i32.add', get('chunk'), get('countLane'))),
      ...store('i32.store', get('eventBytes'), op('i32.mul', get('countAt'), i32(list.rowBytes)), list.at),
      ...store('i32.store', get('eventBytes'), load('i32.load8_u', op('i32.add', get('frameAt'), get('countAt')), plan.pixelsAt), list.at + 4),
      ...set('eventBytes', op('i32.add', get('eventBytes'), i32(8))),
    ]),
  ];
  return [
    ...set('frameAt', op('i32.mul', load('i32.load', i32(0), plan.tAt), i32(frames.stride))),
    ...set('eventBytes', i32(0)),
    ...forRange('chunk', i32(0), i32(frames.stride), 16, [
      ...set('counts', load('v128.load', op('i32.add', get('frameAt'), get('chunk')), plan.pixelsAt)),
      ...widen,
      ...events,
    ]),
    ...closeList(list, 'eventBytes'),
  ];
}

/**
 * @fileoverview snn_packed_loader: the pixel stream BEAT pixels per beat (lane 0 in the low bits, CHW order), for a
 * first layer that takes flat indices. Each beat's nonzero pixels are written to the input list one per cycle, lowest
 * lane first, so a beat costs max(1, its nonzero pixels) cycles: zero pixels cost nothing beyond their share of a
 * beat. Lanes past the last pixel (in the last beat) are ignored.
 */
import {
  add, and, cat, cond, eq, if_, index, land, let_, lit, lnot, ModuleBuilder, mul, num, part, range, reduceOr, ref, repeat, set, sub, zext,
  type Module,
} from '../netlist.ts';
import { markUnused, sized } from './common.ts';

export function packedLoaderModule(): Module {
  const b = new ModuleBuilder('snn_packed_loader', 'packed pixel beats to input event list');
  const beat = b.param('BEAT', num(4), 'pixels per beat');
  const laneBits = b.param('LANE_BITS', num(2), 'bits of a lane index');
  const pixelBits = b.param('PIXEL_BITS', num(8));
  const beats = b.param('BEATS', num(1), 'beats per image');
  const beatBits = b.param('BEAT_BITS', num(1), 'bits of a beat counter');
  const indexBits = b.param('INDEX_BITS', num(1), 'bits of a pixel index');
  const baseBits = b.param('BASE_BITS', num(1), 'bits of BEATS * BEAT');
  b.wideParam('LAST_MASK', beat, false, lit(15, 4), 'lanes of the last beat that hold pixels');
  const clk = b.input('clk');
  const rst = b.input('rst');
  const active = b.input('active');
  const inValid = b.input('in_valid');
  const inReady = b.output('in_ready');
  const inPixels = b.input('in_pixels', mul(beat, pixelBits));
  const firstBeat = b.output('first_beat');
  const done = b.output('done');
  const evWe = b.output('ev_we');
  const evData = b.output('ev_data', add(indexBits, pixelBits));
  const lastBeat = sized(b, 'LAST_BEAT', beatBits, beats, 1);
  const beatStep = sized(b, 'BEAT_STEP', baseBits, beat);
  const buffer = b.reg('buffer', mul(beat, pixelBits));
  const mask = b.reg('mask', beat);
  const base = b.reg('base', baseBits);
  const count = b.reg('beat_count', beatBits);
  const lastHeld = b.reg('last_held');
  const rest = b.wire('rest', beat);
  const single = b.reg('single');
  const nextMask = b.wire('next_mask', beat);
  const nextRest = b.wire('next_rest', beat);
  const take = b.wire('take');
  const nonzero = b.wire('nonzero', beat);
  const lowest = b.reg('lowest', laneBits);
  const found = b.reg('found');
  const k = b.integer('k');
  b.comment('lowest: the lowest lane still to write; rest: the mask once it is written (mask & (mask - 1))');
  b.combinational([
    let_(lowest, num(0)),
    let_(found, lit(0, 1)),
    { kind: 'for', variable: 'k', from: num(0), below: beat, body: [if_(land(index(mask, k), lnot(found)), [let_(lowest, range(k, sub(laneBits, num(1)), num(0))), let_(found, lit(1, 1))])] },
  ]);
  b.assign(rest, and(mask, sub(mask, num(1))));
  b.comment('single: mask holds at most one lane (rest == 0), registered with the mask so that in_ready is short');
  b.comment('no beat while the last one drains: the next image must wait for `clear`');
  b.assign(inReady, land(land(active, single), lnot(lastHeld)));
  b.assign(take, land(inValid, inReady));
  b.assign(firstBeat, land(take, eq(count, num(0))));
  b.assign(done, land(lastHeld, single));
  b.assign(evWe, reduceOr(mask));
  const wideIndex = b.wire('wide_index', baseBits);
  b.assign(wideIndex, add(base, zext(lowest, laneBits, baseBits)));
  b.comment('pixels fit INDEX_BITS; the padding lanes of the last beat never write');
  b.assign(evData, cat(range(wideIndex, sub(indexBits, num(1)), num(0)), part(buffer, mul(lowest, pixelBits), pixelBits)));
  markUnused(b, 'index_top', wideIndex, found);
  b.generateFor('lanes', 'lane', beat, (g) => {
    g.assign(index(nonzero, ref('lane')), reduceOr(part(inPixels, mul(ref('lane'), pixelBits), pixelBits)));
  });
  b.assign(nextMask, cond(take, and(nonzero, cond(eq(count, lastBeat), ref('LAST_MASK'), repeat(beat, lit(1, 1)))), rest));
  b.assign(nextRest, and(nextMask, sub(nextMask, num(1))));
  b.always(clk, [
    if_(rst, [set(mask, num(0)), set(single, num(1)), set(count, num(0)), set(base, num(0)), set(lastHeld, num(0))], [
      set(single, eq(nextRest, num(0))),
      if_(take, [
        set(buffer, inPixels),
        set(mask, nextMask),
        set(base, cond(eq(count, num(0)), num(0), add(base, beatStep))),
        set(count, cond(eq(count, lastBeat), num(0), add(count, num(1)))),
        set(lastHeld, eq(count, lastBeat)),
      ], [
        set(mask, nextMask),
        if_(single, [set(lastHeld, num(0))]),
      ]),
    ]),
  ]);
  return b.build();
}

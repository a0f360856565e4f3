/**
 * @fileoverview snn_loader: accepts the image as a valid/ready pixel stream (CHW order) and writes every nonzero pixel
 * as an event into the input list, so zero pixels cost one input beat and nothing else. The event address is the
 * flat index, or {channel, row, column} when a conv layer consumes it (COORDS = 1).
 */
import { add, cat, eq, if_, land, ModuleBuilder, ne, num, set, type Module } from '../netlist.ts';
import { chwCounter } from './common.ts';

export function loaderModule(): Module {
  const b = new ModuleBuilder('snn_loader', 'pixel stream to input event list');
  const pixelBits = b.param('PIXEL_BITS', num(8));
  const channels = b.param('CHANNELS', num(1));
  const height = b.param('HEIGHT', num(1));
  const width = b.param('WIDTH', num(1));
  const indexBits = b.param('INDEX_BITS', num(1));
  const chBits = b.param('CH_BITS', num(1));
  const rowBits = b.param('ROW_BITS', num(1));
  const colBits = b.param('COL_BITS', num(1));
  const coords = b.param('COORDS', num(0), '1: event address is {channel, row, column}');
  const entryBits = b.param('ENTRY_BITS', num(1), 'INDEX_BITS, or CH_BITS + ROW_BITS + COL_BITS');
  const clk = b.input('clk');
  const rst = b.input('rst');
  const active = b.input('active');
  const inValid = b.input('in_valid');
  const inReady = b.output('in_ready');
  const inPixel = b.input('in_pixel', pixelBits);
  const firstBeat = b.output('first_beat');
  const done = b.output('done');
  const evWe = b.output('ev_we');
  const evData = b.output('ev_data', add(entryBits, pixelBits));
  const index = b.reg('index', indexBits);
  const c = chwCounter(b, { channels, height, width, chBits, rowBits, colBits });
  const take = b.wire('take');
  const last = b.wire('last');
  const entry = b.wire('entry', entryBits);
  b.assign(inReady, active);
  b.assign(take, land(inValid, active));
  b.assign(last, c.last);
  b.assign(firstBeat, land(take, eq(index, num(0))));
  b.assign(done, land(take, last));
  b.assign(evWe, land(take, ne(inPixel, num(0))));
  b.generateIf('address', eq(coords, num(1)), (g) => g.assign(entry, cat(c.ch, c.row, c.col)), (g) => g.assign(entry, index));
  b.assign(evData, cat(entry, inPixel));
  b.always(clk, [
    if_(rst, [set(index, num(0)), ...c.clear], [
      if_(take, [if_(last, [set(index, num(0)), ...c.clear], [set(index, add(index, num(1))), c.step])]),
    ]),
  ]);
  return b.build();
}
